"""Pictures of image blocks in the message pane.

Three ways to draw an image (``--images`` / ``SESSIONSCOPE_IMAGES``):

- ``kitty``: the Kitty graphics protocol with Unicode placeholders (Kitty, Ghostty), through
  textual-image: the picture itself, in cells the pane scrolls like text;
- ``halfblock``: ``▀`` cells, the upper pixel in the foreground colour and the lower one in the
  background: any colour terminal;
- ``off``: the labelled placeholder (``[image: image/png, 120 KB]``), also under ``NO_COLOR``.

``auto`` is ``kitty`` in a terminal that says it is Kitty or Ghostty and is not behind tmux or
screen (which do not pass the protocol on), else ``halfblock``. It is told by the environment,
not by asking the terminal: textual-image asks the terminal as it is imported (two queries, one
of which waits 0.1 s for an answer most terminals never send), which would delay every start
and must happen before Textual reads the keyboard. So half blocks are drawn here, with Pillow,
and textual-image is imported only for ``kitty``, before the app starts (:func:`prepare`).
Sixel and iTerm2 pictures are drawn over the text, outside any cell: a pane that scrolls line
by line cannot hold them.

Scrolling never waits for an image: each one is decoded and drawn once, in a worker, while its
label stands in; its lines are kept per (image, width), so drawing it again is a copy.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from sessionscope.transcripts.images import ImageSource, chosen_mode

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from rich.console import Console

HALF_BLOCK = "▀"
"""The cell of half-block pictures: its upper half in the foreground colour."""
MAX_PIXELS = 40_000_000
"""Images larger than this (a 8000×5000 screenshot) are not decoded: the label says why."""
MAX_ROWS = 16
"""Rows an image takes at most; narrower than the pane when that keeps its shape."""
MAX_COLUMNS = 80
"""Columns an image takes at most, whatever the pane's width."""
CELL_ASPECT = 2.0
"""A cell's height over its width, on most terminal fonts."""
KITTY_CELL_PIXELS = 10
"""Pixels a cell is wide when decoding for the Kitty protocol (the terminal scales the rest)."""
DECODED_KEPT = 48
"""Decoded images kept; beyond this the least recently drawn are decoded again when needed."""
LINES_KEPT = 256
"""Drawn pictures kept, by (image, width)."""


def resolve_mode(choice: str | None, environ: Mapping[str, str]) -> str:
    """``kitty``, ``halfblock`` or ``off``, from ``--images`` (``choice``) or else
    ``SESSIONSCOPE_IMAGES``; under ``NO_COLOR`` always ``off`` (a picture is colour and nothing
    else)."""
    chosen = chosen_mode(choice, environ)
    if environ.get("NO_COLOR"):
        return "off"
    if chosen == "auto":
        return "kitty" if draws_kitty_images(environ) else "halfblock"
    return chosen


def draws_kitty_images(environ: Mapping[str, str]) -> bool:
    """Whether the terminal says it is one that draws Kitty images in cells (Kitty, Ghostty),
    with no multiplexer in between."""
    if environ.get("TMUX") or environ.get("STY"):
        return False
    term = environ.get("TERM", "")
    return (
        term in ("xterm-kitty", "xterm-ghostty")
        or bool(environ.get("KITTY_WINDOW_ID"))
        or environ.get("TERM_PROGRAM") == "ghostty"
    )


def prepare(mode: str) -> None:
    """Before the app starts, for ``kitty``: textual-image asks the terminal its cell size in
    pixels as its widget module is imported, while the keyboard is not yet Textual's."""
    if mode == "kitty":
        import textual_image.widget  # noqa: F401


class ImageDecoded(Message, bubble=False):
    """An image was decoded (or found bad): the blocks that show it are drawn again."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


@dataclass(frozen=True, slots=True)
class Picture:
    """An image's lines, ready to be copied into a block's."""

    strips: list[Strip]


@dataclass(slots=True)
class _Decoded:
    """What decoding an image gave: the image, scaled down, or why it cannot be shown."""

    image: PILImage | None
    """Scaled down to what the pane can show; ``None`` when it cannot be shown."""
    size: tuple[int, int] = (0, 0)
    """The image's own size in pixels (its shape on screen)."""
    reason: str = ""


def _decode(source: ImageSource, mode: str) -> _Decoded:
    """The image scaled down for ``mode`` (at most what :data:`MAX_COLUMNS` × :data:`MAX_ROWS`
    cells can show), or why it cannot be shown."""
    from PIL import Image, UnidentifiedImageError

    try:
        raw = source.decoded()
    except ValueError as error:
        return _Decoded(None, reason=str(error))
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                return _Decoded(None, reason=f"cannot be shown: too large ({width}×{height})")
            per_cell = KITTY_CELL_PIXELS if mode == "kitty" else 1
            box = (MAX_COLUMNS * per_cell, round(MAX_ROWS * CELL_ASPECT * per_cell))
            opened.draft("RGB", box)  # JPEG: decode at a fraction of the size
            opened.thumbnail(box, reducing_gap=2.0)
            image = opened.convert("RGB")
    except UnidentifiedImageError:
        return _Decoded(None, reason=f"cannot be shown: not a readable {source.media_type} image")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        return _Decoded(None, reason=f"cannot be shown: {error}")
    return _Decoded(image, (width, height))


