"""File edits as unified diffs: what an ``Edit``, ``MultiEdit``, ``Write`` or ``NotebookEdit``
call changed. Pure: no Textual, no SDK; the message pane and the exports draw these.

Where the tool's result recorded the patch it applied (``toolUseResult.structuredPatch``: hunks
with their line numbers), that is the diff, numbered. Otherwise the diff is worked out from the
call's input: an edit's old and new strings (no line numbers: the transcript does not say where
in the file they were), a new file's content (numbered from 1 when the result says it was
created), a notebook cell's new source.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit"})
"""Tools whose calls are drawn as diffs."""

MAX_DIFF_LINES = 20_000
"""Lines of one diff kept (a generated file written whole can be enormous)."""


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a diff."""

    mark: str
    """``-`` removed, ``+`` added, `` `` (a space) unchanged context."""
    text: str
    old_number: int | None = None
    """Its line number in the file before (removed and context lines), when recorded."""
    new_number: int | None = None
    """Its line number in the file after (added and context lines), when recorded."""


@dataclass(frozen=True, slots=True)
class Hunk:
    """A run of diff lines under one header."""

    header: str
    """``@@ -13,4 +13,5 @@`` for a recorded patch, ``edit 2 of 3`` for a MultiEdit's edit."""
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True, slots=True)
class EditDiff:
    """One edit tool call as a diff of the file it changed."""

    path: str
    hunks: tuple[Hunk, ...]
    numbered: bool
    """Line numbers are known (from the recorded patch, or a file created whole)."""
    note: str = ""
    """What else to say: ``new file``, ``replace all``, ``cell 3 (insert)``..."""

    @property
    def added(self) -> int:
        return sum(1 for hunk in self.hunks for line in hunk.lines if line.mark == "+")

    @property
    def removed(self) -> int:
        return sum(1 for hunk in self.hunks for line in hunk.lines if line.mark == "-")

    def unified(self) -> str:
        """The diff as ``diff -u`` prints it (``---``/``+++`` file names, ``@@`` hunks)."""
        out = [f"--- {self.path}", f"+++ {self.path}"]
        for hunk in self.hunks:
            out.append(hunk.header if hunk.header.startswith("@@") else f"@@ {hunk.header} @@")
            out += [line.mark + line.text for line in hunk.lines]
        return "\n".join(out)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    """Lines of ``text`` without their ends (a last newline ends a line, starts none)."""
    if not text:
        return []
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def _patch_hunks(patch: list[Any]) -> tuple[Hunk, ...] | None:
    """``structuredPatch`` as hunks with numbers; ``None`` when it is not in the usual shape."""
    hunks: list[Hunk] = []
    kept = 0
    for raw in patch:
        if not isinstance(raw, dict) or not isinstance(raw.get("lines"), list):
            return None
        old_at, new_at = raw.get("oldStart"), raw.get("newStart")
        if not isinstance(old_at, int) or not isinstance(new_at, int):
            return None
        old_count, new_count = raw.get("oldLines"), raw.get("newLines")
        lines: list[DiffLine] = []
        for item in raw["lines"]:
            if not isinstance(item, str) or item.startswith("\\") or kept >= MAX_DIFF_LINES:
                continue  # "\ No newline at end of file" is about the line before
            mark, text = (item[0], item[1:]) if item and item[0] in "-+ " else (" ", item)
            if mark == "-":
                lines.append(DiffLine("-", text, old_number=old_at))
                old_at += 1
            elif mark == "+":
                lines.append(DiffLine("+", text, new_number=new_at))
                new_at += 1
            else:
                lines.append(DiffLine(" ", text, old_number=old_at, new_number=new_at))
                old_at += 1
                new_at += 1
            kept += 1
        header = f"@@ -{raw['oldStart']},{old_count} +{raw['newStart']},{new_count} @@"
        hunks.append(Hunk(header, tuple(lines)))
    return tuple(hunks)


def _string_diff(old: str, new: str) -> tuple[DiffLine, ...]:
    """``old`` → ``new`` line by line: unchanged lines kept as context, the rest marked."""
    before, after = _lines(old), _lines(new)
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine(" ", text) for text in before[i1:i2]]
            continue
        lines += [DiffLine("-", text) for text in before[i1:i2]]
        lines += [DiffLine("+", text) for text in after[j1:j2]]
    return tuple(lines[:MAX_DIFF_LINES])


def _added(text: str, numbered: bool) -> tuple[DiffLine, ...]:
    return tuple(
        DiffLine("+", line, new_number=number if numbered else None)
        for number, line in enumerate(_lines(text)[:MAX_DIFF_LINES], 1)
    )


def edit_diff(name: str, tool_input: Any, tool_result: Any = None) -> EditDiff | None:
    """The diff of one edit tool call (``tool_result``: the ``toolUseResult`` of its result,
    when there is one); ``None`` for another tool or an input that is not an edit's."""
    if name not in EDIT_TOOLS or not isinstance(tool_input, dict):
        return None
    path = _text(tool_input.get("file_path")) or _text(tool_input.get("notebook_path"))
    result = tool_result if isinstance(tool_result, dict) else {}
    patch = result.get("structuredPatch")
    created = result.get("type") == "create"
    if name != "NotebookEdit" and isinstance(patch, list) and patch:
        hunks = _patch_hunks(patch)
        if hunks is not None:
            note = "replace all" if tool_input.get("replace_all") else ""
            return EditDiff(path, hunks, numbered=True, note=note)
    if name == "Edit":
        lines = _string_diff(
            _text(tool_input.get("old_string")), _text(tool_input.get("new_string"))
        )
        note = "replace all" if tool_input.get("replace_all") else ""
        return EditDiff(path, (Hunk("edit", lines),), numbered=False, note=note)
    if name == "MultiEdit":
        edits = [e for e in tool_input.get("edits") or [] if isinstance(e, dict)]
        hunks = tuple(
            Hunk(
                f"edit {number} of {len(edits)}",
                _string_diff(_text(edit.get("old_string")), _text(edit.get("new_string"))),
            )
            for number, edit in enumerate(edits, 1)
        )
        return EditDiff(path, hunks, numbered=False)
    if name == "Write":
        content = _text(tool_input.get("content"))
        return EditDiff(
            path,
            (Hunk("new file" if created else "whole file", _added(content, created)),),
            numbered=created,
            note="new file" if created else "whole file written",
        )
    mode = _text(tool_input.get("edit_mode")) or "replace"
    cell = _text(tool_input.get("cell_id")) or "?"
    if mode == "delete":
        return EditDiff(
            path, (Hunk(f"cell {cell}", ()),), numbered=False, note=f"cell {cell} deleted"
        )
    source = _text(tool_input.get("new_source"))
    return EditDiff(
        path,
        (Hunk(f"cell {cell}", _added(source, False)),),
        numbered=False,
        note=f"cell {cell} ({mode})",
    )
