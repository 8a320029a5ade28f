"""The team store's speed figures against issue 15's targets, on a store this script fills.

``python benchmarks/store.py`` starts its own PostgreSQL server (Debian's, as the tests do:
``tests/helpers/pgserver.py``, with PostgreSQL's durable defaults, fsync on), then:

1. generates a corpus with ``benchmarks/corpus.py`` (400 sessions: one of about 100 MB, the
   rest about 20 MB together) and times ``sessionscope push --all`` of it, whole command;
2. fills the store to 20,000 sessions (about 1 GB of entries) by copying the small sessions'
   rows inside the server under new session ids (``INSERT ... SELECT``: no client transfer);
3. times ``sessionscope list --json --store`` (whole command, counts up to date), ``stats
   --store`` (its usage cache cold, then warm), ``search
   --json --store`` of the local search figure's 20 fixed queries (``benchmarks/run.py``), and
   ``show`` of the 100 MB session through the store, first when its mirror is cold, then warm;
4. the explorer on the store: ``sessionscope --store URL`` from its start to its list painted
   (``benchmarks/launch.py store``, a fresh process each run), then, driven headless in this
   process, the 100 MB session selected (mirror cold) to its newest messages on screen, and a
   message appended by another writer (its own connection) to the open session, to on screen.

Every command runs sessionscope as a user has it: from the benchmarks' regular install of the
source (``benchmarks/install.py``: compiled, no editable import hook), as ``benchmarks/run.py``
does. Each timed command is run several times (``--runs``, default 5) and the median is printed beside
its target. Options: ``--copies N`` (store size: 1 + N copies of the small sessions).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import CORPUS_ROOT, CorpusParams, ensure_corpus  # noqa: E402
from benchmarks.install import regular_install  # noqa: E402
from benchmarks.run import SEARCH_QUERIES  # noqa: E402
from tests.helpers.pgserver import PostgresServer, why_unavailable  # noqa: E402

PUSH_TARGET_MB_S = 20.0
LIST_TARGET_S = 0.5
SEARCH_TARGET_S = 0.2
LAUNCH_TARGET_S = 1.0
NEWEST_TARGET_S = 0.5
CHANGE_TARGET_S = 2.0


INSTALL: Path | None = None
"""The regular install every command runs (:func:`benchmarks.install.regular_install`)."""


def command(*argv: str) -> list[str]:
    assert INSTALL is not None
    return [str(INSTALL / "bin" / "sessionscope"), *argv]


def timed(argv: list[str], env: dict) -> float:
    return timed_with_cpu(argv, env)[0]


def timed_with_cpu(argv: list[str], env: dict) -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one run of ``argv``: on this shared machine the CPU
    time says what the wall time cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[1:])} failed: {result.stderr.decode()[-500:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def server_cpu(server: PostgresServer) -> float:
    """CPU seconds the server has used so far: the postmaster, its live processes, and the
    backends that ended (counted into the postmaster as their parent). Linux's /proc."""
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        user, system, children_user, children_system = map(int, fields[11:15])
        if int(pid) == postmaster:
            ticks += user + system + children_user + children_system
        elif int(fields[1]) == postmaster:
            ticks += user + system
    return ticks / os.sysconf("SC_CLK_TCK")


