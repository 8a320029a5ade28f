"""Export one session's conversation as Markdown, HTML or JSON lines, and write it safely.

Pure (no Textual, no SDK). Every message keeps its UUID; tool calls, tool results and thinking are
marked as such. Transcript text is made inert (no control characters) everywhere, and HTML-escaped
in HTML; the HTML page loads nothing from the network and runs no script (its content security
policy forbids both, so even a mistake in escaping could not run one).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sessionscope.transcripts.content import (
    OTHER,
    TEXT,
    THINKING,
    TOOL_RESULT,
    TOOL_USE,
    Message,
    Part,
    message_from_entry,
)
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.edits import EDIT_TOOLS, EditDiff, edit_diff
from sessionscope.transcripts.meta import session_title
from sessionscope.transcripts.model import Entry, TranscriptIndex
from sessionscope.transcripts.reader import index_transcript, load_entries_in_batches
from sessionscope.transcripts.sessions import read_session_meta
from sessionscope.transcripts.text import inert, json_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sessionscope.redaction import Redactor


class ExportError(Exception):
    """An export that could not be written; the message is one clear line."""


def message_record(entry: Entry, data: dict | None) -> dict:
    """One message as ``show --json`` and ``export --format json`` print it."""
    data = data or {}
    return {
        "uuid": entry.uuid,
        "parent_uuid": entry.parent_uuid,
        "type": entry.type,
        "timestamp": entry.timestamp,
        "session_id": entry.session_id,
        "line": entry.line_no,
        "message": data.get("message"),
    }


def json_lines(index: TranscriptIndex, messages: list[Entry], redactor: Redactor | None = None):
    """Each of ``messages`` as one line of JSON (newline included), masked by ``redactor``."""
    for entry, data in load_entries_in_batches(index.path, messages):
        record = message_record(entry, data)
        yield json_line(record if redactor is None else redactor.value(record)) + "\n"


def pieces(
    path: Path, fmt: str, redactor: Redactor | None = None, *, images: bool = True
) -> Iterator[str]:
    """The export of one transcript file in ``fmt``, a message's piece at a time (to be
    written as it comes: the whole text is never held), its secrets masked by ``redactor``
    (each entry's, before it is rendered; its images then shown by their labels only);
    ``images``: pictures in an HTML page. A transcript that cannot be read: :class:`ExportError`
    (raised where the pieces are written, not taken for an error of writing)."""
    try:
        if fmt == "json":
            index = index_transcript(path)
            yield from json_lines(index, build_conversation(index).messages, redactor)
            return
        document = load_document(path, redactor)
        if fmt == "md":
            yield from markdown_pieces(document)
        else:
            yield from html_pieces(document, images=images and redactor is None)
    except OSError as error:
        raise ExportError(f"cannot read {path}: {error.strerror or error}") from error


@dataclass(frozen=True, slots=True)
class SessionDocument:
    """What an export shows: the session's identity and its visible messages in order."""

    session_id: str
    title: str
    cwd: str | None
    messages: Messages
    """Read from the transcript (:class:`Messages`) each time they are gone through."""
    edits: dict[str, EditDiff] = field(default_factory=dict)
    """The diffs of the session's edit tool calls (Edit, MultiEdit, Write, NotebookEdit), by
    tool use id, with the patch each result recorded."""


def load_document(
    path: str | os.PathLike[str], redactor: Redactor | None = None
) -> SessionDocument:
    """The visible conversation of one transcript file (as ``show`` and the SDK see it), with
    every string of its entries (and its title and folder) masked by ``redactor`` if given.
    Its messages are read as they are written out (:class:`Messages`); the diffs of its edit
    calls before, from the lines of its tool calls and of their results only."""
    path = Path(path)
    session_id = path.name.removesuffix(".jsonl")
    meta = read_session_meta(path, count_messages=False)
    index = index_transcript(path)
    entries = build_conversation(index).messages
    title, cwd = (session_title(meta), meta.cwd) if meta is not None else (session_id, None)
    if redactor is not None:
        title = redactor.text(title)
        cwd = redactor.text(cwd) if cwd else cwd
    return SessionDocument(
        session_id=session_id,
        title=title,
        cwd=cwd,
        messages=Messages(path, entries, redactor),
        edits=_edit_diffs(path, entries, redactor),
    )


class Messages:
    """A conversation's messages, read from their lines a batch at a time each time they are
    gone through (a 100 MB session's, all held, took 100 MB more; all of its entries at once
    500 MB), masked by ``redactor`` if given (counted each time). Its length is the
    conversation's: a line that can no longer be read is left out of the messages (the file
    changed since the conversation was read), not of the count."""

    def __init__(self, path: Path, entries: list[Entry], redactor: Redactor | None = None) -> None:
        self._path = path
        self._entries = entries
        self._redactor = redactor

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Message]:
        for _entry, raw in load_entries_in_batches(self._path, self._entries):
            if self._redactor is not None:
                raw = _redacted(raw, self._redactor)
            if isinstance(raw, dict):
                yield message_from_entry(raw)


