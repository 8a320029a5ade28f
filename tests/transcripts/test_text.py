"""Nothing from a transcript reaches the terminal as a control character."""

from __future__ import annotations

import json
import unicodedata

import pytest

from sessionscope.transcripts.content import plain_text
from sessionscope.transcripts.text import inert, inert_bytes, json_line


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]


def test_escape_sequences_become_visible():
    text = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\x9b31md\x7fe\rf\x00"
    shown = inert(text)
    assert shown == "a␛[2Jb␛]52;c;ZXZpbA==␇c\\x9b31md␡e␍f␀"
    assert _controls(shown) == []


def test_newlines_and_tabs_as_the_caller_chooses():
    assert inert("a\nb\tc") == "a\nb\tc"
    assert inert("a\nb\tc", keep_newlines=False, keep_tabs=False) == "a␊b␉c"


def test_bidi_overrides_and_lone_surrogates_are_shown_not_applied():
    shown = inert("x\u202eevil\u2066y\ud800z\u2028")
    assert shown == "x\\u202eevil\\u2066y\\ud800z\\u2028"
    shown.encode("utf-8")  # a terminal can take it


def test_ordinary_text_is_unchanged():
    text = "héllo wörld ✓ 日本語 😀 — «quotes»"
    assert inert(text) == text


def test_inert_bytes_shows_invalid_utf8_as_hex():
    assert inert_bytes(b"ok\xff\x1b[0m") == "ok\\xff␛[0m"


@pytest.mark.parametrize(
    "value",
    [
        {"text": "\x1b[2J\x9b\u202e\x7f"},
        {"text": "ascii only, but a DEL: \x7f"},
        {"text": "lone \ud800 surrogate"},
        {"n": 2**70},
    ],
)
def test_json_line_is_safe_and_means_the_same(value):
    line = json_line(value)
    assert _controls(line) == [] and "\n" not in line
    assert all(c not in line for c in "\u202e\x7f\x9b")
    assert json.loads(line) == value


def test_plain_text_of_blocks():
    message = {
        "content": [
            {"type": "text", "text": "hi"},
            {"type": "thinking", "thinking": "hmm"},
            {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls"}},
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": [{"type": "text", "text": "a"}],
            },
            {"type": "mystery", "x": 1},
        ]
    }
    assert plain_text(message).split("\n") == [
        "hi",
        "[thinking] hmm",
        '[tool_use Bash t1] {"command": "ls"}',
        "[tool_result t1] a",
        '[mystery] {"type": "mystery", "x": 1}',
    ]
    assert plain_text({"content": "plain"}) == "plain"
    assert plain_text(None) == ""
