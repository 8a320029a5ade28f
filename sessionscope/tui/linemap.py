"""Where each block of a virtual list starts, for blocks of different heights.

The message pane shows tens of thousands of messages of any height. Only the blocks near the view
are ever rendered; every other block keeps an *estimated* height until it is measured. This map
holds the heights and their running totals, so that "which block is on line N" is a bisection.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class LineMap:
    """Heights of ``count`` blocks, estimated until measured, and where each one starts."""

    def __init__(self, estimates: list[int]) -> None:
        self._heights: list[int] = [h if h >= 1 else 1 for h in estimates]
        self._measured = bytearray(len(self._heights))
        self._offsets: list[int] | None = None

    def __len__(self) -> int:
        return len(self._heights)

    @property
    def offsets(self) -> list[int]:
        """First line of each block, plus the total as the last item (length ``count + 1``)."""
        if self._offsets is None:
            self._offsets = [0, *accumulate(self._heights)]
        return self._offsets

    @property
    def total(self) -> int:
        """Lines of all blocks together."""
        return self.offsets[-1]

    def height(self, index: int) -> int:
        return self._heights[index]

    def is_measured(self, index: int) -> bool:
        return bool(self._measured[index])

    def start(self, index: int) -> int:
        """First line of block ``index``."""
        return self.offsets[index]

    def set_height(self, index: int, height: int) -> bool:
        """Record the measured height of a block; True if it differs from what was assumed."""
        height = max(1, height)
        self._measured[index] = 1
        if self._heights[index] == height:
            return False
        self._heights[index] = height
        self._offsets = None
        return True

    def forget(self, index: int, estimate: int) -> None:
        """Go back to an estimate (the block must be measured again, e.g. after a toggle)."""
        self._measured[index] = 0
        if self._heights[index] != estimate:
            self._heights[index] = max(1, estimate)
            self._offsets = None

    def block_at(self, line: int) -> tuple[int, int]:
        """The block on ``line`` and the line within it; clamped to the last block."""
        offsets = self.offsets
        if not self._heights:
            return (-1, 0)
        index = min(bisect_right(offsets, max(0, line)) - 1, len(self._heights) - 1)
        return index, line - offsets[index]