def _edit_diffs(path: Path, entries: list[Entry], redactor: Redactor | None) -> dict[str, EditDiff]:
    """The diffs of the edit calls among ``entries``: the lines with tool calls are read, then
    the lines with the results of edit calls (masked as their messages are; counted when
    those are written)."""
    edits = _Edits()
    counted = redactor.counts.copy() if redactor is not None else None

    def note(lines: list[Entry]) -> None:
        for _entry, raw in load_entries_in_batches(path, lines):
            if redactor is not None:
                raw = _redacted(raw, redactor)
            if isinstance(raw, dict):
                edits.note(raw)

    note([entry for entry in entries if "tool_use" in entry.role_blocks])
    wanted = {call.get("id") for call in edits.calls}
    note([entry for entry in entries if wanted.intersection(entry.tool_result_ids)])
    if redactor is not None and counted is not None:
        redactor.counts = counted
    return edits.diffs()


EXPORTED_RESULT_FIELDS = ("type", "structuredPatch")
"""What an export reads of a tool result's ``toolUseResult`` (the patch an edit applied)."""


def _redacted(raw: object, redactor: Redactor) -> object:
    """An entry as an export reads it, its secrets masked: the message, and of the tool
    result's details only the fields an export shows (its other copies of the output and of
    whole files are not exported, so they are dropped rather than scanned)."""
    if not isinstance(raw, dict):
        return raw
    kept = {key: value for key, value in raw.items() if key != "toolUseResult"}
    kept["message"] = redactor.value(raw.get("message"))
    details = raw.get("toolUseResult")
    if isinstance(details, dict):
        kept["toolUseResult"] = {
            key: redactor.value(details[key]) for key in EXPORTED_RESULT_FIELDS if key in details
        }
    return kept


class _Edits:
    """Each edit call's diff, with the ``toolUseResult`` of its result when there is one,
    noted entry by entry (of a result, only the fields an export reads are kept)."""

    def __init__(self) -> None:
        self.results: dict[str, object] = {}
        self.calls: list[dict] = []

    def note(self, raw: dict) -> None:
        if not isinstance(raw.get("message"), dict):
            return
        content = raw["message"].get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_result" and isinstance(block.get("tool_use_id"), str):
                details = raw.get("toolUseResult")
                if isinstance(details, dict):
                    details = {k: details[k] for k in EXPORTED_RESULT_FIELDS if k in details}
                self.results[block["tool_use_id"]] = details
            elif block.get("type") == "tool_use" and block.get("name") in EDIT_TOOLS:
                self.calls.append(block)

    def diffs(self) -> dict[str, EditDiff]:
        found: dict[str, EditDiff] = {}
        for call in self.calls:
            diff = edit_diff(call["name"], call.get("input"), self.results.get(call.get("id")))
            if diff is not None and isinstance(call.get("id"), str):
                found[call["id"]] = diff
        return found


