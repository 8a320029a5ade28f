"""Turn one transcript entry into the lines the message pane draws.

Everything here works on plain data: a light ``Entry`` and, when needed, its parsed JSON (read on
demand by ``reader.load_entry``). Every string that comes from a transcript goes through
``transcripts.text.inert`` before it reaches a Rich ``Text`` or ``Markdown``, so escape sequences
in prompts, tool output, titles or paths are shown, never obeyed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from sessionscope.transcripts.content import (
    IMAGE,
    REDACTED_THINKING,
    TEXT,
    THINKING,
    TOOL_RESULT,
    TOOL_USE,
    block_kind,
    content_blocks,
    tool_summary,
)
from sessionscope.transcripts.images import image_source
from sessionscope.transcripts.model import Entry
from sessionscope.transcripts.text import inert

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from rich.syntax import SyntaxTheme

    from sessionscope.transcripts.edits import DiffLine, EditDiff
    from sessionscope.tui.images import Picture, Pictures

COLLAPSED_RESULT_LINES = 4
"""Lines of a tool result shown before ``enter`` expands it."""
COLLAPSED_THINKING_LINES = 2
"""Lines of thinking shown before ``enter`` expands it."""
COLLAPSED_TEXT_LINES = 60
"""Lines of a long prompt or answer shown before ``enter`` expands it."""
COLLAPSED_DIFF_LINES = 12
"""Lines of an edit's diff shown before ``enter`` expands it."""
EXPANDED_MAX_LINES = 4000
"""Source lines drawn even when expanded: beyond this, the pane says where to read the rest."""
CUT_LINE_CHARS = 250
"""Characters drawn per line a block may show, on average: a few long lines are drawn whole,
one line of megabytes (a minified file, a log without newlines) is cut where that many would
end, never wrapped whole into tens of thousands of lines."""
EXPANDED_MAX_CHARS = 250_000
"""Characters drawn even when expanded (a few thousand lines of the pane)."""
TOOL_KEY_CHARS = 1_000
"""Characters of a tool call's key input (its command, its file...) drawn on its line."""
SUBAGENT_TOOLS = frozenset({"Task", "Agent"})
"""Tool names whose ``tool_use`` starts a subagent (older CLIs say ``Task``, newer ``Agent``)."""


@dataclass(slots=True)
class Palette:
    """Rich styles for what the pane draws, taken from the widget's component classes."""

    user: Style = field(default_factory=lambda: Style(color="cyan", bold=True))
    assistant: Style = field(default_factory=lambda: Style(color="magenta", bold=True))
    tool: Style = field(default_factory=lambda: Style(color="yellow", bold=True))
    time: Style = field(default_factory=lambda: Style(dim=True))
    uuid: Style = field(default_factory=lambda: Style(color="green"))
    dim: Style = field(default_factory=lambda: Style(dim=True))
    thinking: Style = field(default_factory=lambda: Style(dim=True, italic=True))
    error: Style = field(default_factory=lambda: Style(color="red"))
    separator: Style = field(default_factory=lambda: Style(color="blue"))
    hint: Style = field(default_factory=lambda: Style(dim=True, italic=True))
    diff_add: Style = field(default_factory=lambda: Style(color="green", bold=True))
    """The ``+`` of an added line (the mark carries the meaning; colour only helps)."""
    diff_remove: Style = field(default_factory=lambda: Style(color="red", bold=True))


@dataclass(slots=True)
class Rendered:
    """The lines of one block, and what ``enter`` can do with it."""

    strips: list[Strip]
    expandable: bool = False
    """True when some of the block is hidden until ``enter``."""
    header: int = 1
    """How many of the first lines are the header (role, time, UUID): two in a narrow pane."""
    waiting: frozenset[str] = frozenset()
    """Images of the block still being decoded (their labels stand in): drawn again once
    they are."""


@dataclass(slots=True)
class ImagePiece:
    """An image block's place in a message: its label, and its picture under it once drawn."""

    label: Text
    picture: Picture | None = None
    waiting: str | None = None
    """The image's key while its picture is being made."""


def local_time(timestamp: str | None, tz: tzinfo | None) -> str:
    """``01 Jun 14:03:22`` in the viewer's time zone; ``?`` when missing or unreadable."""
    if not timestamp:
        return "?"
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return inert(timestamp)[:24]
    if moment.tzinfo is None:
        return moment.strftime("%d %b %H:%M:%S")
    return moment.astimezone(tz).strftime("%d %b %H:%M:%S")


