"""The fork rule (never split an API response, never leave a tool call without its result) and
``sessionscope fork``, with the SDK's real ``fork_session``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claude_agent_sdk import get_session_messages

from sessionscope.agent.fork import ForkRefused, fork_point
from sessionscope.cli import main
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.model import Entry
from sessionscope.transcripts.reader import index_transcript
from tests.helpers.realcli import config_dir_env
from tests.tui.gallery import AGENT_ID, GALLERY, PROJECT, u


def entry(n: int, kind: str, message_id=None, uses=(), results=()) -> Entry:
    blocks = ("tool_use",) * len(uses) + ("tool_result",) * len(results) or ("text",)
    return Entry(
        index=n,
        line_no=n + 1,
        offset=0,
        length=1,
        type=kind,
        uuid=u(n),
        message_id=message_id,
        role_blocks=blocks,
        tool_use_ids=tuple(uses),
        tool_result_ids=tuple(results),
    )


CHAIN = [
    entry(0, "user"),
    entry(1, "assistant", "m1"),  # thinking
    entry(2, "assistant", "m1"),  # text
    entry(3, "assistant", "m1", uses=["t1"]),
    entry(4, "user", results=["t1"]),
    entry(5, "assistant", "m2", uses=["t2"]),
    entry(6, "assistant", "m2", uses=["t3"]),  # parallel call
    entry(7, "user", results=["t2"]),
    entry(8, "user", results=["t3"]),
    entry(9, "assistant", "m3"),
    entry(10, "user"),
    entry(11, "assistant", "m4", uses=["t4"]),  # interrupted: no result
]


@pytest.mark.parametrize(
    ("position", "end", "moved"),
    [
        (1, 4, True),  # thinking: the response goes on, then its tool call waits
        (2, 4, True),
        (3, 4, True),  # tool_use: ends at its result
        (5, 8, True),  # parallel calls: both results
        (6, 8, True),
        (9, 9, False),  # a plain answer: right there
    ],
)
def test_fork_point_ends_at_the_group_end(position: int, end: int, moved: bool) -> None:
    point = fork_point(CHAIN, position)
    assert point.end.uuid == u(end)
    assert point.moved is moved
    assert (u(end) in point.reason) is moved


def test_fork_point_before_a_call_that_never_got_its_result() -> None:
    point = fork_point(CHAIN, 11)
    assert point.end.uuid == u(10)
    assert "no result" in point.reason


@pytest.mark.parametrize("position", [0, 4, 10, 99, -1])
def test_fork_point_refuses_anything_but_an_assistant_message(position: int) -> None:
    with pytest.raises(ForkRefused):
        fork_point(CHAIN, position)


def test_fork_point_does_not_split_a_response_in_file_order() -> None:
    # The chain's order and the file's can differ; the cut is at the group's last line.
    chain = [entry(0, "user"), entry(5, "assistant", "m1"), entry(3, "assistant", "m1")]
    assert fork_point(chain, 1).end.uuid == u(5)


def fork_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_fork_command_prints_the_new_id(gallery: Path, capsys: pytest.CaptureFixture) -> None:
    source = gallery / "projects" / PROJECT / f"{GALLERY}.jsonl"
    before = source.read_bytes()
    status = main(["--config-dir", str(gallery), "fork", GALLERY, "--at", u(6), "--title", "T"])
    out, err = capsys.readouterr()
    assert status == 0
    new_id = out.strip()
    lines = fork_lines(source.with_name(f"{new_id}.jsonl"))
    transcript = [line for line in lines if line.get("type") in ("user", "assistant")]
    assert transcript[-1]["forkedFrom"]["messageUuid"] == u(9)  # both parallel results
    assert lines[-1] == {**lines[-1], "type": "custom-title", "customTitle": "T"}
    assert u(9) in err
    assert source.read_bytes() == before


def test_fork_command_whole_conversation(gallery: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--config-dir", str(gallery), "fork", GALLERY]) == 0
    new_id = capsys.readouterr().out.strip()
    path = gallery / "projects" / PROJECT / f"{new_id}.jsonl"
    messages = build_conversation(index_transcript(path)).messages
    assert messages[-1].type == "assistant"
    lines = fork_lines(path)
    ends = [line["forkedFrom"]["messageUuid"] for line in lines if "forkedFrom" in line]
    assert ends[-1] == u(17)


def test_fork_command_reaches_a_rewind_branch(gallery: Path, capsys) -> None:
    """u(19) answers a prompt the user went back and asked instead (not the main branch)."""
    assert main(["--config-dir", str(gallery), "fork", GALLERY, "--at", u(19)]) == 0
    new_id = capsys.readouterr().out.strip()
    with config_dir_env(gallery):
        forked = get_session_messages(new_id)
    assert [m.message["content"] for m in forked[-2:] if m.type == "user"] == [
        "Could we cache the handshake instead?"
    ]
    lines = fork_lines(gallery / "projects" / PROJECT / f"{new_id}.jsonl")
    ends = [line["forkedFrom"]["messageUuid"] for line in lines if "forkedFrom" in line]
    assert ends[-1] == u(19) and u(11) not in ends  # nothing of the main branch after it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fork", GALLERY, "--at", u(1)], "this is a user message; a fork ends at an assistant"),
        (["fork", GALLERY, "--at", u(18)], "this is a user message"),  # on a rewind branch
        (["fork", GALLERY, "--at", u(104)], f"is in subagent {AGENT_ID}'s transcript"),
        (["fork", GALLERY, "--at", u(11)], "is a system/compact_boundary entry"),
        (["fork", GALLERY, "--at", u(999)], "is not in this session"),
        (["fork", "not-a-uuid"], "not a session id"),
        (["fork", "99999999-9999-4999-8999-999999999999"], "99999999"),
        # An empty --at (a script's unset variable) is not "the end of the conversation".
        (["fork", GALLERY, "--at", ""], "--at needs a message UUID"),
        (["fork", GALLERY, "--title", "  "], "a title cannot be empty"),
    ],
)
def test_fork_command_errors_are_one_clear_line(
    gallery: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    before = sorted((gallery / "projects" / PROJECT).glob("*.jsonl"))
    assert main(["--config-dir", str(gallery), *args]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert "j/k" not in err  # the explorer's keys mean nothing here
    if "--at" in args and args[-1] != "":
        assert f"`sessionscope show {GALLERY} --all` lists each entry" in err
    assert sorted((gallery / "projects" / PROJECT).glob("*.jsonl")) == before
