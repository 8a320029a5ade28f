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


@pytest.mark.parametrize("argv", [["--config-dir", "", "list"], ["list", "--config-dir= "]])
def test_an_empty_config_dir_is_refused_not_taken_for_the_default(
    argv, tmp_path, capsys, monkeypatch
) -> None:
    # A default folder with a session in it: taking '' for the default would list it.
    (tmp_path / "projects" / "-p").mkdir(parents=True)
    (tmp_path / "projects" / "-p" / "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9.jsonl").write_text(
        '{"type":"user","uuid":"u","message":{"role":"user","content":"hi"}}\n'
    )
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path))
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sessionscope: --config-dir needs a folder "
        "(leave it out for $CLAUDE_CONFIG_DIR, then ~/.claude)\n"
    )


def test_an_empty_claude_config_dir_means_the_default_as_in_the_sdk(
    tmp_path, capsys, monkeypatch
) -> None:
    from claude_agent_sdk._internal.sessions import _get_claude_config_home_dir

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", "")
    (tmp_path / ".claude" / "projects").mkdir(parents=True)
    assert _get_claude_config_home_dir() == tmp_path / ".claude"
    assert cli.main(["list", "--json"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("message", ["not-a-uuid", "00000000-0000-4000-8000-000000000999"])
def test_the_explorer_refuses_a_message_not_in_its_session(message, tmp_path, capsys) -> None:
    """``--session ID --message UUID``: a UUID the session does not hold is one line, not an
    explorer that quietly selects something else."""
    from tests.tui.gallery import GALLERY, u, write_gallery

    config = write_gallery(tmp_path / "claude")
    argv = ["--config-dir", str(config), "--session", GALLERY, "--message"]
    assert cli.main([*argv, message]) == 1
    assert capsys.readouterr().err == (
        f"sessionscope: no message {message!r} in session {GALLERY}\n"
    )
    # One it holds (on a rewind branch) is taken: next, the explorer wants a terminal.
    assert cli.main([*argv, u(19)]) == 2
    assert "needs a terminal" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["list", "--project", ""], "--project needs a working directory"),
        (["show", "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9", "--project="], "--project needs"),
        (
            ["store", "share", "bob", "--project=", "--store", "postgresql://x@127.0.0.1:1/y"],
            "--project needs",
        ),
        (
            ["export", "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9", "--format", "md", "-o", ""],
            "-o needs a file name",
        ),
        (["serve", "--host", " "], "--host needs an address"),
        (["--session", ""], "--session needs a session id"),
        (["--session", "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9", "--message", ""], "--message needs"),
        (["--model", ""], "--model needs a model name"),
    ],
)
def test_an_empty_option_is_refused_not_taken_for_its_default(argv, said, tmp_path, capsys) -> None:
    """An unset variable in a script (every project, all shared, standard output, 0.0.0.0...)
    is one line and exit 2, before anything is read or reached."""
    (tmp_path / "projects").mkdir()
    assert cli.main(["--config-dir", str(tmp_path), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"sessionscope: {said}")
    assert captured.err.count("\n") == 1


def test_project_takes_a_working_directory_written_with_a_tilde(tmp_path, capsys, monkeypatch):
    """list and search show working directories as ~/src/app, and the shell leaves the ~ of
    --project=~/src/app as it is."""
    from tests.tui.gallery import GALLERY, write_gallery

    config = write_gallery(tmp_path / "claude")
    monkeypatch.setenv("HOME", "/home/ada")  # the gallery's sessions ran in /home/ada/src/orbit
    assert cli.main(["--config-dir", str(config), "list", "--json", "--project=~/src/orbit"]) == 0
    listed = capsys.readouterr()
    assert GALLERY in listed.out and listed.err == ""
    assert cli.main(["--config-dir", str(config), "show", GALLERY, "--project=~/src/orbit"]) == 0
