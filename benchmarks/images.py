"""Images while scrolling: target ≤ 5 ms a frame once decoded.

Generates a session of 60 pasted screenshots (1280×800 PNGs of windows, text lines and boxes,
each in a prompt between two answers), opens it in the app headless at 120×40 with half-block
pictures, and pages down through it with ``pagedown``:

- the first pass meets every image for the first time: its label stands in while the worker
  decodes and draws it, then its picture replaces the label (reported, no target);
- the second pass is timed against the target: the pane's own block cache is emptied first
  (``notify_style_update``), so every block is rendered again and each picture is copied from
  the image cache, as after a resize back or a long scroll away.

Each frame is timed from the key's action to the refreshed screen (``call_after_refresh``),
main-thread CPU time beside it. The same session with images off (their labels) is the
reference.

    python benchmarks/images.py          # prints the figure beside its target
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SESSION = "1a6e0000-0000-4000-8000-000000000001"
PROJECT = "-home-bench-images"
SIZE = (120, 40)
SCREENSHOTS = 60
TARGET_MS = 5.0


def screenshot(rng: random.Random) -> bytes:
    """A 1280×800 PNG that looks like a screenshot: a window, lines of text, a few boxes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1280, 800), (40, 44, 52))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 32), fill=(60, 64, 72))
    for y in range(60, 780, 22):
        x = rng.randint(20, 120)
        draw.text(
            (x, y), f"def handler_{rng.randint(0, 9999)}(request): return {y}", fill=(200, 200, 200)
        )
    for _ in range(4):
        x, y = rng.randint(0, 1100), rng.randint(40, 650)
        colour = (rng.randint(60, 255), rng.randint(60, 255), rng.randint(60, 255))
        draw.rectangle((x, y, x + rng.randint(60, 180), y + rng.randint(40, 140)), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def write_session(config_dir: Path, screenshots: int = SCREENSHOTS, seed: int = 11) -> Path:
    rng = random.Random(seed)
    entries, parent = [], None

    def add(entry: dict) -> None:
        nonlocal parent
        entry.update(
            parentUuid=parent,
            sessionId=SESSION,
            cwd="/home/bench/app",
            timestamp=f"2026-03-01T10:{len(entries) // 60 % 60:02d}:{len(entries) % 60:02d}.000Z",
            uuid=f"00000000-0000-4000-8000-{len(entries) + 1:012d}",
        )
        entries.append(entry)
        parent = entry["uuid"]

    for n in range(screenshots):
        data = base64.b64encode(screenshot(rng)).decode()
        add(
            {
                "type": "user",
                "message": {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": f"Screenshot {n}: why is the layout off here?"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": data},
                        },
                    ],
                },
            }
        )
        add(
            {
                "type": "assistant",
                "message": {
                    "id": f"msg_{n:06d}",
                    "role": "assistant",
                    "model": "claude-opus-4-5-20251101",
                    "content": [
                        {"type": "text", "text": "The sidebar overflows: its width is fixed.\n" * 4}
                    ],
                    "usage": {"input_tokens": 1500, "output_tokens": 60},
                },
            }
        )
    target = config_dir / "projects" / PROJECT / f"{SESSION}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return target


PASSES = ("first", "cached", "rendered")
"""The three passes down the session: images met for the first time (decoded in the worker
while their labels stand in); everything cached (the pane's blocks and lines); every block
rendered again (the pane's caches emptied: pictures copied from the image cache)."""


def scroll_images(config_dir: str, images: str, pages: int = 80) -> dict:
    """Page down through the session three times (:data:`PASSES`); each page's time and CPU
    time, in seconds, by pass."""
    from benchmarks.tui import CPU_TIMES, _instrument, _until, _workers_done
    from sessionscope.tui.app import make_app

    app = make_app(Path(config_dir), images=images)
    times: list[float] = []
    passes: dict[str, slice] = {}

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await _workers_done(pilot)
            await pilot.pause()
            assert app.main_screen.session_list.select_session(SESSION)
            await _until(
                pilot,
                lambda: (
                    app.main_screen.opened is not None
                    and app.main_screen.opened.meta.session_id == SESSION
                    and not app.main_screen.opened.partial
                ),
            )
            await _workers_done(pilot)
            await _until(pilot, lambda: "claude_agent_sdk" in sys.modules, 60)
            await pilot.pause(0.5)
            view = app.main_screen.message_view
            view.focus()
            _instrument(view, "page_down", times)
            for name in PASSES:
                view.select(0)
                await _workers_done(pilot)
                await pilot.pause()
                if name == "rendered":
                    view.notify_style_update()  # empties the pane's caches
                    await pilot.pause()
                start = len(times)
                for _ in range(pages):
                    if round(view.scroll_y) >= view.max_scroll_y:
                        break  # the end: a key more would time a screen that does not move
                    await pilot.press("pagedown")
                    await pilot.pause()
                    if name == "first":
                        await _workers_done(pilot)  # a user reads for a moment
                        await pilot.pause()
                passes[name] = slice(start, len(times))

    asyncio.run(run())
    cpu = CPU_TIMES[id(times)]
    return {name: {"times": times[part], "cpu": cpu[part]} for name, part in passes.items()}


def measure(images: str = "halfblock") -> dict:
    """By pass: median and max wall time, median CPU time a screen, in ms."""
    with tempfile.TemporaryDirectory(prefix="sessionscope-images-") as folder:
        config_dir = Path(folder) / "claude"
        write_session(config_dir)
        result = scroll_images(str(config_dir), images)
    out = {}
    for name, found in result.items():
        wall = [t * 1000 for t in found["times"]]
        cpu = [t * 1000 for t in found["cpu"]]
        out[name] = {
            "median": statistics.median(wall),
            "cpu": statistics.median(cpu),
            "max": max(wall),
            "screens": len(wall),
        }
    return out


def main() -> int:
    """The cost of the images is a pass's frame with pictures less the same frame with their
    labels (images off): the rest is what any screen of the pane costs."""
    ours, reference = measure("halfblock"), measure("off")
    costs = {}
    for name in PASSES:
        mine, theirs = ours[name], reference[name]
        costs[name] = (mine["median"] - theirs["median"], mine["cpu"] - theirs["cpu"])
        print(
            f"  {name:9} pass: {mine['median']:5.1f} ms a screen (CPU {mine['cpu']:4.1f} ms, "
            f"max {mine['max']:5.1f} ms, {mine['screens']} screens) · images off "
            f"{theirs['median']:5.1f} ms (CPU {theirs['cpu']:4.1f} ms) · images cost "
            f"{costs[name][0]:+.1f} ms (CPU {costs[name][1]:+.1f} ms)"
        )
    wall = max(costs["cached"][0], costs["rendered"][0])
    cpu = max(costs["cached"][1], costs["rendered"][1])
    if wall <= TARGET_MS:
        verdict = "met"
    elif cpu <= TARGET_MS:
        verdict = f"met in CPU time, not in wall time (load average {os.getloadavg()[0]:.1f})"
    else:
        verdict = "NOT met"
    print(
        f"images while scrolling ({SCREENSHOTS} screenshots 1280x800 as half blocks, pagedown "
        f"at {SIZE[0]}x{SIZE[1]}), once decoded: images cost at most {wall:+.1f} ms a screen "
        f"(CPU {cpu:+.1f} ms) · target <= {TARGET_MS:.0f} ms · {verdict}"
    )
    return 0 if cpu <= TARGET_MS else 1


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    sys.exit(status)
