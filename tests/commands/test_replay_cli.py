"""``sessionscope replay``'s arguments: each mistake is one clear line, before any screen opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope.cli import main
from tests.helpers.sample import SAMPLE_ID, user, write_session


def test_an_unknown_start_message_is_refused(sample_session: Path, capsys) -> None:
    assert main(["replay", SAMPLE_ID, "--from", "00000000-0000-4000-8000-999999999999"]) == 1
    err = capsys.readouterr().err
    assert "no message 00000000-0000-4000-8000-999999999999 in this session" in err
    assert err.count("\n") == 1


def test_unknown_and_bad_session_ids(isolated_user_dirs: Path, capsys) -> None:
    assert main(["replay", SAMPLE_ID]) == 1
    assert f"no session {SAMPLE_ID}" in capsys.readouterr().err
    assert main(["replay", "not-an-id"]) == 1
    assert "not a session id" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--speed", "0", "must be above 0"),
        ("--speed", "fast", "not a number"),
        ("--speed", "nan", "must be above 0"),
        ("--max-gap", "-1", "must be 0 or more"),
    ],
)
def test_bad_speed_and_gap(option: str, value: str, said: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", SAMPLE_ID, option, value])
    assert exit_info.value.code == 2
    assert said in capsys.readouterr().err


def test_a_session_without_messages(isolated_user_dirs: Path, capsys) -> None:
    session_id = "5e55a0e1-0000-4000-8000-0000000000ff"
    entry = user(session_id, 1, None, "2026-03-01T10:00:00.000Z", "hello")
    entry["type"] = "summary"  # no user or assistant message at all
    entry["summary"] = "only a summary"
    write_session(isolated_user_dirs, [entry])
    assert main(["replay", session_id]) == 1
    assert "no messages to replay" in capsys.readouterr().err