def cells_for(image_size: tuple[int, int], width: int) -> tuple[int, int]:
    """(columns, rows) an image of ``image_size`` pixels takes in a pane ``width`` wide: as
    wide as fits, its shape kept, at most :data:`MAX_ROWS` rows."""
    pixels_wide, pixels_high = image_size
    columns = max(1, min(width, MAX_COLUMNS, pixels_wide))
    rows = max(1, round(columns * pixels_high / pixels_wide / CELL_ASPECT))
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        columns = max(1, min(columns, round(rows * CELL_ASPECT * pixels_wide / pixels_high)))
    return columns, rows


class ImageStore:
    """Decoded images and their drawn lines, for every pane of the app.

    ``start_worker`` runs a function in a thread worker (the app's ``run_worker``): one worker
    at a time decodes and draws what was asked for, the newest request first, and tells the
    pane that asked with ``ready(key)``. Drawing is done there too: a frame only copies lines.
    """

    def __init__(self, mode: str, start_worker: Callable[[Callable[[], None]], object]) -> None:
        self.mode = mode
        self._start_worker = start_worker
        self._lock = threading.Lock()
        self._decoded: OrderedDict[str, _Decoded] = OrderedDict()
        self._lines: OrderedDict[tuple[str, int], Picture] = OrderedDict()
        self._queue: deque[tuple[str, int, ImageSource]] = deque()
        self._waiting: dict[tuple[str, int], list[Callable[[str], None]]] = {}
        self._decoding = False

    def picture(
        self,
        key: str,
        source: ImageSource,
        width: int,
        console: Console,
        ready: Callable[[str], None],
    ) -> Picture | str | None:
        """The image's lines at ``width``; the reason it cannot be shown; or ``None`` while it
        is decoded and drawn (``ready(key)`` is called, from the worker, once it is)."""
        if source.reason:
            return source.reason
        with self._lock:
            picture = self._lines.get((key, width))
            if picture is not None:
                self._lines.move_to_end((key, width))
                return picture
            decoded = self._decoded.get(key)
            if decoded is not None and decoded.image is None:
                return decoded.reason
            waiting = self._waiting.get((key, width))
            if waiting is not None:
                if ready not in waiting:
                    waiting.append(ready)
                return None
            self._waiting[(key, width)] = [ready]
            self._queue.appendleft((key, width, source))
            start = not self._decoding
            self._decoding = True
        if start:
            self._start_worker(lambda: self._work(console))
        return None

    def _work(self, console: Console) -> None:
        """The worker: decode and draw every image asked for, until none is left."""
        while True:
            with self._lock:
                if not self._queue:
                    self._decoding = False
                    return
                key, width, source = self._queue.popleft()
                decoded = self._decoded.get(key)
            if decoded is None:
                decoded = _decode(source, self.mode)
            picture = None
            if decoded.image is not None:
                picture = Picture(self._draw(decoded.image, decoded.size, width, console))
            with self._lock:
                self._decoded[key] = decoded
                self._decoded.move_to_end(key)
                while len(self._decoded) > DECODED_KEPT:
                    self._decoded.popitem(last=False)
                if picture is not None:
                    self._lines[(key, width)] = picture
                    while len(self._lines) > LINES_KEPT:
                        self._lines.popitem(last=False)
                waiting = self._waiting.pop((key, width), [])
            for ready in waiting:
                ready(key)

    def _draw(
        self, image: PILImage, size: tuple[int, int], width: int, console: Console
    ) -> list[Strip]:
        columns, rows = cells_for(size, width)
        if self.mode != "kitty":
            return half_blocks(image, columns, rows)
        from textual_image.renderable.tgp import Image as KittyImage

        options = console.options.update(width=columns, height=rows, highlight=False)
        segments = console.render(KittyImage(image, columns, rows), options)
        lines = Segment.split_lines(segments)
        return [Strip(Segment.simplify(line)).simplify() for line in lines]


def half_blocks(image: PILImage, columns: int, rows: int) -> list[Strip]:
    """``image`` in ``columns`` × ``rows`` cells of ``▀``: the upper pixel of each cell in the
    foreground colour, the lower in the background."""
    from PIL import Image

    scaled = image.resize((columns, rows * 2), Image.Resampling.BOX)
    pixels = scaled.tobytes()
    stride = columns * 3
    styles: dict[bytes, Style] = {}
    strips = []
    for row in range(rows):
        upper = pixels[2 * row * stride : (2 * row + 1) * stride]
        lower = pixels[(2 * row + 1) * stride : (2 * row + 2) * stride]
        segments = []
        for column in range(0, stride, 3):
            key = upper[column : column + 3] + lower[column : column + 3]
            style = styles.get(key)
            if style is None:
                style = styles[key] = Style(
                    color=Color.from_rgb(*key[:3]), bgcolor=Color.from_rgb(*key[3:])
                )
            segments.append(Segment(HALF_BLOCK, style))
        strips.append(Strip(Segment.simplify(segments), columns))
    return strips


class Pictures:
    """One pane's handle on the app's :class:`ImageStore`: it asks for pictures, and is told
    with ``notify(ImageDecoded)`` when one it waited for is ready."""

    def __init__(self, store: ImageStore, notify: Callable[[Message], object]) -> None:
        self.store = store
        self._notify = notify

    def _ready(self, key: str) -> None:
        self._notify(ImageDecoded(key))

    def picture(
        self, key: str, source: ImageSource, width: int, console: Console
    ) -> Picture | str | None:
        return self.store.picture(key, source, width, console, self._ready)
