"""The command line builds only the parser of the command it runs; help and errors list all."""

from __future__ import annotations

import os
import subprocess
import sys

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


@pytest.mark.parametrize(
    ("argv", "chosen"),
    [
        ([], "tui"),
        (["--demo"], "tui"),
        (["--session", "list"], "tui"),  # "list" is the option's value
        (["list", "--json"], "list"),
        (["--config-dir", "show", "list"], "list"),
        (["--config-dir=show", "list"], "list"),
        (["--model", "m", "--demo", "show", "x"], "show"),
        (["-h"], None),
        (["--help", "list"], None),
        (["--conf", "x", "list"], None),  # an abbreviation: the whole parser decides
        (["bogus"], None),
        (["tui"], None),  # not a command of its own
    ],
)
def test_the_command_is_found_past_the_top_level_options(argv, chosen) -> None:
    parser, _ = cli._top_level()
    assert cli.chosen_command(parser, argv) == chosen


def test_abbreviated_options_still_work(tmp_path, capsys) -> None:
    (tmp_path / "projects").mkdir()
    assert cli.main(["--conf", str(tmp_path), "list", "--js"]) == 0
    assert capsys.readouterr().out == ""


def test_list_imports_no_other_command() -> None:
    code = (
        "import sys, tempfile, os\n"
        "from sessionscope import cli\n"
        "folder = tempfile.mkdtemp()\n"
        "os.mkdir(os.path.join(folder, 'projects'))\n"
        "cli.main(['list', '--json', '--config-dir', folder])\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('sessionscope.commands.')"
        " or m.split('.')[0] in ('textual', 'claude_agent_sdk'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # The usual list call is read without argparse: not even the TUI's options are built.
    assert result.stdout.strip() == "sessionscope.commands._common,sessionscope.commands.list"


def test_the_usual_list_call_is_read_without_argparse(tmp_path) -> None:
    """Nor typing, nor shutil (argparse's help formatter), nor pathlib: a warm ``list
    --json`` is a Python start-up and little more. Run without ``site`` (``-S``), the
    package and its dependencies put on the path by hand, so that no import hook of an
    editable install brings any of them first."""
    import sysconfig

    folder = tmp_path / "config"
    (folder / "projects" / "-p").mkdir(parents=True)
    session = folder / "projects" / "-p" / "00000000-0000-4000-8000-000000000001.jsonl"
    session.write_text('{"type":"user","message":{"content":"hi"},"uuid":"u1"}\n')
    root = os.path.dirname(os.path.dirname(os.path.abspath(cli.__file__)))
    paths = sysconfig.get_paths()
    code = (
        "import sys\n"
        f"sys.path[:0] = [{root!r}]\n"
        f"sys.path += [{paths['purelib']!r}, {paths['platlib']!r}]\n"
        "before = set(sys.modules)\n"
        "from sessionscope import cli\n"
        f"cli.main(['--config-dir', {str(folder)!r}, 'list', '--json'])\n"
        "new = set(sys.modules) - before\n"
        "watched = ('argparse', 'typing', 'shutil', 'pathlib', 'msgspec')\n"
        "print(sorted(m for m in watched if m in new))\n"
    )
    env = {**os.environ, "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache; the second is the warm one
        result = subprocess.run(
            [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert '"session_id":"00000000-0000-4000-8000-000000000001"' in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


WORDS = ["list", "--json", "--project", "--config-dir", "x", "-y", "", "--js", "--demo", "-h"]


def _argparse_list(parser, argv: list[str]) -> dict | None:
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        return None
    if args.command != "list":
        return None
    return {"config_dir": args.config_dir, "json": args.json, "project": args.project}


def test_the_plain_list_reading_is_argparses() -> None:
    """Every argv of up to three words, and random ones of up to seven, from a mix of
    options, values and odd words: where the quick reading answers, argparse reads the same;
    where argparse reads a list call the quick reading leaves to it, the argv has an
    abbreviation, a value that looks like an option or a TUI option."""
    import contextlib
    import io
    import itertools
    import random

    parser, _ = cli.build_parser()
    rng = random.Random(1)
    argvs = [list(words) for n in range(4) for words in itertools.product(WORDS, repeat=n)]
    argvs += [[rng.choice(WORDS) for _ in range(rng.randint(4, 7))] for _ in range(4000)]
    for _ in range(3000):  # calls shaped like real ones, with odd values and words at times
        values = ["x", "", "-y", "list", "a b", "--json", "-"]
        argv = []
        if rng.random() < 0.4:
            argv += ["--config-dir", rng.choice(values)]
        argv.append("list")
        for _ in range(rng.randint(0, 4)):
            option = rng.choice(["--json", "--project", "--config-dir", "--js", "--demo", "x"])
            if option in ("--project", "--config-dir"):
                value = rng.choice(values)
                argv += [f"{option}={value}"] if rng.random() < 0.3 else [option, value]
            else:
                argv.append(option)
        argvs.append(argv)
    answered = 0
    for argv in argvs:
        for joined in (argv, [w + "=v" if w in ("--project", "--config-dir") else w for w in argv]):
            quick = cli.plain_list(joined)
            with (
                contextlib.redirect_stderr(io.StringIO()),
                contextlib.redirect_stdout(io.StringIO()),
            ):
                full = _argparse_list(parser, joined)
            if quick is not None:
                answered += 1
                assert full == {
                    "config_dir": quick.config_dir,
                    "json": quick.json,
                    "project": quick.project,
                }, joined
            elif full is not None:
                odd = ("--js", "--demo", "-")
                assert any(w in odd or w.startswith("-y") for w in joined), joined
    assert answered > 1000
