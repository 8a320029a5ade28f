"""Benchmarks of the transcripts layer on the generated corpus (``benchmarks/corpus.py``).

``python benchmarks/reader.py`` prints one line a figure, measured against its target:

* indexing the 100 MB session (``index_transcript``): seconds, target <= 0.35 s, and the peak
  RSS of a process that holds that index;
* building its conversation (``build_conversation``): seconds, target <= 1 s;
* reading one appended message incrementally (``index_transcript(base=...)``): ms, target <= 50;
* listing all 2,000 sessions with their counts, no index (``transcripts.sessions.list_sessions``,
  which reads every file in full): seconds, target <= 30 s (the index makes later lists fast).

``figures()`` returns the same as dicts for ``benchmarks/run.py``. Each figure is the best of a
few runs (wall clock); CPU time is given too, as the machine may be shared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import ensure_corpus  # noqa: E402
from sessionscope.transcripts.conversation import build_conversation  # noqa: E402
from sessionscope.transcripts.reader import index_transcript  # noqa: E402
from sessionscope.transcripts.sessions import list_sessions  # noqa: E402


def _best(function, runs: int = 3) -> tuple[float, float, object]:
    """(best wall seconds, CPU seconds of that run, last result)."""
    best_wall, best_cpu, result = float("inf"), 0.0, None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    return best_wall, best_cpu, result


_RSS_PROBE = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from sessionscope.transcripts import reader
index = reader.index_transcript(sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _index_peak_rss(path: Path) -> float:
    """Peak RSS (MB) of a fresh process that indexes ``path`` and holds the index."""
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, root, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def figures(quiet: bool = True) -> list[dict]:
    info = ensure_corpus(quiet=quiet)
    big = Path(info.big_session_path)
    size_mb = big.stat().st_size / 1e6
    out: list[dict] = []

    # First, while this process is small: a child's peak RSS starts from its parent's (Linux
    # keeps the high-water mark across fork and exec).
    rss = _index_peak_rss(big)
    wall, cpu, index = _best(lambda: index_transcript(big), runs=5)
    out.append(
        {
            "name": f"index the {size_mb:.0f} MB session",
            "value": round(wall, 3),
            "unit": "s",
            "target": "<= 0.35",
            "ok": wall <= 0.35,
            "detail": (
                f"{size_mb / wall:.0f} MB/s, {cpu:.2f} s CPU, {len(index.entries)} entries; "
                f"peak RSS {rss:.0f} MB"
            ),
        }
    )

    wall, cpu, conversation = _best(lambda: build_conversation(index))
    out.append(
        {
            "name": f"conversation of the {size_mb:.0f} MB session",
            "value": round(wall, 3),
            "unit": "s",
            "target": "<= 1",
            "ok": wall <= 1,
            "detail": f"{cpu:.2f} s CPU, {len(conversation.messages)} messages",
        }
    )

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / big.name
        shutil.copyfile(big, copy)
        base = index_transcript(copy)
        line = json.dumps(
            {"type": "user", "uuid": "bench-appended", "parentUuid": None, "message": {}}
        )
        with open(copy, "a") as handle:
            handle.write(line + "\n")
        wall, cpu, grown = _best(lambda: index_transcript(copy, base=base), runs=5)
        assert grown.entries[-1].uuid == "bench-appended"
    out.append(
        {
            "name": "read one appended line of the 100 MB session",
            "value": round(wall * 1000, 2),
            "unit": "ms",
            "target": "<= 50",
            "ok": wall <= 0.05,
            "detail": f"{len(grown.entries)} entries after",
        }
    )

    wall, cpu, sessions = _best(lambda: list_sessions(info.config_dir), runs=1)
    out.append(
        {
            "name": f"list {info.sessions} sessions ({info.bytes / 1e6:.0f} MB) counted, no index",
            "value": round(wall, 2),
            "unit": "s",
            "target": "<= 30",
            "ok": wall <= 30,
            "detail": f"{cpu:.1f} s CPU, {len(sessions)} listed",
        }
    )
    return out


def main() -> int:
    results = figures(quiet=False)
    for figure in results:
        mark = "ok  " if figure["ok"] else "SLOW"
        print(
            f"{mark} {figure['name']}: {figure['value']} {figure['unit']} "
            f"(target {figure['target']} {figure['unit']}; {figure['detail']})"
        )
    return 0 if all(figure["ok"] for figure in results) else 1


if __name__ == "__main__":
    sys.exit(main())
