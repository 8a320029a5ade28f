"""The fake Messages API itself, spoken to over plain HTTP (no SDK), checked against the wire
format of the real API: event order, block deltas, errors, slow and dropped streams."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from tests.helpers import fakeapi
from tests.helpers.fakeapi import FakeMessagesAPI


def post(api: FakeMessagesAPI, body: dict, path: str = "/v1/messages?beta=true"):
    host, port = api.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", path, json.dumps(body), {"content-type": "application/json"})
    return conn, conn.getresponse()


def read_events(response) -> list[tuple[str, dict]]:
    """Parse a server-sent event stream into (event, data) pairs."""
    events, name = [], None
    for raw in response.read().decode().splitlines():
        if raw.startswith("event: "):
            name = raw.removeprefix("event: ")
        elif raw.startswith("data: "):
            events.append((name, json.loads(raw.removeprefix("data: "))))
    return events


def request_body(prompt: str, stream: bool = True) -> dict:
    return {
        "model": "claude-test",
        "max_tokens": 100,
        "stream": stream,
        "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
    }


def test_streams_text_thinking_and_tool_use_as_the_api_does(fake_api):
    fake_api.reply(
        fakeapi.blocks(
            fakeapi.thinking_block("hmm, let me see", signature="sig-1"),
            fakeapi.text_block("Running it."),
            fakeapi.tool_use_block("Bash", {"command": "ls -la"}, tool_id="toolu_1"),
            chunk=4,
        )
    )
    conn, response = post(fake_api, request_body("go"))
    assert response.status == 200
    assert response.getheader("content-type").startswith("text/event-stream")
    events = read_events(response)
    conn.close()
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert all(data["type"] == name for name, data in events)
    start = events[0][1]["message"]
    assert (
        start["model"] == "claude-test" and start["content"] == [] and start["role"] == "assistant"
    )

    by_index: dict[int, list[dict]] = {}
    starts = {}
    for name, data in events:
        if name == "content_block_start":
            starts[data["index"]] = data["content_block"]
        elif name == "content_block_delta":
            by_index.setdefault(data["index"], []).append(data["delta"])
    assert [starts[i]["type"] for i in range(3)] == ["thinking", "text", "tool_use"]
    thought = "".join(d.get("thinking", "") for d in by_index[0] if d["type"] == "thinking_delta")
    assert thought == "hmm, let me see"
    assert len(by_index[0]) > 2, "chunk=4 splits the thinking into several deltas"
    assert by_index[0][-1] == {"type": "signature_delta", "signature": "sig-1"}
    assert "".join(d["text"] for d in by_index[1]) == "Running it."
    assert starts[2]["id"] == "toolu_1" and starts[2]["name"] == "Bash"
    partial = "".join(d["partial_json"] for d in by_index[2])
    assert json.loads(partial) == {"command": "ls -la"}
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"
    assert events[-2][1]["usage"]["output_tokens"] > 0
    assert names.count("content_block_stop") == 3


def test_non_streamed_reply_is_one_json_message(fake_api):
    fake_api.reply(fakeapi.thinking("why", "because"))
    conn, response = post(fake_api, request_body("q", stream=False))
    message = json.loads(response.read())
    conn.close()
    assert message["type"] == "message"
    assert [b["type"] for b in message["content"]] == ["thinking", "text"]
    assert message["content"][1]["text"] == "because"
    assert message["stop_reason"] == "end_turn"


def test_rules_route_by_prompt_and_unmatched_requests_get_the_default(fake_api):
    fake_api.reply(fakeapi.text("first A"), fakeapi.text("second A"), when="alpha")
    fake_api.reply(fakeapi.text("B"), when=lambda request: "beta" in request.prompt_text)

    def answer(prompt: str) -> str:
        conn, response = post(fake_api, request_body(prompt, stream=False))
        body = json.loads(response.read())
        conn.close()
        return body["content"][0]["text"]

    assert answer("beta please") == "B"
    assert answer("alpha one") == "first A"
    assert answer("something else") == "OK."
    assert answer("alpha two") == "second A"
    assert answer("alpha three") == "OK."
    assert fake_api.unused_rules() == []
    assert [r.prompt_text for r in fake_api.message_requests] == [
        "beta please",
        "alpha one",
        "something else",
        "alpha two",
        "alpha three",
    ]


def test_prompt_text_skips_tool_result_messages():
    request = fakeapi.RecordedRequest(
        "POST",
        "/v1/messages",
        {},
        {
            "messages": [
                {"role": "user", "content": "count the files"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t", "name": "Bash", "input": {}}],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t", "content": "3"}],
                },
            ]
        },
        0.0,
    )
    assert request.prompt_text == "count the files"
    assert request.last_user_text == "3"
    assert request.tool_results()[0]["tool_use_id"] == "t"


@pytest.mark.parametrize(
    ("reply", "status", "error_type"),
    [
        (fakeapi.error(), 500, "api_error"),
        (fakeapi.overloaded(), 529, "overloaded_error"),
        (fakeapi.rate_limited(retry_after=7), 429, "rate_limit_error"),
    ],
)
def test_errors_carry_the_api_error_body(fake_api, reply, status, error_type):
    fake_api.reply(reply)
    conn, response = post(fake_api, request_body("x"))
    body = json.loads(response.read())
    conn.close()
    assert response.status == status
    assert body["type"] == "error" and body["error"]["type"] == error_type
    if status == 429:
        assert response.getheader("retry-after") == "7"


def test_slow_reply_spaces_its_events(fake_api):
    fake_api.reply(fakeapi.text("slow words here", chunk=5, delay=0.05))
    started = time.monotonic()
    conn, response = post(fake_api, request_body("x"))
    events = read_events(response)
    conn.close()
    assert time.monotonic() - started >= 0.05 * len(events) * 0.9
    assert (
        "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
        == "slow words here"
    )


def test_dropped_connection_ends_the_stream_early(fake_api):
    fake_api.reply(fakeapi.dropped(after=3))
    conn, response = post(fake_api, request_body("x"))
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()


def test_error_event_mid_stream(fake_api):
    fake_api.reply(
        fakeapi.text(
            "partial",
            stream_error_after=3,
            error_type="overloaded_error",
            error_message="Overloaded",
        )
    )
    conn, response = post(fake_api, request_body("x"))
    events = read_events(response)
    conn.close()
    assert [n for n, _ in events] == ["message_start", "ping", "content_block_start", "error"]
    assert events[-1][1]["error"]["type"] == "overloaded_error"


def test_count_tokens_and_other_paths_are_answered_and_recorded(fake_api):
    conn, response = post(fake_api, request_body("x"), path="/v1/messages/count_tokens")
    assert json.loads(response.read())["input_tokens"] > 0
    conn.close()
    host, port = fake_api.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/v1/models")
    assert conn.getresponse().status == 404
    conn.close()
    assert [(r.method, r.path) for r in fake_api.requests] == [
        ("POST", "/v1/messages/count_tokens"),
        ("GET", "/v1/models"),
    ]
    assert fake_api.message_requests == []


def test_unused_url_refuses_connections():
    url = fakeapi.unused_url()
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    with pytest.raises(ConnectionRefusedError):
        conn.request("GET", "/")
