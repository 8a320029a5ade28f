"""Our reader against the SDK on every session of the shared corpus of real transcripts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .sdkparity import compare_listing, compare_messages, compare_subagents


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory) -> Path:
    from tests.conftest import SHARED_CORPUS

    if SHARED_CORPUS is None:
        pytest.skip("../shared/corpus is not here (set SESSIONSCOPE_CORPUS to use one)")
    target = tmp_path_factory.mktemp("corpus") / "claude"
    shutil.copytree(SHARED_CORPUS, target)
    return target


def test_messages_match_get_session_messages(corpus_copy, monkeypatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(corpus_copy))
    sessions, messages, differences = compare_messages(corpus_copy)
    assert sessions >= 40 and messages > 1000
    assert differences == []


def test_listing_matches_list_sessions_field_by_field(corpus_copy, monkeypatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(corpus_copy))
    sessions, differences = compare_listing(corpus_copy)
    assert sessions >= 40
    assert differences == []


def test_subagents_match_the_sdk(corpus_copy, monkeypatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(corpus_copy))
    _count, _messages, differences = compare_subagents(corpus_copy)
    assert differences == []
