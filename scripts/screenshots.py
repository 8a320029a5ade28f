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


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, size, keys, focus in SHOTS:
        print(await shoot(name, size, keys, focus_messages=focus))


if __name__ == "__main__":
    asyncio.run(main())