def format_timestamp(timestamp: str | None) -> str:
    """``2026-03-01T10:00:00.000Z`` → ``2026-03-01 10:00:00 UTC`` (kept as is if unreadable)."""
    if not timestamp:
        return "no time"
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return inert(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def part_label(part: Part) -> str:
    """How a part is announced: ``Thinking``, ``Tool call: Read``, ``Tool result (error)``."""
    if part.kind == THINKING:
        return "Thinking"
    if part.kind == TOOL_USE:
        return f"Tool call: {inert(part.name or '?')}"
    if part.kind == TOOL_RESULT:
        label = "Tool result"
        if part.name:
            label += f" ({inert(part.name)})"
        return label + (" (error)" if part.is_error else "")
    if part.kind == OTHER:
        return f"Block: {inert(part.name or '?')}"
    return "Text"


ROLE_TITLES = {
    "user": "User",
    "assistant": "Assistant",
    "tool result": "Tool result",
    "meta": "Meta (injected by Claude Code)",
    "summary": "Compaction summary",
}


# -- Markdown ------------------------------------------------------------------------------------


def _fence(body: str, info: str = "") -> str:
    """A fenced block longer than any backtick run inside ``body``."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def to_markdown(document: SessionDocument) -> str:
    return "".join(markdown_pieces(document))


def markdown_pieces(document: SessionDocument) -> Iterator[str]:
    """The Markdown, a message at a time; it ends with one newline."""
    return _one_newline_at_the_end(_markdown_lines(document))


def _one_newline_at_the_end(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces`` with the newlines they end with made one, as they are written (a run of
    newlines is held until what follows it shows whether it ends the text)."""
    newlines = ""
    for piece in pieces:
        text = piece.rstrip("\n")
        if text:
            yield newlines + text
            newlines = piece[len(text) :]
        else:
            newlines += piece
    yield "\n"


def _markdown_lines(document: SessionDocument) -> Iterator[str]:
    """The Markdown's lines, each with its newline, a message's at a time."""
    lines = [
        f"# {inert(document.title)}",
        "",
        f"- Session: `{inert(document.session_id)}`",
    ]
    if document.cwd:
        lines.append(f"- Folder: `{inert(document.cwd)}`")
    lines += [f"- Messages: {len(document.messages)}", ""]
    yield "".join(line + "\n" for line in lines)
    for message in document.messages:
        role = ROLE_TITLES.get(message.role, inert(message.role).capitalize())
        lines = [
            "---",
            "",
            f"## {role} · {format_timestamp(message.timestamp)}",
            "",
            f"uuid: `{inert(message.uuid or 'none')}`",
            "",
        ]
        for part in message.parts:
            body = inert(part.body)
            if part.kind == TEXT:
                lines += [body, ""]
            elif part.kind == THINKING:
                lines += ["**Thinking:**", ""]
                lines += [f"> {line}" if line else ">" for line in body.split("\n")]
                lines.append("")
            else:
                label = part_label(part)
                if part.tool_use_id:
                    label += f" · `{inert(part.tool_use_id)}`"
                diff = document.edits.get(part.tool_use_id or "") if part.kind == TOOL_USE else None
                if diff is not None:
                    lines += [f"**{label}** — {_diff_summary(diff, inert)}", ""]
                    lines += [_fence(inert(diff.unified()), "diff"), ""]
                    continue
                info = "json" if part.kind == TOOL_USE else ""
                lines += [f"**{label}**", "", _fence(body.rstrip("\n"), info), ""]
        yield "".join(line + "\n" for line in lines)


def _diff_summary(diff: EditDiff, escape) -> str:
    """``/path/file.py`` (+8 −1, replace all)."""
    extra = f", {escape(diff.note)}" if diff.note else ""
    return f"`{escape(diff.path)}` (+{diff.added} −{diff.removed}{extra})"


# -- HTML ----------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --fg: #1d1f21; --bg: #fbfbf8; --muted: #6a6f75;
  --line: #d9d9d2; --user: #2f6f4f; --assistant: #3b4f9a; --tool: #8a5a00; --error: #a8322d;
  --code-bg: #f0efe9; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e4de; --bg: #1b1c1e; --muted: #9a9fa6;
  --line: #3a3b3e; --user: #7cc49e; --assistant: #9fb0f0; --tool: #e0b060; --error: #f08a84;
  --code-bg: #26272a; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 2rem 1.25rem 4rem; background: var(--bg);
  color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 2rem;
  color: var(--muted); font-size: .9rem; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
article { border-top: 1px solid var(--line); padding: 1rem 0 .5rem; }
article > header { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline;
  margin-bottom: .5rem; }
.role { font-weight: 650; }
.user .role { color: var(--user); } .assistant .role { color: var(--assistant); }
.tool-result .role, .meta .role, .summary .role { color: var(--tool); }
time, .uuid { color: var(--muted); font-size: .85rem; }
.uuid { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
a.uuid { text-decoration: none; } a.uuid:hover { text-decoration: underline; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 .75rem; }
pre { background: var(--code-bg); padding: .6rem .8rem; border-radius: 6px; overflow-x: auto;
  font: .85rem/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 .75rem; }
details { margin: .25rem 0 .75rem; } summary { cursor: pointer; color: var(--muted); }
.part-label { font-weight: 600; font-size: .9rem; color: var(--tool); }
.part-label code { font-weight: 400; color: var(--muted); }
.thinking summary { font-style: italic; }
img.image { display: block; max-width: 100%; max-height: 40rem; margin: .4rem 0;
  border: 1px solid var(--line); border-radius: 4px; }
.thinking pre { font-style: italic; background: transparent; border-left: 3px solid var(--line); }
.error .part-label, .error summary { color: var(--error); }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
pre.diff span { display: block; } pre.diff .hunk { color: var(--muted); }
pre.diff .add { background: rgba(46, 160, 67, .16); } pre.diff .del { background: rgba(248, 81, 73, .16); }
pre.diff .ln { color: var(--muted); font-style: normal; user-select: none; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _h(text: str) -> str:
    """Transcript text for HTML: control characters made visible, markup escaped."""
    return html.escape(inert(text), quote=True)


def _html_diff(diff: EditDiff) -> str:
    """A diff as lines in a ``pre``: hunk headers, line numbers when recorded, each line's
    ``-``/``+`` mark kept in the text (a background marks it too)."""
    width = 0
    if diff.numbered:
        numbers = [
            n
            for hunk in diff.hunks
            for line in hunk.lines
            for n in (line.old_number, line.new_number)
            if n is not None
        ]
        width = len(str(max(numbers, default=0)))
    rows = []
    for hunk in diff.hunks:
        rows.append(f'<span class="hunk">{_h(hunk.header)}</span>')
        for line in hunk.lines:
            css = {"+": "add", "-": "del"}.get(line.mark, "ctx")
            numbers = ""
            if diff.numbered:
                old = str(line.old_number) if line.old_number is not None else ""
                new = str(line.new_number) if line.new_number is not None else ""
                numbers = f'<i class="ln">{old:>{width}} {new:>{width}} </i>'
            rows.append(f'<span class="{css}">{numbers}{_h(line.mark + line.text)}</span>')
    return f'<pre class="diff">{"".join(rows)}</pre>'


def _html_part(part: Part, edits: dict[str, EditDiff]) -> str:
    diff = edits.get(part.tool_use_id or "") if part.kind == TOOL_USE else None
    if diff is not None:
        label = _h(part_label(part))
        if part.tool_use_id:
            label += f" <code>{_h(part.tool_use_id)}</code>"
        summary = _diff_summary(diff, _h).replace("`", "")
        lines = sum(len(hunk.lines) + 1 for hunk in diff.hunks)
        is_open = " open" if lines <= 30 else ""
        return (
            f'<details class="tool-use"{is_open}><summary class="part-label">{label} '
            f"{summary}</summary>{_html_diff(diff)}</details>"
        )
    body = _h(part.body)
    if part.kind == TEXT:
        return f'<div class="text">{body}</div>'
    label = _h(part_label(part))
    if part.tool_use_id:
        label += f" <code>{_h(part.tool_use_id)}</code>"
    if part.kind == THINKING:
        return (
            f'<details class="thinking" open><summary>{label}</summary><pre>{body}</pre></details>'
        )
    css = {TOOL_USE: "tool-use", TOOL_RESULT: "tool-result-part"}.get(part.kind, "other")
    if part.is_error:
        css += " error"
    lines = part.body.count("\n") + 1
    is_open = " open" if lines <= 30 else ""
    return (
        f'<details class="{css}"{is_open}><summary class="part-label">{label}'
        f"{'' if is_open else f' ({lines} lines)'}</summary><pre>{body}</pre></details>"
    )


def _html_images(part: Part) -> str:
    """The part's images as pictures in the page (``data:`` URIs: the page still loads
    nothing); one whose data is bad or of an unknown type stays a label in the part's text."""
    pictures = []
    for image in part.images:
        if image.reason:
            continue
        try:
            image.decoded()  # only base64 characters go into the attribute
        except ValueError:
            continue
        pictures.append(
            f'<img class="image" alt="{_h(image.label())}" '
            f'src="data:{image.media_type};base64,{image.data}">'
        )
    return "".join(pictures)


def to_html(document: SessionDocument, *, images: bool = True) -> str:
    """The page; ``images``: pictures of the image blocks (else their labels only)."""
    return "".join(html_pieces(document, images=images))


def html_pieces(document: SessionDocument, *, images: bool = True) -> Iterator[str]:
    """The page (:func:`to_html`), a message at a time."""
    title = _h(document.title)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{title}</h1>",
        '<dl class="meta">',
        f'<dt>Session</dt><dd class="uuid">{_h(document.session_id)}</dd>',
    ]
    if document.cwd:
        out.append(f"<dt>Folder</dt><dd>{_h(document.cwd)}</dd>")
    out += [f"<dt>Messages</dt><dd>{len(document.messages)}</dd>", "</dl>"]
    yield "".join(line + "\n" for line in out)
    for message in document.messages:
        role = ROLE_TITLES.get(message.role, message.role.capitalize())
        css = message.role.replace(" ", "-")
        uuid = _h(message.uuid or "none")
        anchor = f"m-{uuid}"
        out = [
            f'<article class="{css}" id="{anchor}">',
            f'<header><span class="role">{_h(role)}</span>'
            f'<time datetime="{_h(message.timestamp or "")}">'
            f"{_h(format_timestamp(message.timestamp))}</time>"
            f'<a class="uuid" href="#{anchor}">{uuid}</a></header>',
        ]
        for part in message.parts:
            out.append(_html_part(part, document.edits))
            if images and part.images:
                out.append(_html_images(part))
        out.append("</article>")
        yield "".join(line + "\n" for line in out)
    yield (
        "</main>\n"
        "<footer>Exported by sessionscope. This page loads nothing and runs no script.</footer>\n"
        "</body>\n"
        "</html>\n"
    )


# -- writing -------------------------------------------------------------------------------------


def is_device_or_pipe(target: Path) -> bool:
    """Whether ``target`` is there and is neither a file nor a folder (a device, a FIFO, a
    socket; a symlink is followed)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_atomically(text: str | Iterable[str], target: Path, *, force: bool = False) -> None:
    """Write ``text`` (or its pieces, each written as it comes) through a temporary file in
    the target's folder and a rename.

    An interrupted export leaves no half file; an existing file is kept unless ``force``. The
    file is readable by its owner only (mode 0600), like the transcripts it comes from.
    """
    if isinstance(text, str):
        text = (text,)
    target = Path(target)
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name")
    if is_device_or_pipe(target):
        # /dev/null, /dev/stdout, a FIFO: written into, never replaced by a file.
        try:
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.writelines(text)
        except OSError as error:
            raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
        return
    if target.exists() and not force:
        raise ExportError(f"{target} exists; use --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"no folder {folder}")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as error:
        raise ExportError(f"cannot write in {folder}: {error.strerror or error}") from error
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temporary, target)
        else:
            # A link fails if the name was taken meanwhile, where a rename would replace it.
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise ExportError(f"{target} exists; use --force to replace it") from None
            except OSError:
                if target.exists():
                    raise ExportError(f"{target} exists; use --force to replace it") from None
                os.replace(temporary, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