def fill(url: str, big_session: str, copies: int) -> None:
    """``copies`` more of every small session, under new ids, copied inside the server."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for copy in range(1, copies + 1):
            connection.execute(
                """WITH originals AS (
                    SELECT * FROM claude_session_store_sessions
                    WHERE session_id <> %(big)s AND pushed IS NOT NULL),
                new_keys AS (
                    INSERT INTO claude_session_store_sessions
                        (owner, project_key, session_id, subpath, mtime, size, summary, meta,
                         counts)
                    SELECT owner, project_key, md5(session_id || %(copy)s)::uuid::text,
                        subpath, mtime + %(copy)s::int, size, summary, meta, counts
                    FROM originals
                    RETURNING id, project_key, session_id, subpath),
                pairs AS (
                    SELECT n.id AS new_id, o.id AS old_id FROM new_keys n
                    JOIN originals o ON o.project_key = n.project_key AND o.subpath = n.subpath
                        AND md5(o.session_id || %(copy)s)::uuid::text = n.session_id),
                added AS (
                    INSERT INTO claude_session_store (key_id, uuid, bytes, entry)
                    SELECT p.new_id, e.uuid, e.bytes, e.entry
                    FROM pairs p JOIN claude_session_store e ON e.key_id = p.old_id
                    ORDER BY p.new_id, e.seq
                    RETURNING key_id, seq, uuid)
                -- the search rows follow their entries (by uuid: a message always has one)
                INSERT INTO claude_session_store_words
                    (key_id, seq, role, tools, timestamp, calls, words)
                SELECT a.key_id, a.seq, w.role, w.tools, w.timestamp, w.calls, w.words
                FROM added a JOIN pairs p ON p.new_id = a.key_id
                JOIN claude_session_store e ON e.key_id = p.old_id AND e.uuid = a.uuid
                JOIN claude_session_store_words w ON w.key_id = e.key_id AND w.seq = e.seq""",
                {"big": big_session, "copy": str(copy)},
            )
            print(f"\rfilling the store: copy {copy}/{copies}", end="", file=sys.stderr)
        print(file=sys.stderr)
        connection.execute("VACUUM ANALYZE")


def launch(url: str, env: dict) -> float:
    """``sessionscope --store URL``, from its start to its session list painted."""
    import json

    spawned_at = time.time()
    result = subprocess.run(
        [
            str(INSTALL / "bin" / "python"),
            str(ROOT / "benchmarks" / "launch.py"),
            "store",
            repr(spawned_at),
            url,
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(result.stdout.decode().splitlines()[-1])["painted"]


def explorer_figures(url: str, big_session: str, first_session: str, runs: int) -> dict:
    """In this process, the explorer on the store driven headless, started on
    ``first_session`` (were it started on the big one, the newest, that one would be open, and
    its mirror warm, before it is selected): the big session selected (its mirror cold) to its
    newest messages on screen; then ``runs`` times, a message that
    another writer appends to the open (small) session, to on screen; then the search screen
    (``ctrl+f``), each of the 20 fixed queries put in its box (as pasted), to its hits painted
    (its connection open, as a person searching the store has it), ``runs`` times each."""
    import asyncio
    import contextlib
    import threading
    import uuid
    from datetime import UTC, datetime

    from textual.worker import WorkerCancelled

    from benchmarks.launch import SIZE, timed
    from sessionscope.stores import PostgresSessionStore
    from sessionscope.stores.explorer import StoreExplorer
    from sessionscope.tui.app import make_app

    explorer = StoreExplorer(url)
    if explorer.connect():
        raise SystemExit("the explorer cannot connect")
    app = timed(make_app(explorer.config_dir, store=explorer, session_id=first_session))
    marks = app.main_screen.marks
    out: dict = {"changes": []}

    def append_elsewhere(key: dict, entry: dict) -> None:
        async def write() -> None:
            async with PostgresSessionStore(url) as store:
                await store.append(key, [entry])

        asyncio.run(write())

    async def until(pilot, condition, timeout: float = 300.0) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not get there")
            await pilot.pause(0.005)

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await until(pilot, lambda: "list" in marks)
            for worker in list(app.workers):
                # A worker replaced by a newer one of its group is cancelled: nothing to wait for.
                with contextlib.suppress(WorkerCancelled):
                    await worker.wait()
            await pilot.pause()
            assert f"transcript:{big_session}" not in marks, "the big session was opened first"
            started = time.time()
            assert app.main_screen.session_list.select_session(big_session)
            await until(pilot, lambda: f"transcript:{big_session}" in marks)
            out["newest"] = marks[f"transcript:{big_session}"] - started
            await until(pilot, lambda: f"whole:{big_session}" in marks)
            out["whole"] = marks[f"whole:{big_session}"] - started
            small = next(
                m for m in app.main_screen.session_list.sessions if m.session_id != big_session
            )
            assert app.main_screen.session_list.select_session(small.session_id)
            await until(pilot, lambda: f"whole:{small.session_id}" in marks)
            view = app.main_screen.message_view
            await until(
                pilot,
                lambda: app.main_screen.watching is not None and app.main_screen.watching.is_set(),
            )
            key = {"project_key": small.project, "session_id": small.session_id}
            for n in range(runs):
                view.select(view.block_count - 1)
                await pilot.pause()
                new = str(uuid.uuid4())
                entry = {
                    "type": "user",
                    "uuid": new,
                    "parentUuid": view.current_entry.uuid,
                    "sessionId": small.session_id,
                    "isSidechain": False,
                    "cwd": small.cwd or "/",
                    "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "message": {"role": "user", "content": f"written elsewhere, {n}"},
                }
                started = time.perf_counter()
                writer = threading.Thread(target=append_elsewhere, args=(key, entry))
                writer.start()
                await until(
                    pilot,
                    lambda new=new: (
                        view.current_entry is not None and view.current_entry.uuid == new
                    ),
                )
                out["changes"].append(time.perf_counter() - started)
                writer.join()
            out["searches"] = await search_screen(pilot)

    async def search_screen(pilot) -> list[float]:
        """Per query, the median over ``runs`` of: its text put in the search box, to the
        first frame written after the screen took its hits."""
        from benchmarks.tui import count_frames, first_frame_after
        from sessionscope.tui.screens.search import SearchScreen

        frames = count_frames(app)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        box = screen.query_one("#search-query")
        medians = []
        for query in SEARCH_QUERIES:
            times = []
            for _ in range(runs):
                box.value = ""
                await until(pilot, lambda: screen.answered == "")
                await pilot.pause()
                started = time.perf_counter()
                box.value = query
                not_yet = started
                while screen.answered != query:
                    not_yet = time.perf_counter()
                    await asyncio.sleep(0.0005)
                times.append(await first_frame_after(frames, not_yet) - started)
            medians.append(statistics.median(times))
        return medians

    try:
        asyncio.run(run())
    finally:
        explorer.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    reason = why_unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    global INSTALL
    INSTALL = regular_install(CORPUS_ROOT)
    params = CorpusParams(seed=1515, sessions=400, total_mb=120, big_mb=100, projects=20)
    corpus = ensure_corpus(params)
    config = Path(corpus.config_dir)
    files = [p for p in (config / "projects").rglob("*.jsonl")]
    corpus_bytes = sum(p.stat().st_size for p in files)
    rows = []
    with tempfile.TemporaryDirectory() as cache, PostgresServer(durable=True) as server:
        env = {**os.environ, "SESSIONSCOPE_CACHE_DIR": cache}
        env.pop("SESSIONSCOPE_STORE", None)
        url = server.create_database("bench")
        subprocess.run(
            command("store", "init", url), env=env, check=True, stdout=subprocess.DEVNULL
        )
        server_before = server_cpu(server)
        push_s, push_cpu = timed_with_cpu(
            command("push", "--all", "--config-dir", str(config), "--store", url), env
        )
        push_server_cpu = server_cpu(server) - server_before
        rate = corpus_bytes / 1e6 / push_s
        rows.append(
            (
                f"push {len(files)} files, {corpus_bytes / 1e6:.0f} MB (one of 100 MB), whole command",
                f"{rate:.1f} MB/s ({push_s:.1f} s; CPU: ours {push_cpu:.1f} s, "
                f"the server's {push_server_cpu:.1f} s)",
                f">= {PUSH_TARGET_MB_S:.0f} MB/s",
                rate >= PUSH_TARGET_MB_S,
            )
        )
        fill(url, corpus.big_session_id, args.copies)
        import psycopg

        with psycopg.connect(url) as connection:
            sessions, stored = connection.execute(
                "SELECT count(*) FILTER (WHERE subpath = ''), pg_size_pretty(sum(size)) "
                "FROM claude_session_store_sessions"
            ).fetchone()
            on_disk = connection.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            ).fetchone()[0]
        list_argv = command("list", "--json", "--store", url)
        timed(list_argv, env)  # the first list after the copies counts nothing: all current
        list_runs = [timed(list_argv, env) for _ in range(args.runs)]
        list_s = statistics.median(list_runs)
        rows.append(
            (
                f"`list --json --store`, {sessions:,} sessions ({stored} of entries), whole command",
                f"{list_s * 1000:.0f} ms",
                f"<= {LIST_TARGET_S * 1000:.0f} ms",
                list_s <= LIST_TARGET_S,
            )
        )
        stats_argv = command("stats", "--json", "--by", "session", "--store", url)
        stats_cold = timed(stats_argv, env)  # the usage cache empty: every transcript counted
        stats_warm = statistics.median(timed(stats_argv, env) for _ in range(args.runs))
        rows.append(
            (
                "`stats --json --by session --store`: usage cache cold / warm",
                f"{stats_cold:.2f} s / {stats_warm * 1000:.0f} ms",
                "(information)",
                None,
            )
        )
        per_query, per_query_cpu = [], []
        for query in SEARCH_QUERIES:
            search_argv = command("search", "--json", query, "--store", url)
            measured = [timed_with_cpu(search_argv, env) for _ in range(args.runs)]
            per_query.append(statistics.median(wall for wall, _cpu in measured))
            per_query_cpu.append(statistics.median(cpu for _wall, cpu in measured))
        search_s, worst_s = statistics.median(per_query), max(per_query)
        slowest = SEARCH_QUERIES[per_query.index(worst_s)]
        rows.append(
            (
                f"`search --json --store`, whole command, {len(SEARCH_QUERIES)} fixed queries",
                f"median {search_s * 1000:.0f} ms (CPU {statistics.median(per_query_cpu) * 1000:.0f}"
                f" ms), worst {worst_s * 1000:.0f} ms (`{slowest}`)",
                "(information: the target is the explorer's search, below)",
                None,
            )
        )
        # What any command of ours pays before its first query: Python, psycopg, a connection.
        bare = [
            timed_with_cpu(
                [
                    str(INSTALL / "bin" / "python"),
                    "-c",
                    "import psycopg, sys; psycopg.connect(sys.argv[1]).execute('SELECT 1')",
                    url,
                ],
                env,
            )
            for _ in range(args.runs)
        ]
        rows.append(
            (
                "beside it: `python -c 'import psycopg; connect; SELECT 1'`, whole process",
                f"{statistics.median(wall for wall, _cpu in bare) * 1000:.0f} ms (CPU "
                f"{statistics.median(cpu for _wall, cpu in bare) * 1000:.0f} ms)",
                "(information)",
                None,
            )
        )
        show_argv = command("show", corpus.big_session_id, "--json", "--store", url)
        cold_s = timed(show_argv, env)
        warm_s = statistics.median(timed(show_argv, env) for _ in range(max(1, args.runs // 2)))
        rows.append(
            (
                "`show --json --store` of the 100 MB session: mirror cold / warm",
                f"{cold_s:.2f} s / {warm_s:.2f} s",
                "(information)",
                None,
            )
        )
        launches = [launch(url, env) for _ in range(args.runs)]
        launch_s = statistics.median(launches)
        rows.append(
            (
                f"`sessionscope --store URL`: start to the list of {sessions:,} sessions painted",
                f"{launch_s * 1000:.0f} ms",
                f"<= {LAUNCH_TARGET_S * 1000:.0f} ms",
                launch_s <= LAUNCH_TARGET_S,
            )
        )
        with tempfile.TemporaryDirectory() as explorer_cache:
            os.environ["SESSIONSCOPE_CACHE_DIR"] = explorer_cache  # the big mirror cold
            first = next(
                path.stem
                for path in sorted(Path(corpus.config_dir, "projects").glob("*/*.jsonl"))
                if path.stem != corpus.big_session_id
            )
            figures = explorer_figures(url, corpus.big_session_id, first, args.runs)
        rows.append(
            (
                "explorer: select the 100 MB session (mirror cold), newest messages on screen",
                f"{figures['newest'] * 1000:.0f} ms (whole session {figures['whole']:.1f} s)",
                f"<= {NEWEST_TARGET_S * 1000:.0f} ms",
                figures["newest"] <= NEWEST_TARGET_S,
            )
        )
        change_s = statistics.median(figures["changes"])
        rows.append(
            (
                "explorer: a message appended by another writer, on screen",
                f"median {change_s * 1000:.0f} ms, worst {max(figures['changes']) * 1000:.0f} ms",
                f"<= {CHANGE_TARGET_S * 1000:.0f} ms",
                max(figures["changes"]) <= CHANGE_TARGET_S,
            )
        )
        searches = figures["searches"]
        worst = max(searches)
        rows.append(
            (
                f"explorer: search screen, {len(SEARCH_QUERIES)} fixed queries, query -> hits "
                "painted",
                f"median {statistics.median(searches) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
                f"(`{SEARCH_QUERIES[searches.index(worst)]}`)",
                f"median <= {SEARCH_TARGET_S * 1000:.0f} ms",
                statistics.median(searches) <= SEARCH_TARGET_S,
            )
        )
    print(f"\nstore: {sessions:,} sessions, {stored} of entries, database {on_disk} on disk\n")
    print("| figure | ours | target | met |\n|---|---|---|---|")
    for figure, ours, target, met in rows:
        shown = "info" if met is None else ("yes" if met else "NO")
        print(f"| {figure} | {ours} | {target} | {shown} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