def subagent_tool_use(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Task/Agent ``tool_use`` block of an entry, if it has one."""
    for block in content_blocks(data):
        if block.get("type") == "tool_use" and block.get("name") in SUBAGENT_TOOLS:
            return block
    return None


def role_label(entry: Entry, data: dict[str, Any] | None) -> tuple[str, str]:
    """(label, palette attribute) for a block's header."""
    blocks = entry.role_blocks
    if entry.type == "user":
        if blocks and all(kind == "tool_result" for kind in blocks):
            return ("tool result", "tool")
        if entry.is_compact_summary:
            return ("user · summary", "user")
        if entry.is_meta:
            return ("user · meta", "user")
        return ("user", "user")
    if entry.type == "assistant":
        return ("assistant", "assistant")
    return (inert(entry.type or "entry"), "dim")


@lru_cache(maxsize=256)
def _lexer_for(path: str) -> str:
    """The syntax of a file, by its name (``text`` when unknown)."""
    from rich.syntax import Syntax  # with pygments: imported when a diff is first drawn

    try:
        return Syntax.guess_lexer(path) if path else "text"
    except Exception:  # a name pygments trips over is shown uncoloured
        return "text"


@lru_cache(maxsize=64)
def _highlighter_for(lexer_name: str) -> tuple[Lexer, SyntaxTheme] | None:
    """A pygments lexer for one syntax and the colours of its tokens, made once (finding a
    lexer by name is slow)."""
    if lexer_name == "text":
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound
    from rich.syntax import Syntax

    try:
        lexer = get_lexer_by_name(lexer_name, stripnl=False, ensurenl=True, tabsize=8)
    except ClassNotFound:
        return None
    return lexer, Syntax.get_theme(DIFF_THEME)


Run = tuple[str, Style]
"""Some text of a line and its style."""
_NO_STYLE = Style.null()


def _highlight(path: str, lines: list[str]) -> list[list[Run]]:
    """``lines`` of the file ``path`` with syntax colours, as runs of one style, one list a
    line: one pass of the lexer over them all, so a line inside a string or comment keeps its
    colour; what Rich's ``Syntax.highlight`` makes of them, without a ``Text`` to split."""
    highlighter = _highlighter_for(_lexer_for(path))
    if highlighter is None or not lines:
        return [[(line, _NO_STYLE)] for line in lines]
    lexer, theme = highlighter
    style_for = theme.get_style_for_token
    tokens = [
        (text, style_for(kind) or _NO_STYLE) for kind, text in lexer.get_tokens("\n".join(lines))
    ]
    # As Syntax.highlight's text, right-stripped: no whitespace after the last visible character.
    keep = len("".join(text for text, _ in tokens).rstrip())
    out: list[list[Run]] = [[]]
    for text, style in tokens:
        if keep <= 0:
            break
        text = text[:keep]
        keep -= len(text)
        first, *rest = text.split("\n")
        if first:
            out[-1].append((first, style))
        for piece in rest:
            out.append([(piece, style)] if piece else [])
    return out + [[] for _ in range(len(lines) - len(out))]


DIFF_THEME = "ansi_dark"
"""Syntax colours from the terminal's own palette: right in 16 colours and over SSH."""


def _usage_of(data: dict[str, Any] | None) -> dict[str, Any] | None:
    from sessionscope.transcripts.usage import SYNTHETIC_MODEL

    message = data.get("message") if isinstance(data, dict) else None
    usage = message.get("usage") if isinstance(message, dict) else None
    if not isinstance(usage, dict) or message.get("model") == SYNTHETIC_MODEL:
        return None
    return usage


class BlockRenderer:
    """Renders blocks to strips with one console, palette and time zone."""

    def __init__(
        self,
        console: Console,
        palette: Palette,
        tz: tzinfo | None,
        pictures: Pictures | None = None,
    ) -> None:
        self.console = console
        self.palette = palette
        self.tz = tz
        self.pictures = pictures
        """Where images are drawn; ``None``: their labels only."""

    # -- lines --------------------------------------------------------------------------------

    def lines(self, renderable: RenderableType, width: int) -> list[Strip]:
        if (
            isinstance(renderable, Text)
            and renderable.justify in (None, "default")
            and "\n" not in renderable.plain
            and "\t" not in renderable.plain
            and 0 < len(renderable) <= width
            and renderable.cell_len <= width
        ):
            # One line that fits: what render_lines makes of it (its style kept as a span, as
            # Text's own drawing does) in a tenth of the time, without wrapping, cutting and
            # padding; most lines of a block are like this. Rich measures a line's length in
            # characters to wrap it and its pieces' cells to cut it: both must fit.
            line = list(Text("\n").join([renderable]).render(self.console))
            if renderable.plain.isascii() or sum(piece.cell_length for piece in line) <= width:
                return [Strip(Segment.simplify(line))]
        options: ConsoleOptions = self.console.options.update(
            width=max(1, width), min_width=max(1, width), height=None, highlight=False
        )
        rows = self.console.render_lines(renderable, options, pad=False, new_lines=False)
        return [Strip(Segment.simplify(row)).simplify() for row in rows]

    def header(
        self, left: Text, uuid: str | None, width: int, style: Style, extra: Text | None = None
    ) -> list[Strip]:
        """One line (label, time, ``extra``, UUID on the right); ``extra`` goes on a line of its
        own when that does not fit, and the UUID too when the pane is narrow."""
        uuid_text = Text(inert(uuid), style=self.palette.uuid) if uuid else Text("")
        left.stylize(style)
        after: list[Strip] = []
        if extra is not None and extra.cell_len:
            joined = Text.assemble(left, "  ", extra)
            if joined.cell_len + 2 + uuid_text.cell_len <= width:
                left = joined
            else:
                extra.no_wrap, extra.overflow = True, "ellipsis"
                after = self.lines(extra, width)
        if uuid_text.cell_len and left.cell_len + 2 + uuid_text.cell_len > width:
            return self.lines(left, width) + self.lines(uuid_text, width) + after
        gap = max(1, width - left.cell_len - uuid_text.cell_len)
        line = Text.assemble(left, " " * gap, uuid_text)
        return self.lines(line, width) + after

    # -- pieces -------------------------------------------------------------------------------

    def _cut(self, text: str, limit: int | None) -> tuple[str, str]:
        """The first ``limit`` lines of ``text`` (or the expanded cap), at most
        :data:`CUT_LINE_CHARS` characters a line and :data:`EXPANDED_MAX_CHARS` in all, and
        what was left out (``"8 more lines"``, ``""`` for nothing)."""
        cap = EXPANDED_MAX_LINES if limit is None else limit
        most = min(cap * CUT_LINE_CHARS, EXPANDED_MAX_CHARS)
        total = text.count("\n") + 1
        if total <= cap and len(text) <= most:
            return text, ""
        # Keep only what can be shown: never wrap megabytes to draw four lines.
        kept = "\n".join(text.split("\n", cap)[:cap])
        if len(kept) > most:
            return kept[:most], f"{len(text) - most:,} more characters"
        return kept, f"{total - cap} more lines"

    def _more(self, hidden: str, expanded: bool) -> Text:
        if expanded:
            return Text(
                f"… {hidden} not drawn here (sessionscope show --json has them all)",
                style=self.palette.hint,
            )
        return Text(f"… {hidden} · enter expands", style=self.palette.hint)

    def _plain(self, text: str, style: Style | None, limit: int | None, expanded: bool):
        shown, hidden = self._cut(text, None if expanded else limit)
        shown = inert(shown)
        pieces: list[RenderableType] = [Text(shown, style=style or Style())]
        if hidden:
            pieces.append(self._more(hidden, expanded))
        return pieces, bool(hidden) and not expanded

    def _markdown(self, text: str, limit: int | None, expanded: bool):
        # Imported on first use: rich.markdown brings markdown-it and pygments, which would
        # delay the first paint of the session list by a tenth of a second.
        from rich.markdown import Markdown

        shown, hidden = self._cut(text, None if expanded else limit)
        shown = inert(shown)
        pieces: list[RenderableType] = [Markdown(shown, hyperlinks=False, code_theme="ansi_dark")]
        if hidden:
            pieces.append(self._more(hidden, expanded))
        return pieces, bool(hidden) and not expanded

    def _tool_result_text(self, block: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """A tool result's text, and its image blocks."""
        content = block.get("content")
        images: list[dict[str, Any]] = []
        if isinstance(content, str):
            return content, images
        texts: list[str] = []
        if isinstance(content, list):
            for part in content:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "text" and isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif block_kind(part) == IMAGE:
                    images.append(part)
                else:
                    texts.append(f"[{inert(str(part.get('type', 'part')))}]")
        return "\n".join(texts), images

    def _image(self, entry: Entry, block: dict[str, Any], ordinal: int, width: int) -> ImagePiece:
        """An image block: its picture when one can be drawn, else its label (with the reason
        it cannot be drawn, when known)."""
        source = image_source(block)
        pictures = self.pictures
        found = None
        key = ""
        if pictures is not None:
            key = f"{entry.uuid}/{ordinal}" if entry.uuid else f"{entry.offset}/{ordinal}"
            found = pictures.picture(key, source, width, self.console)
        if isinstance(found, str):
            source = replace(source, reason=found)
        label = Text(inert(source.label(), keep_newlines=False), style=self.palette.dim)
        if found is None or isinstance(found, str):
            return ImagePiece(label, waiting=key if found is None and key else None)
        return ImagePiece(label, picture=found)

    def body(
        self,
        entry: Entry,
        data: dict[str, Any] | None,
        expanded: bool,
        edits: dict[str, EditDiff] | None = None,
        width: int = 80,
    ):
        """Renderables for a user/assistant entry's content (an :class:`ImagePiece` for each
        image, the lines of each diff drawn already), and whether anything is hidden.
        ``edits``: the diffs of the entry's edit tool calls, by tool use id; ``width``: the
        pane's, for pictures and diffs."""
        palette = self.palette
        pieces: list[RenderableType | ImagePiece | list[Strip]] = []
        images = 0
        hidden_any = False
        blocks = content_blocks(data)
        if data is None:
            pieces.append(Text("(this entry could not be read again)", style=palette.error))
        elif not blocks:
            pieces.append(Text("(no content)", style=palette.dim))
        for block in blocks:
            kind = block_kind(block)
            if kind == TEXT and isinstance(block.get("text"), str):
                if entry.type == "assistant":
                    more, hidden = self._markdown(block["text"], COLLAPSED_TEXT_LINES, expanded)
                else:
                    style = palette.dim if entry.is_meta else None
                    more, hidden = self._plain(block["text"], style, COLLAPSED_TEXT_LINES, expanded)
                pieces += more
                hidden_any |= hidden
            elif kind == THINKING:
                thought = block.get("thinking") if isinstance(block.get("thinking"), str) else ""
                lines = thought.count("\n") + 1
                pieces.append(Text(f"∴ thinking · {lines} lines", style=palette.thinking))
                more, hidden = self._plain(
                    thought, palette.thinking, COLLAPSED_THINKING_LINES, expanded
                )
                pieces += more
                hidden_any |= hidden
            elif kind == REDACTED_THINKING:
                pieces.append(Text("∴ thinking (redacted)", style=palette.thinking))
            elif kind == TOOL_USE:
                name = str(block.get("name", "?"))
                key = tool_summary(name, block.get("input"))
                if len(key) > TOOL_KEY_CHARS:
                    key = key[:TOOL_KEY_CHARS] + "…"
                line = Text.assemble(("⚙ ", palette.tool), (inert(name), palette.tool))
                if key:
                    line.append("  ")
                    line.append(inert(key))
                if name in SUBAGENT_TOOLS:
                    line.append("  · enter opens the subagent", style=palette.hint)
                diff = edits.get(block.get("id")) if edits else None
                if diff is not None:
                    line.append(f"  +{diff.added} −{diff.removed}", style=palette.dim)
                    if diff.note:
                        line.append(f" · {inert(diff.note)}", style=palette.dim)
                    pieces.append(line)
                    more, hidden = self._diff(diff, expanded, width)
                    pieces += more
                    hidden_any |= hidden
                    continue
                pieces.append(line)
                if expanded:
                    dumped = orjson.dumps(block.get("input"), option=orjson.OPT_INDENT_2).decode()
                    more, _ = self._plain(dumped, palette.dim, None, True)
                    pieces += [Padding(piece, (0, 0, 0, 2)) for piece in more]
                elif isinstance(block.get("input"), dict) and block["input"]:
                    hidden_any = True
            elif kind == TOOL_RESULT:
                text, result_images = self._tool_result_text(block)
                is_error = bool(block.get("is_error"))
                total = text.count("\n") + 1 if text else 0
                label = "✗ error" if is_error else "↳ result"
                pieces.append(
                    Text(
                        f"{label} · {total} lines",
                        style=palette.error if is_error else palette.tool,
                    )
                )
                more, hidden = self._plain(
                    text, palette.error if is_error else None, COLLAPSED_RESULT_LINES, expanded
                )
                if text:
                    pieces += more
                hidden_any |= hidden
                for image in result_images:
                    pieces.append(self._image(entry, image, images, width))
                    images += 1
            elif kind == IMAGE:
                pieces.append(self._image(entry, block, images, width))
                images += 1
            elif block.get("type") == "document":
                pieces.append(Text("[document]", style=palette.dim))
            else:
                pieces.append(Text(f"[{inert(str(block.get('type')))} block]", style=palette.dim))
        return pieces, hidden_any

    def _diff(
        self, diff: EditDiff, expanded: bool, width: int
    ) -> tuple[list[RenderableType | list[Strip]], bool]:
        """An edit as a unified diff: hunk headers, then each line with its numbers (when
        recorded), its ``-``/``+`` mark and its code coloured by the file's type; folded to
        :data:`COLLAPSED_DIFF_LINES` unless ``expanded``. Its lines are drawn here, each cut
        (never wrapped) to ``width``: many short runs of colour, where a ``Text`` would cost
        more than the lexer."""
        palette = self.palette
        listed: list[tuple[str, DiffLine | None]] = []
        for hunk in diff.hunks:
            if len(diff.hunks) > 1 or hunk.header.startswith("@@"):
                listed.append((hunk.header, None))
            listed += [("", line) for line in hunk.lines]
        limit = EXPANDED_MAX_LINES if expanded else COLLAPSED_DIFF_LINES
        shown, hidden = listed[:limit], max(0, len(listed) - limit)
        code = [inert(line.text, keep_newlines=False) for _, line in shown if line is not None]
        highlighted = iter(_highlight(diff.path, code))
        number_width = 0
        if diff.numbered:
            numbers = [
                n
                for _, line in shown
                if line is not None
                for n in (line.old_number, line.new_number)
                if n is not None
            ]
            number_width = len(str(max(numbers, default=0)))
        marks = {"+": palette.diff_add, "-": palette.diff_remove}
        drawn: list[Strip] = []
        for header, line in shown:
            if line is None:
                row = [(inert(header, keep_newlines=False), palette.separator)]
            else:
                row = []
                if diff.numbered:
                    old = str(line.old_number) if line.old_number is not None else ""
                    new = str(line.new_number) if line.new_number is not None else ""
                    row.append((f"{old:>{number_width}} {new:>{number_width}} ", palette.dim))
                row.append((line.mark, marks.get(line.mark) or palette.dim))
                row.append((" ", _NO_STYLE))
                row += next(highlighted)
            drawn.append(self._cut_line(row, width))
        pieces: list[RenderableType | list[Strip]] = [drawn] if drawn else []
        if hidden:
            pieces.append(self._more(f"{hidden} more lines", expanded))
        elif not diff.hunks or not any(hunk.lines for hunk in diff.hunks):
            pieces.append(Text("(no lines)", style=palette.dim))
        return pieces, bool(hidden)

    def _cut_line(self, row: list[Run], width: int) -> Strip:
        """One line of runs drawn as Rich draws a ``Text`` that is cut, not wrapped
        (``no_wrap``, ``overflow="ellipsis"``): tabs expanded to every 8th cell; a line wider
        than ``width`` cut to ``width - 1`` cells and ``…``, which keeps the style of the
        character it stands on."""
        plain = "".join([text for text, _ in row])
        if "\t" in plain:
            line = Text.assemble(*row)
            line.expand_tabs(8)
            row = [(text, style or _NO_STYLE) for text, style, _ in line.render(self.console)]
            plain = line.plain
        if cell_len(plain) > width:
            kept = set_cell_size(plain, width - 1) + "…"
            cut: list[Run] = []
            position = 0
            for text, style in row:
                if position >= len(kept):
                    break
                cut.append((kept[position : position + len(text)], style))
                position += len(text)
            row = cut
        segments = [Segment(text, style) for text, style in row if text]
        if not plain.isascii() and sum(segment.cell_length for segment in segments) > width:
            # Where a character's cells differ run by run (emoji sequences), Rich cuts again.
            segments = Segment.adjust_line_length(segments, width, pad=False)
        return Strip(Segment.simplify(segments))

    # -- blocks -------------------------------------------------------------------------------

    def message(
        self,
        entry: Entry,
        data: dict[str, Any] | None,
        width: int,
        expanded: bool,
        ends_response: bool = False,
        edits: dict[str, EditDiff] | None = None,
    ):
        """A message block; ``ends_response``: the last entry of its API response, whose
        header shows the response's tokens (the CLI repeats them, growing, on every entry);
        ``edits``: its edit calls' diffs, by tool use id."""
        label, attribute = role_label(entry, data)
        left = Text.assemble(
            (label, getattr(self.palette, attribute)),
            "  ",
            (local_time(entry.timestamp, self.tz), self.palette.time),
        )
        usage = _usage_of(data) if ends_response else None
        tokens = None
        if usage is not None:
            from sessionscope.transcripts.usage import usage_line

            tokens = Text(usage_line(usage), style=self.palette.time)
        strips = self.header(left, entry.uuid, width, Style(), tokens)
        header = _header_lines(strips, entry.uuid)
        pieces, hidden = self.body(entry, data, expanded, edits, width)
        waiting: set[str] = set()
        for piece in pieces:
            if isinstance(piece, list):  # lines drawn already (a diff's)
                strips += piece
                continue
            if not isinstance(piece, ImagePiece):
                strips += self.lines(piece, width)
                continue
            strips += self.lines(piece.label, width)
            if piece.picture is not None:
                strips += piece.picture.strips
            elif piece.waiting:
                waiting.add(piece.waiting)
        strips.append(Strip.blank(0))
        expandable = hidden or subagent_tool_use(data) is not None
        return Rendered(strips, expandable=expandable, header=header, waiting=frozenset(waiting))

    def separator(self, entry: Entry, data: dict[str, Any] | None, width: int, expanded: bool):
        """A compaction boundary or a system note, drawn as a rule with its time and UUID."""
        palette = self.palette
        if entry.subtype == "compact_boundary":
            title = "context compacted"
            meta = data.get("compactMetadata") if isinstance(data, dict) else None
            if isinstance(meta, dict) and isinstance(meta.get("preTokens"), int):
                title += f" · {meta['preTokens']:,} tokens before"
        else:
            title = f"system · {inert(entry.subtype or 'note')}"
        left = Text.assemble(
            ("── ", palette.separator),
            (title, palette.separator),
            "  ",
            (local_time(entry.timestamp, self.tz), palette.time),
        )
        strips = self.header(left, entry.uuid, width, Style())
        header = _header_lines(strips, entry.uuid)
        content = data.get("content") if isinstance(data, dict) else None
        hidden = False
        if isinstance(content, str) and content.strip():
            more, hidden = self._plain(content, palette.dim, 1, expanded)
            for piece in more:
                strips += self.lines(piece, width)
        strips.append(Strip.blank(0))
        return Rendered(strips, expandable=hidden, header=header)

    def raw_row(
        self,
        entry: Entry,
        data: dict[str, Any] | None,
        raw: bytes | None,
        width: int,
        expanded: bool,
    ):
        """One line per file line: number, type and UUID; ``enter`` shows the JSON (or the bytes)."""
        palette = self.palette
        number = Text(f"{entry.line_no:>6} ", style=palette.dim)
        if entry.is_bad:
            line = Text.assemble(
                number, ("bad line  ", palette.error), (inert(entry.error), palette.dim)
            )
        else:
            kind = inert(entry.type or "(no type)")
            if entry.subtype:
                kind += f"/{inert(entry.subtype)}"
            line = Text.assemble(
                number,
                (f"{kind:<18} ", palette.tool if entry.is_sidechain else palette.assistant),
                (inert(entry.uuid) if entry.uuid else "—", palette.uuid),
            )
            if entry.is_sidechain:
                line.append("  sidechain", style=palette.dim)
        line.no_wrap = True
        line.overflow = "ellipsis"
        strips = self.lines(line, width)
        if expanded:
            if entry.is_bad or data is None:
                body = (raw or b"").decode("utf-8", errors="backslashreplace")
            else:
                body = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
            more, _ = self._plain(body, palette.dim, None, True)
            for piece in more:
                strips += self.lines(Padding(piece, (0, 0, 0, 7)), max(1, width))
        return Rendered(strips, expandable=True)


def _header_lines(strips: list[Strip], uuid: str | None) -> int:
    """How many of a block's first lines make its header: through the line with the UUID (a
    line of tokens may follow it in a narrow pane; it is not pinned)."""
    if uuid:
        for number, strip in enumerate(strips):
            if uuid in strip.text:
                return number + 1
    return 1
