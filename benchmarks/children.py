"""The peak memory of the processes a measured process spawns (the index's reading process).

``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` does not tell it: multiprocessing starts a
child with vfork, and until the child execs it shares its parent's memory, whose peak Linux then
keeps as the child's. So each child's own peak (``VmHWM`` of ``/proc/PID/status``, once it runs
``multiprocessing``'s code) is sampled while the measurement runs.
"""

from __future__ import annotations

import os
import threading


def _children() -> list[str]:
    me = str(os.getpid())
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                # The fields after the command name (which may hold spaces) in parentheses.
                if stat.read().rsplit(")", 1)[1].split()[1] == me:
                    found.append(pid)
        except (OSError, IndexError):
            continue
    return found


def _spawned_peak_kb(pid: str) -> int:
    """The peak RSS of a child running multiprocessing's spawned code (0 for any other)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"spawn_main" not in cmdline.read():
                return 0
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class SpawnedPeak:
    """``with SpawnedPeak() as peak: ...``; then ``peak.mb``: the largest peak RSS, in MB, of the
    processes spawned meanwhile (sampled every ``every`` seconds)."""

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            for pid in _children():
                self.peaks[pid] = max(self.peaks.get(pid, 0), _spawned_peak_kb(pid))

    def __enter__(self) -> SpawnedPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return max(self.peaks.values(), default=0) / 1024
