"""Export: golden files, inert HTML, and writes that never leave half a file or clobber one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sessionscope.cli import main
from sessionscope.export import ExportError, load_document, to_html, to_markdown, write_atomically
from tests.helpers.sample import SAMPLE_ID

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SESSIONSCOPE_UPDATE_GOLDEN") == "1"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs (SESSIONSCOPE_UPDATE_GOLDEN=1)"
    )


def test_markdown_golden(sample_session: Path, capsys) -> None:
    assert main(["export", SAMPLE_ID, "--format", "md"]) == 0
    text = capsys.readouterr().out
    _check_golden("sample.md", text)
    # What the golden file must show, said plainly:
    for uuid_tail in range(1, 9):
        assert f"00000000-0000-4000-8000-{uuid_tail:012d}" in text
    assert "**Thinking:**\n\n> Probably split() on an empty string." in text
    assert "**Tool call: Read · `toolu_01`**" in text
    assert "**Tool result · `toolu_01`**" in text


def test_json_golden_is_show_json(sample_session: Path, capsys) -> None:
    assert main(["export", SAMPLE_ID, "--format", "json"]) == 0
    exported = capsys.readouterr().out
    _check_golden("sample.jsonl", exported)
    assert main(["show", SAMPLE_ID, "--json"]) == 0
    assert exported == capsys.readouterr().out
    records = [json.loads(line) for line in exported.splitlines()]
    assert [r["uuid"] for r in records] == [
        f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 9)
    ]
    assert records[1]["message"]["content"][0]["type"] == "thinking"


def test_markdown_of_hostile_text_has_no_control_characters(hostile_session: Path) -> None:
    text = to_markdown(load_document(hostile_session))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert "␛[2J" in text and "␛]52;c;ZXZpbA==␇" in text
    assert "**Tool result (error) · `toolu_h1`**" in text


def test_html_escapes_everything_and_loads_nothing(hostile_session: Path) -> None:
    page = to_html(load_document(hostile_session))
    assert "<script" not in page.lower()
    assert "<iframe" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # No address outside the page: links are fragments, nothing is fetched.
    assert not re.findall(r'(?:src|href)\s*=\s*"(?!#)', page)
    assert "http://" not in page and "https://" not in page
    for n in range(1, 5):
        assert f'id="m-00000000-0000-4000-8000-{n:012d}"' in page


def test_html_marks_thinking_tools_and_results(sample_session: Path) -> None:
    page = to_html(load_document(sample_session))
    assert '<details class="thinking" open><summary>Thinking</summary>' in page
    assert "Tool call: Read <code>toolu_01</code>" in page
    assert "Tool result <code>toolu_01</code>" in page
    assert page.count("<article ") == 8


def test_write_to_a_file_refuses_to_replace_without_force(
    sample_session: Path, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "out.html"
    assert main(["export", SAMPLE_ID, "--format", "html", "-o", str(target)]) == 0
    first = target.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>")
    assert target.stat().st_mode & 0o077 == 0
    target.write_text("mine")
    assert main(["export", SAMPLE_ID, "--format", "md", "-o", str(target)]) == 1
    assert "exists; use --force" in capsys.readouterr().err
    assert target.read_text() == "mine"
    assert main(["export", SAMPLE_ID, "--format", "md", "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("# Why does the parser fail")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]  # no temporary left


def test_write_atomically_leaves_nothing_on_failure(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no folder"):
        write_atomically("x", tmp_path / "missing" / "out.md")
    with pytest.raises(ExportError, match="is a folder"):
        write_atomically("x", tmp_path)

    target = tmp_path / "out.md"
    with pytest.raises(TypeError):
        write_atomically(object(), target)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_unknown_and_bad_ids_are_one_line(isolated_user_dirs: Path, capsys) -> None:
    assert main(["export", SAMPLE_ID, "--format", "md"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["export", "nope", "--format", "md"]) == 1
    assert "not a session id" in capsys.readouterr().err


def test_installed_command_exports_to_stdout(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sessionscope", "export", SAMPLE_ID, "--format", "md"],
        capture_output=True,
        text=True,
        env={**os.environ, "CLAUDE_CONFIG_DIR": str(isolated_user_dirs)},
        check=True,
    )
    assert result.stdout == (GOLDEN / "sample.md").read_text(encoding="utf-8")


def test_every_corpus_session_exports(shared_corpus: Path) -> None:
    files = sorted((shared_corpus / "projects").glob("*/*.jsonl"))
    assert files
    for path in files:
        document = load_document(path)
        page = to_html(document)
        text = to_markdown(document)
        assert "<script" not in page.lower()
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", page + text)
        for message in document.messages:
            if message.uuid:
                assert f"`{message.uuid}`" in text


def test_a_device_or_a_pipe_is_written_into_never_replaced(
    sample_session: Path, tmp_path: Path, capsys
) -> None:
    import threading

    null = tmp_path / "null"
    null.symlink_to(os.devnull)  # as -o /dev/null, without risking the real one
    for force in ([], ["--force"]):
        assert main(["export", SAMPLE_ID, "--format", "md", "-o", str(null), *force]) == 0
        assert null.is_symlink() and null.is_char_device()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(
        target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    assert main(["export", SAMPLE_ID, "--format", "md", "-o", str(fifo), "--force"]) == 0
    reader.join(timeout=30)
    assert fifo.is_fifo()
    assert received == [(GOLDEN / "sample.md").read_text(encoding="utf-8")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "null"]
    capsys.readouterr()


def test_dash_is_standard_output(sample_session: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", SAMPLE_ID, "--format", "md", "-o", "-"]) == 0
    assert capsys.readouterr().out == (GOLDEN / "sample.md").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_a_folder_is_refused_as_a_folder(sample_session: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", SAMPLE_ID, "--format", "md", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"sessionscope: {tmp_path} is a folder; give a file name\n"


def test_standard_output_gets_utf_8_whatever_the_locale(
    hostile_session: Path, isolated_user_dirs: Path
) -> None:
    """A Latin-1 or ASCII terminal (LANG=en_US.ISO-8859-1): the export is the same UTF-8
    document a file gets, not a traceback on its first ␛."""
    session_id = hostile_session.stem
    for format_ in ("md", "html", "json"):
        result = subprocess.run(
            [sys.executable, "-m", "sessionscope", "export", session_id, "--format", format_],
            capture_output=True,
            env={
                **os.environ,
                "CLAUDE_CONFIG_DIR": str(isolated_user_dirs),
                "PYTHONIOENCODING": "ascii",
            },
        )
        assert result.returncode == 0 and result.stderr == b"", result.stderr
        target = isolated_user_dirs / f"out.{format_}"
        assert main(["export", session_id, "--format", format_, "-o", str(target)]) == 0
        assert result.stdout == target.read_bytes()
