"""Image blocks (pasted screenshots, images a tool read): what they hold, and whether it can be shown.

Pure: no decoding here (that needs Pillow, in ``tui/images.py``). A block is checked for what
can be known without decoding it: a source of base64 data, a media type a viewer can draw, data
that is base64 at all. What is wrong is said in a few words (``reason``), shown beside the
image's label instead of the picture.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MEDIA_TYPES", "MODES", "ImageSource", "chosen_mode", "image_source"]

MODES = ("auto", "kitty", "halfblock", "off")
"""How images are shown (``--images``): ask the terminal, the Kitty graphics protocol, half-block
cells, or their labels only. An HTML export shows pictures unless ``off``."""

MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""The media types the Messages API takes for an image block: the only ones drawn."""

_BASE64 = re.compile(rb"\A[A-Za-z0-9+/]*={0,2}\Z")


@dataclass(frozen=True, slots=True)
class ImageSource:
    """An image block's source, checked."""

    media_type: str
    """As the block says (``image/png``...); ``image`` when it says nothing."""
    data: str
    """The base64 data ('' for a source that holds none, such as a URL)."""
    reason: str = ""
    """Why it cannot be drawn ('' when it may be: decoding can still fail)."""

    @property
    def size(self) -> int:
        """Bytes of the image the data holds (base64 is four characters for three bytes)."""
        return len(self.data) * 3 // 4

    def label(self) -> str:
        """``[image: image/png, 120 KB]``, with the reason when it cannot be drawn."""
        size = f", {self.size // 1024} KB" if self.data else ""
        reason = f" · {self.reason}" if self.reason else ""
        return f"[image: {self.media_type}{size}{reason}]"

    def decoded(self) -> bytes:
        """The image's bytes; ``ValueError`` with the reason when the data is not base64."""
        raw = self.data.encode("ascii", "replace")
        if len(raw) % 4 or not _BASE64.match(raw):
            raise ValueError("cannot be shown: the base64 data is truncated or damaged")
        try:
            return base64.b64decode(raw, validate=True)
        except binascii.Error as error:
            raise ValueError("cannot be shown: the base64 data is truncated or damaged") from error


def image_source(block: dict[str, Any]) -> ImageSource:
    """An ``image`` block's source, with the reason it cannot be drawn if one is known now."""
    source = block.get("source") if isinstance(block.get("source"), dict) else {}
    media = source.get("media_type")
    media_type = media if isinstance(media, str) and media else "image"
    data = source.get("data")
    if source.get("type") != "base64" or not isinstance(data, str):
        kind = source.get("type")
        where = f"a {kind} source" if isinstance(kind, str) and kind else "no data"
        return ImageSource(media_type, "", f"cannot be shown: {where}")
    if media_type not in MEDIA_TYPES:
        return ImageSource(media_type, data, f"cannot be shown: unknown media type {media_type}")
    return ImageSource(media_type, data)


def chosen_mode(choice: str | None, environ: Mapping[str, str]) -> str:
    """One of :data:`MODES`: ``choice`` (``--images``), else ``SESSIONSCOPE_IMAGES``, else
    ``auto``; ``ValueError`` for a value that is none of them."""
    chosen = choice or environ.get("SESSIONSCOPE_IMAGES") or "auto"
    if chosen not in MODES:
        raise ValueError(f"SESSIONSCOPE_IMAGES must be one of {', '.join(MODES)}, not {chosen!r}")
    return chosen
