"""Replay steps read from a file already read (the explorer's open session)."""

from __future__ import annotations

import json
from pathlib import Path

import sessionscope.replay.steps as steps_module
from sessionscope.replay.steps import load_steps
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from tests.helpers.sample import sample_entries, user


def _uuids(steps) -> list[str | None]:
    return [step.message.uuid for step in steps]


def test_steps_from_an_index_read_already_are_the_same(sample_session: Path) -> None:
    index = index_transcript(sample_session)
    conversation = build_conversation(index)
    assert _uuids(load_steps(sample_session, index=index, conversation=conversation)) == _uuids(
        load_steps(sample_session)
    )


def test_an_index_read_already_is_not_read_again_nor_its_branch_built(
    sample_session: Path, monkeypatch
) -> None:
    index = index_transcript(sample_session)
    conversation = build_conversation(index)
    reads: list[object] = []
    built: list[object] = []

    def counted_index(path, *args, **kwargs):
        reads.append(kwargs.get("base"))
        return index_transcript(path, *args, **kwargs)

    def counted_build(*args, **kwargs):
        built.append(args)
        return build_conversation(*args, **kwargs)

    monkeypatch.setattr(steps_module, "index_transcript", counted_index)
    monkeypatch.setattr(steps_module, "build_conversation", counted_build)
    load_steps(sample_session, index=index, conversation=conversation, subagents=False)
    assert reads == [index]  # caught up from where it stopped, not read from the start
    assert built == []


def test_what_was_appended_since_is_replayed_too(sample_session: Path) -> None:
    index = index_transcript(sample_session)
    conversation = build_conversation(index)
    last = conversation.messages[-1]
    entries = sample_entries()
    number = max(int(e["uuid"][-12:]) for e in entries if "uuid" in e)
    late = user(entries[0]["sessionId"], number + 1, None, "2026-03-01T10:59:00.000Z", "later")
    late["parentUuid"] = last.uuid
    with sample_session.open("a") as handle:
        handle.write(json.dumps(late) + "\n")
    steps = load_steps(sample_session, index=index, conversation=conversation)
    assert _uuids(steps) == _uuids(load_steps(sample_session))
    assert _uuids(steps)[-1] == late["uuid"]


def test_a_step_reads_its_message_when_shown(sample_session: Path) -> None:
    """The messages are read as the replay shows them, not all at once before it starts (the
    100 MB session took 1.5 s and 200 MB more to start); a line that can no longer be read
    then (the file cut short meanwhile) is said so, and the replay goes on."""
    steps = load_steps(sample_session)
    first, last = steps[0], steps[-1]
    first_text = first.message.parts[0].body
    sample_session.write_bytes(sample_session.read_bytes()[: last.entry.offset])
    assert first.message.parts[0].body == first_text  # read already: kept
    assert last.message.uuid == last.uuid
    assert (last.message.role, last.message.parts[0].name) == ("meta", "unreadable")


def _prompts(path: Path) -> list[bool]:
    """Whether each step is a prompt, as its light entry tells and as its message read says."""
    told = []
    for step in load_steps(path):
        assert step.is_user_turn == (step.message.is_user_turn and step.agent is None), step.uuid
        told.append(step.is_user_turn)
    return told


def test_a_prompt_is_told_from_its_light_entry(sample_session: Path, hostile_session) -> None:
    """``]`` stops at a prompt: told without reading the line, as the message read says."""
    assert set(_prompts(sample_session) + _prompts(hostile_session)) == {True, False}


def test_a_prompt_is_told_from_its_light_entry_in_real_transcripts(shared_corpus: Path) -> None:
    from sessionscope.transcripts.files import session_files

    told = [each for path, _ in session_files(shared_corpus) for each in _prompts(Path(path))]
    assert set(told) == {True, False}


def test_a_compacted_session_plays_from_its_start(tmp_path: Path) -> None:
    """The history before a compaction is played too (as the explorer shows it), then the
    rest: not only what follows the last compaction."""
    from tests.tui.gallery import GALLERY, PROJECT, u, write_gallery

    config = write_gallery(tmp_path / "claude")
    steps = load_steps(config / "projects" / PROJECT / f"{GALLERY}.jsonl", subagents=False)
    played = _uuids(steps)
    assert played[0] == u(1) and played[-1] == u(17)
    assert played.index(u(10)) < played.index(u(12))  # the history, then the compact summary
