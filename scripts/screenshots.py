"""Write SVG screenshots of the explorer on the bundled demo transcripts into ``screenshots/``.

    python scripts/screenshots.py            # from the repository root

The demo is copied to a private folder first (the fork shot writes a new session there).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sessionscope.tui.app import make_app  # noqa: E402
from sessionscope.tui.demo import prepare_demo  # noqa: E402

OUT = ROOT / "screenshots"


async def settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(name: str, size: tuple[int, int], keys: list[str], *, focus_messages: bool) -> Path:
    app = make_app(prepare_demo(), demo=True)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        if focus_messages:
            await pilot.press("tab")
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        path = OUT / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"sessionscope — {name}"), encoding="utf-8")
        return path


SHOTS = [
    ("main", (120, 36), [], False),
    ("tool-result", (120, 36), ["g", "j", "j", "j", "j", "j", "enter"], True),
    ("fork", (120, 36), ["G", "f"], True),
    ("raw", (120, 36), ["a"], True),
    ("help", (100, 36), ["question_mark"], False),
    ("80x24", (80, 24), [], True),
    ("diff", (120, 36), ["g", *["j"] * 7], True),
    ("usage", (120, 36), ["dollar_sign"], False),
]


def screenshot_png() -> bytes:
    """A made-up screenshot of a dashboard whose sidebar overlaps its chart."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 600), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 960, 48), fill=(38, 50, 72))
    draw.rectangle((560, 90, 920, 560), fill=(255, 255, 255), outline=(210, 214, 220), width=2)
    for n, height in enumerate((180, 260, 120, 330, 220, 290)):
        x = 590 + n * 52
        draw.rectangle((x, 530 - height, x + 34, 530), fill=(66, 133, 244))
    draw.rectangle((0, 48, 640, 600), fill=(52, 63, 84))  # the sidebar, too wide
    for n in range(7):
        draw.rounded_rectangle((28, 90 + n * 64, 420, 130 + n * 64), 8, fill=(72, 86, 112))
    draw.rectangle((28, 90, 420, 130), fill=(232, 93, 74))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_session(folder: Path) -> Path:
    """A config folder with one session: a pasted screenshot and the answer to it."""
    import base64
    import json

    session = "5c4ee000-0000-4000-8000-000000000001"
    data = base64.b64encode(screenshot_png()).decode()
    base = {"sessionId": session, "cwd": "/home/demo/code/dashboard", "gitBranch": "main"}
    entries = [
        {
            **base,
            "type": "user",
            "uuid": "5c4ee000-0000-4000-8000-000000000011",
            "parentUuid": None,
            "timestamp": "2026-03-01T10:00:00.000Z",
            "message": {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Why does the sidebar cover the chart?"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": data},
                    },
                ],
            },
        },
        {
            **base,
            "type": "assistant",
            "uuid": "5c4ee000-0000-4000-8000-000000000012",
            "parentUuid": "5c4ee000-0000-4000-8000-000000000011",
            "timestamp": "2026-03-01T10:00:09.000Z",
            "message": {
                "id": "msg_5c4ee",
                "role": "assistant",
                "model": "claude-sonnet-4-5",
                "content": [
                    {
                        "type": "text",
                        "text": "The sidebar has a fixed `width: 640px`; the chart starts at "
                        "560px. Give the sidebar `width: 18rem` and the layout `display: grid`.",
                    }
                ],
                "usage": {"input_tokens": 1612, "output_tokens": 48},
            },
        },
    ]
    target = folder / "projects" / "-home-demo-code-dashboard" / f"{session}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    return folder


async def shoot_images() -> Path:
    """A pasted screenshot drawn in half blocks."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sessionscope-shots-") as folder:
        app = make_app(image_session(Path(folder)), images="halfblock")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("tab", "g")
            await settle(app, pilot)
            path = OUT / "images.svg"
            path.write_text(app.export_screenshot(title="sessionscope — images"), encoding="utf-8")
            return path


async def shoot_branches() -> Path:
    """The branch tree of the demo's session that was forked."""
    app = make_app(prepare_demo(), demo=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(app, pilot)
        forked = next(meta for meta in app.main_screen.session_list.sessions if meta.forked_from)
        app.main_screen.session_list.select_session(forked.forked_from)
        await settle(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        path = OUT / "branches.svg"
        path.write_text(app.export_screenshot(title="sessionscope — branches"), encoding="utf-8")
        return path


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, size, keys, focus in SHOTS:
        print(await shoot(name, size, keys, focus_messages=focus))
    print(await shoot_images())
    print(await shoot_branches())


if __name__ == "__main__":
    asyncio.run(main())
