"""A small fake Anthropic Messages API on 127.0.0.1 for driving the real Claude Code CLI.

The server answers ``POST /v1/messages`` the way the real API does: server-sent events over a
chunked HTTP/1.1 response when the request says ``"stream": true`` (``message_start``, ``ping``,
``content_block_start`` / ``content_block_delta`` / ``content_block_stop`` for text, thinking with
its ``signature_delta`` and tool_use with ``input_json_delta``, ``message_delta`` with the stop
reason and usage, ``message_stop``), and one JSON message otherwise. ``count_tokens`` gets a token
count; any other request gets a 404 and is recorded like the rest.

Replies are scripted with rules: ``api.reply(text("hi"), when="some prompt")``. A rule's replies
are used in order, one per request that matches it; the first rule with a reply left wins. A
request no rule answers gets the default reply (a short text). Every request is recorded in
``api.requests`` for assertions. Errors (500, 529 overloaded, 429 with ``retry-after``), slow
replies (a delay between events), an error event in the middle of a stream and a dropped
connection are replies like any other.

Standard library only: the server runs in a daemon thread (``ThreadingHTTPServer``), so it serves
the CLI subprocess while the test's event loop waits on the SDK.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODEL = "claude-sonnet-4-5"
"""The model named in replies when the request names none."""

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):04d}{uuid.uuid4().hex[:20]}"


# ---------------------------------------------------------------------------------------------
# Content blocks and replies
# ---------------------------------------------------------------------------------------------


def text_block(text: str) -> dict[str, Any]:
    """A text content block."""
    return {"type": "text", "text": text}


def thinking_block(thinking: str, signature: str | None = None) -> dict[str, Any]:
    """A thinking content block; the signature is made up when not given."""
    return {
        "type": "thinking",
        "thinking": thinking,
        "signature": signature or "sig-" + uuid.uuid4().hex,
    }


def tool_use_block(name: str, tool_input: dict[str, Any], tool_id: str | None = None) -> dict:
    """A tool_use content block (its id is made up when not given)."""
    return {
        "type": "tool_use",
        "id": tool_id or _next_id("toolu"),
        "name": name,
        "input": tool_input,
    }


@dataclass
class Reply:
    """One scripted answer to one request."""

    blocks: list[dict[str, Any]] = field(default_factory=list)
    """The content blocks of the message (text, thinking, tool_use)."""
    stop_reason: str | None = None
    """``None``: ``tool_use`` when a block is a tool_use, else ``end_turn``."""
    status: int = 200
    """HTTP status; anything but 200 sends ``error_type``/``error_message`` as the API's error JSON."""
    error_type: str = "api_error"
    error_message: str = "Internal server error"
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (``retry-after``, ``x-should-retry``...)."""
    delay: float = 0.0
    """Seconds to wait before each server-sent event (a slow reply)."""
    first_delay: float = 0.0
    """Seconds to wait before the response starts."""
    chunk: int = 0
    """Split text, thinking and tool input into deltas of this many characters (0: one delta)."""
    hold: threading.Event | None = None
    """Hold the stream before its ``message_delta`` until the test sets this (a reply that is
    surely still streaming, whatever the machine's load)."""
    drop_after: int | None = None
    """Close the connection, mid-stream, after this many events (a dropped connection)."""
    stream_error_after: int | None = None
    """Send an ``error`` event (``error_type``) after this many events instead of the rest."""
    input_tokens: int = 25
    output_tokens: int | None = None
    model: str | None = None
    """Model in the reply; the request's model when ``None``."""

    def resolved_stop_reason(self) -> str:
        if self.stop_reason:
            return self.stop_reason
        if any(block["type"] == "tool_use" for block in self.blocks):
            return "tool_use"
        return "end_turn"


def text(message: str, **options: Any) -> Reply:
    """A reply with one text block."""
    return Reply(blocks=[text_block(message)], **options)


def thinking(thought: str, message: str, **options: Any) -> Reply:
    """A reply with a thinking block, then a text block."""
    return Reply(blocks=[thinking_block(thought), text_block(message)], **options)


def tool_use(name: str, tool_input: dict[str, Any], *, say: str | None = None, **options: Any):
    """A reply calling one tool, with an optional text block before the call."""
    blocks = [text_block(say)] if say else []
    blocks.append(tool_use_block(name, tool_input))
    return Reply(blocks=blocks, **options)


def blocks(*content: dict[str, Any], **options: Any) -> Reply:
    """A reply with the given content blocks, in order (several blocks in one response)."""
    return Reply(blocks=list(content), **options)


def error(
    status: int = 500,
    error_type: str = "api_error",
    message: str = "Internal server error",
    **options: Any,
) -> Reply:
    """An HTTP error reply with the API's error body."""
    return Reply(status=status, error_type=error_type, error_message=message, **options)


def overloaded(**options: Any) -> Reply:
    """529 overloaded_error, as the API sends under load."""
    return error(529, "overloaded_error", "Overloaded", **options)


def rate_limited(retry_after: float = 1, **options: Any) -> Reply:
    """429 rate_limit_error with a ``retry-after`` header (seconds)."""
    headers = {"retry-after": f"{retry_after:g}", **options.pop("headers", {})}
    return error(
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit",
        headers=headers,
        **options,
    )


def dropped(after: int = 2, message: str = "This reply is cut off", **options: Any) -> Reply:
    """A streamed text reply whose connection closes after ``after`` events."""
    return Reply(blocks=[text_block(message)], drop_after=after, **options)


# ---------------------------------------------------------------------------------------------
# Recorded requests and matching
# ---------------------------------------------------------------------------------------------


def _content_text(content: Any) -> str:
    """The text of a message's content: text blocks and tool results, joined by newlines."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            parts.append(_content_text(block.get("content")))
    return "\n".join(parts)


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    """The parsed JSON body (``None`` when there was none, the raw text when it was not JSON)."""
    received_at: float
    reply: Reply | None = None
    """What the server answered (``None`` for requests other than messages)."""

    @property
    def is_messages(self) -> bool:
        return self.method == "POST" and self.path.split("?")[0] == "/v1/messages"

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", []) if isinstance(self.body, dict) else []

    def _user_messages(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("role") == "user"]

    @property
    def first_user_text(self) -> str:
        """The text of the first user message: says which conversation this request belongs to."""
        users = self._user_messages()
        return _content_text(users[0].get("content")) if users else ""

    @property
    def last_user_text(self) -> str:
        """The text of the last user message (a prompt or tool results)."""
        users = self._user_messages()
        return _content_text(users[-1].get("content")) if users else ""

    @property
    def prompt_text(self) -> str:
        """The text of the latest prompt: the last user message that is not tool results. Says
        which turn (and, for a subagent, which conversation) this request belongs to."""
        for message in reversed(self._user_messages()):
            content = message.get("content")
            if isinstance(content, list) and any(
                isinstance(b, dict) and b.get("type") == "tool_result" for b in content
            ):
                continue
            return _content_text(content)
        return ""

    @property
    def system_text(self) -> str:
        system = self.body.get("system") if isinstance(self.body, dict) else None
        return _content_text(system)

    @property
    def tool_names(self) -> list[str]:
        tools = self.body.get("tools", []) if isinstance(self.body, dict) else []
        return [tool.get("name", "") for tool in tools]

    def tool_results(self) -> list[dict[str, Any]]:
        """The tool_result blocks of the last user message."""
        users = self._user_messages()
        content = users[-1].get("content") if users else None
        if not isinstance(content, list):
            return []
        return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


Matcher = Callable[[RecordedRequest], bool]


def _as_matcher(when: str | Matcher | None) -> Matcher:
    """A string matches requests whose latest prompt contains it (one turn, including its tool
    round trips; a subagent's prompt is its own); a callable is used as is; ``None`` matches every
    messages request."""
    if when is None:
        return lambda request: True
    if isinstance(when, str):
        return lambda request: when in request.prompt_text
    return when


@dataclass
class Rule:
    """Replies for requests that match ``when``, used one per request, in order."""

    when: Matcher
    replies: list[Reply]
    repeat: bool = False
    """Keep answering with the last reply once the others are used."""
    used: int = 0

    def take(self) -> Reply | None:
        if self.used < len(self.replies):
            self.used += 1
            return self.replies[self.used - 1]
        if self.repeat and self.replies:
            return self.replies[-1]
        return None


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


class FakeMessagesAPI:
    """A scriptable Messages API on 127.0.0.1. Use as a context manager or call start()/stop()."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or text("OK.")
        """The reply for a messages request that no rule answers."""
        self.rules: list[Rule] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # scripting ---------------------------------------------------------------------------------

    def reply(self, *replies: Reply, when: str | Matcher | None = None, repeat: bool = False):
        """Answer the next requests matching ``when`` with ``replies``, in order."""
        rule = Rule(_as_matcher(when), list(replies), repeat=repeat)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget the rules and the recorded requests."""
        with self._lock:
            self.rules.clear()
            self.requests.clear()

    def unused_rules(self) -> list[Rule]:
        """Rules with replies that no request has taken (handy in assertions)."""
        with self._lock:
            return [rule for rule in self.rules if rule.used < len(rule.replies)]

    @property
    def message_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.is_messages]

    def _choose(self, request: RecordedRequest) -> Reply:
        with self._lock:
            for rule in self.rules:
                if rule.used < len(rule.replies) or rule.repeat:
                    try:
                        matches = rule.when(request)
                    except Exception:
                        matches = False
                    if matches:
                        reply = rule.take()
                        if reply is not None:
                            return reply
            return self.default

    # lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL for ``ANTHROPIC_BASE_URL``."""
        if self._server is None:
            raise RuntimeError("the fake API is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, config_dir: str | None = None, **extra: str) -> dict[str, str]:
        """The environment for ``ClaudeAgentOptions.env`` that points the CLI at this server."""
        env = {
            "ANTHROPIC_BASE_URL": self.url,
            "ANTHROPIC_API_KEY": "sk-ant-fake-key-for-tests",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        if config_dir is not None:
            env["CLAUDE_CONFIG_DIR"] = str(config_dir)
        env.update(extra)
        return env

    def start(self) -> FakeMessagesAPI:
        api = self

        class Handler(_Handler):
            fake = api

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # Stopping never waits for a client that keeps its connection open (keep-alive).
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-messages-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def unused_url() -> str:
    """A 127.0.0.1 URL where nothing listens (a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def fake_api(*replies: Reply, default: Reply | None = None) -> Iterator[FakeMessagesAPI]:
    """A started server whose next messages requests get ``replies`` in order."""
    api = FakeMessagesAPI(default=default)
    if replies:
        api.reply(*replies)
    with api:
        yield api


# ---------------------------------------------------------------------------------------------
# The wire format
# ---------------------------------------------------------------------------------------------


def _split(value: str, size: int) -> list[str]:
    if size <= 0 or len(value) <= size:
        return [value]
    return [value[i : i + size] for i in range(0, len(value), size)]


def stream_events(reply: Reply, model: str, message_id: str) -> Iterable[tuple[str, dict]]:
    """The server-sent events of a streamed reply, as (event name, data) pairs."""
    output_tokens = reply.output_tokens
    if output_tokens is None:
        output_tokens = max(1, sum(len(json.dumps(b)) for b in reply.blocks) // 4)
    yield (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": reply.input_tokens,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": 1,
                },
            },
        },
    )
    yield "ping", {"type": "ping"}
    for index, block in enumerate(reply.blocks):
        kind = block["type"]
        if kind == "text":
            start = {"type": "text", "text": ""}
            deltas = [
                {"type": "text_delta", "text": part} for part in _split(block["text"], reply.chunk)
            ]
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": part}
                for part in _split(block["thinking"], reply.chunk)
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "tool_use":
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": ""}]
            deltas += [
                {"type": "input_json_delta", "partial_json": part}
                for part in _split(json.dumps(block["input"]), reply.chunk)
            ]
        else:
            start, deltas = block, []
        yield (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
        for delta in deltas:
            yield (
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": delta},
            )
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply.resolved_stop_reason(), "stop_sequence": None},
            "usage": {"output_tokens": output_tokens},
        },
    )
    yield "message_stop", {"type": "message_stop"}


def whole_message(reply: Reply, model: str, message_id: str) -> dict[str, Any]:
    """The JSON body of a non-streamed reply."""
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.blocks,
        "stop_reason": reply.resolved_stop_reason(),
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": reply.output_tokens or 10,
        },
    }


def _error_body(reply: Reply) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": reply.error_type, "message": reply.error_message},
        "request_id": _next_id("req"),
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeMessagesAPI

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the requests are recorded instead."""

    def _record(self) -> RecordedRequest:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        request = RecordedRequest(
            self.command, self.path, dict(self.headers.items()), body, time.time()
        )
        with self.fake._lock:
            self.fake.requests.append(request)
        return request

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", _next_id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._record()
        self._send_json(
            404, {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}}
        )

    do_HEAD = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET

    def do_POST(self) -> None:
        request = self._record()
        route = self.path.split("?")[0]
        if route == "/v1/messages/count_tokens":
            size = len(json.dumps(request.body)) if request.body else 0
            self._send_json(200, {"input_tokens": max(1, size // 4)})
            return
        if route != "/v1/messages":
            self.do_GET()
            return
        reply = self.fake._choose(request)
        request.reply = reply
        if reply.first_delay:
            time.sleep(reply.first_delay)
        if reply.status != 200:
            self._send_json(reply.status, _error_body(reply), reply.headers)
            return
        body = request.body if isinstance(request.body, dict) else {}
        model = reply.model or body.get("model") or DEFAULT_MODEL
        message_id = _next_id("msg")
        if not body.get("stream"):
            self._send_json(200, whole_message(reply, model, message_id), reply.headers)
            return
        self._stream(reply, model, message_id)

    def _stream(self, reply: Reply, model: str, message_id: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("request-id", _next_id("req"))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            for count, (event, data) in enumerate(stream_events(reply, model, message_id)):
                if reply.drop_after is not None and count >= reply.drop_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.stream_error_after is not None and count >= reply.stream_error_after:
                    self._write_event("error", _error_body(reply))
                    break
                if reply.delay:
                    time.sleep(reply.delay)
                if event == "message_delta" and reply.hold is not None:
                    reply.hold.wait(timeout=60)
                self._write_event(event, data)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            # The client went away (an interrupt); nothing more to send.
            self.close_connection = True

    def _write_event(self, event: str, data: dict[str, Any]) -> None:
        payload = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.flush()
