"""The command line: one argparse parser, help and errors list every command."""

from __future__ import annotations

import pytest

from sessionscope import cli

COMMANDS = [name for name in cli.COMMAND_MODULES if name != "tui"]


def _help_lines(text: str) -> dict[str, str]:
    lines = {}
    for line in text.splitlines():
        words = line.split(None, 1)
        if line.startswith("    ") and words and words[0] in COMMANDS:
            lines[words[0]] = words[1] if len(words) > 1 else ""
    return lines


def test_help_lists_every_command_with_its_help(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    listed = _help_lines(capsys.readouterr().out)
    assert sorted(listed) == sorted(COMMANDS)
    assert all(listed.values())


@pytest.mark.parametrize(
    "argv",
    [["bogus"], ["--config-dir", "/x", "bogus"], ["--demo", "nope", "--json"]],
)
def test_an_unknown_command_names_every_command(capsys, argv) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice" in error
    assert all(f"'{name}'" in error for name in COMMANDS)


def test_help_after_a_command_is_that_commands_help(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["list", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: sessionscope list") and "--json" in out


def test_abbreviated_options_still_work(tmp_path, capsys) -> None:
    (tmp_path / "projects").mkdir()
    assert cli.main(["--conf", str(tmp_path), "list", "--js"]) == 0
    assert capsys.readouterr().out == ""


def test_an_empty_store_means_local_files_whatever_the_environment_says(
    tmp_path, capsys, monkeypatch
) -> None:
    (tmp_path / "projects").mkdir()
    # A store that cannot be reached: used, it would be one line and exit 2.
    monkeypatch.setenv("SESSIONSCOPE_STORE", "postgresql://me@127.0.0.1:1/nowhere")
    assert cli.main(["list", "--config-dir", str(tmp_path), "--store", ""]) == 0
    assert cli.main(["--store=", "list", "--json", "--config-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    assert cli.main(["list", "--config-dir", str(tmp_path)]) == 2
    assert "cannot connect" in capsys.readouterr().err
