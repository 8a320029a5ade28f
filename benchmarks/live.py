"""Live figures: a message appended to a transcript while the explorer runs, to the moment it is on
screen, and to the moment search finds it.

``python benchmarks/live.py`` runs alone (on the corpus of ``benchmarks/corpus.py``, generated if
missing) and prints the figures beside their targets; ``benchmarks/run.py`` calls
:func:`measure` through its ``--probe`` mechanism for its table.

The app runs headless in this process on a copy of the corpus (hard links, except the files
appended to, which are real copies: the corpus itself is never written), with its index built
beforehand, its real file watcher and its real clock. Each append writes what the CLI writes
for one turn — a user entry, then the assistant's reply — one line at a time; "on screen" is
the app's refresh after the reply's block is in the message pane (the follow mode selects it),
"findable" the first moment the index answers a search for the reply's unique word.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (120, 40)
PAUSE_S = 0.4
"""Between appends: an agent writes a turn at most a few times a second."""


def _copy_corpus(config_dir: str, into: Path, writable: list[str]) -> Path:
    """The corpus under ``into`` as hard links, the files in ``writable`` copied for real."""
    target = into / "claude"
    shutil.copytree(Path(config_dir) / "projects", target / "projects", copy_function=os.link)
    for path in writable:
        copy = target / Path(path).relative_to(config_dir)
        copy.unlink()
        shutil.copyfile(path, copy)
    return target


def _last_uuid(path: Path) -> str | None:
    """The UUID of the last entry with one (the parent of the turn appended next)."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - (1 << 20)))
        lines = handle.read().splitlines()
    for line in reversed(lines):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(value, dict)
            and value.get("uuid")
            and value.get("type") in ("user", "assistant")
        ):
            return value["uuid"]
    return None


def _turn(session_id: str, parent: str | None, word: str) -> tuple[dict, dict]:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    base = {"isSidechain": False, "userType": "external", "sessionId": session_id, "timestamp": now}
    asked = {
        **base,
        "type": "user",
        "parentUuid": parent,
        "uuid": str(uuid.uuid4()),
        "message": {"role": "user", "content": f"what about the {word} step?"},
    }
    answered = {
        **base,
        "type": "assistant",
        "parentUuid": asked["uuid"],
        "uuid": str(uuid.uuid4()),
        "message": {
            "id": f"msg_{uuid.uuid4().hex[:20]}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": f"The {word} step runs after the sync."}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 12, "output_tokens": 9},
        },
    }
    return asked, answered


def _run(config_dir: Path, path: Path, session_id: str, appends: int) -> dict:
    from sessionscope.index import Index
    from sessionscope.tui.app import make_app

    app = make_app(config_dir)
    shown: list[float] = []
    findable: list[float] = []
    parent = _last_uuid(path)

    async def until(pilot, condition, timeout: float = 30.0, poll: float = 0.005) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not get there")
            await pilot.pause(poll)

    async def run() -> None:
        nonlocal parent
        searcher = Index(config_dir)
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await until(pilot, lambda: app.main_screen.session_list.sessions, poll=0.05)
            await until(pilot, lambda: all(worker.is_finished for worker in app.workers), poll=0.02)
            assert app.main_screen.session_list.select_session(session_id) or (
                app.main_screen.session_list.current.session_id == session_id
            )
            await until(
                pilot,
                lambda: (
                    app.main_screen.opened is not None
                    and app.main_screen.opened.meta.session_id == session_id
                    and not app.main_screen.opened.partial
                ),
                timeout=120,
                poll=0.05,
            )
            await until(
                pilot,
                lambda: app.main_screen.watching is not None and app.main_screen.watching.is_set(),
            )
            await until(pilot, lambda: all(worker.is_finished for worker in app.workers), poll=0.02)
            view = app.main_screen.message_view
            for number in range(appends):
                word = f"livebench{uuid.uuid4().hex[:10]}"
                asked, answered = _turn(session_id, parent, word)
                parent = answered["uuid"]
                with open(path, "ab") as handle:
                    handle.write(json.dumps(asked).encode() + b"\n")
                    handle.flush()
                    handle.write(json.dumps(answered).encode() + b"\n")
                written = time.perf_counter()
                await until(
                    pilot,
                    lambda uuid=parent: (
                        view.current_entry is not None and view.current_entry.uuid == uuid
                    ),
                )
                painted = asyncio.get_running_loop().create_future()
                app.call_after_refresh(
                    lambda painted=painted: (
                        painted.done() or painted.set_result(time.perf_counter())
                    )
                )
                shown.append(await painted - written)
                while True:
                    hits = await asyncio.to_thread(searcher.search, word, 5, catch_up=False)
                    if hits:
                        findable.append(time.perf_counter() - written)
                        break
                    if time.perf_counter() - written > 30:
                        raise TimeoutError(f"append {number}: never findable")
                    await asyncio.sleep(0.02)
                await asyncio.sleep(PAUSE_S)
        searcher.close()

    asyncio.run(run())
    return {"shown": shown, "findable": findable}


def measure(config_dir: str, session_path: str, appends: int = 20) -> dict:
    """Appends to ``session_path`` (a session of the corpus in ``config_dir``) while the app
    shows it: each append's seconds to on screen and to findable."""
    from sessionscope.index import Index

    with tempfile.TemporaryDirectory(prefix="sessionscope-live-") as scratch:
        os.environ["SESSIONSCOPE_CACHE_DIR"] = str(Path(scratch) / "cache")
        copy = _copy_corpus(config_dir, Path(scratch), [session_path])
        path = copy / Path(session_path).relative_to(config_dir)
        index = Index(copy)
        index.catch_up_all()  # the app starts with its index built, as after a first run
        index.close()
        result = _run(copy, path, path.stem, appends)
        result["size_mb"] = path.stat().st_size / 1e6
        return result


def typical_session(config_dir: str) -> str:
    """A session of the median size among the corpus's sessions (not a fork or subagent)."""
    sessions = sorted(
        (path.stat().st_size, str(path)) for path in Path(config_dir, "projects").glob("*/*.jsonl")
    )
    return sessions[len(sessions) // 2][1]


def summary(result: dict) -> dict:
    shown, findable = result["shown"], result["findable"]
    return {
        "shown_median": statistics.median(shown),
        "shown_worst": max(shown),
        "findable_median": statistics.median(findable),
        "findable_worst": max(findable),
    }


def main() -> int:
    from benchmarks.corpus import ensure_corpus

    info = ensure_corpus()
    for label, path in (
        ("a typical session", typical_session(info.config_dir)),
        ("the big session", info.big_session_path),
    ):
        if not path:
            continue
        result = measure(info.config_dir, path)
        figures = summary(result)
        print(
            f"{label} ({result['size_mb']:.1f} MB), {len(result['shown'])} appends: "
            f"on screen median {figures['shown_median'] * 1000:.0f} ms, worst "
            f"{figures['shown_worst'] * 1000:.0f} ms (target <= 300 ms / <= 1000 ms); "
            f"findable median {figures['findable_median'] * 1000:.0f} ms, worst "
            f"{figures['findable_worst'] * 1000:.0f} ms (target <= 2000 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
