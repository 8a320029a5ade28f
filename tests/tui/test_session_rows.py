"""The list's rows come built from the worker that read the list; a filter still applies."""

from __future__ import annotations

from sessionscope.tui.messages import SessionsLoaded
from sessionscope.tui.sessions_model import build_rows
from tests.helpers.pilot import settle


async def test_rows_built_by_the_worker_and_a_filter_still_applies(make) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        session_list = app.main_screen.session_list
        sessions = list(session_list.sessions)
        assert len(sessions) > 1
        loaded = SessionsLoaded(sessions, counted=True)
        assert loaded.rows.rows == build_rows(sessions)
        session_list.set_sessions(sessions, rows=loaded.rows)
        assert session_list.rows is loaded.rows.rows
        target = sessions[-1]
        session_list.set_query(target.session_id)
        session_list.set_sessions(sessions, rows=loaded.rows)
        assert session_list.rows == build_rows(sessions, target.session_id)
        assert [row.meta.session_id for row in session_list.rows if row.meta] == [target.session_id]
        await settle(app, pilot)


async def test_a_session_appearing_changing_or_going_builds_only_its_projects_rows(make) -> None:
    """In a long list, each live change (a new session, one written to, one deleted; with and
    without a filter) leaves the list as a whole rebuild makes it (one written to is updated
    where it is), the selected session selected and not opened again, and every other
    project's rows as they were."""
    import dataclasses
    import random

    from sessionscope.transcripts.meta import SessionMeta
    from sessionscope.tui.widgets.session_list import SessionList

    rng = random.Random(5)

    def meta(number: int, project: str, when: int) -> SessionMeta:
        return SessionMeta(
            session_id=f"{number:08x}-0000-4000-8000-{number:012x}",
            summary=f"session {number} about {rng.choice(['sync', 'report', 'cache'])}",
            last_modified=when,
            project=project,
            cwd=f"/home/dev/{project}",
            message_count=number % 50,
        )

    projects = [f"-home-dev-p{n}" for n in range(8)]
    metas = [meta(n, rng.choice(projects), 10_000 + n * 7 % 997) for n in range(400)]
    for fork in rng.sample(metas, 40):
        fork.forked_from = rng.choice(metas).session_id
    highlighted: list[str] = []

    def hook(message) -> None:
        if isinstance(message, SessionList.Highlighted):
            highlighted.append(message.meta.session_id)

    app = make()
    async with app.run_test(size=(120, 30), message_hook=hook) as pilot:
        await settle(app, pilot)
        session_list = app.main_screen.session_list
        session_list.set_sessions(metas)
        selected = next(
            r.meta for r in session_list.rows[40:] if r.meta and "sync" in r.meta.summary
        )
        session_list.select_session(selected.session_id)
        await settle(app, pilot)
        for step in range(60):
            if step == 30:
                session_list.set_query("sync")
                session_list.select_session(selected.session_id)
                await settle(app, pilot)
            highlighted.clear()
            others = [m for m in session_list.sessions if m.session_id != selected.session_id]
            kind = ("new", "written", "deleted")[step % 3]
            if kind == "new":
                changed = meta(1000 + step, rng.choice(projects), 20_000 + step)
                listed, gone = [changed], []
            elif kind == "written":
                old = rng.choice(others)
                changed = dataclasses.replace(old, message_count=100 + step)
                listed, gone = [changed], []
            else:
                changed = rng.choice(others)
                listed, gone = [], [changed.session_id]
            rows_before = list(session_list.rows)
            untouched = {
                row.project: row
                for row in rows_before
                if row.kind == "project" and row.project != changed.project
            }
            session_list.apply_changes(listed, gone)
            await pilot.pause()
            rows = session_list.rows
            assert session_list.current.session_id == selected.session_id, step
            assert highlighted == [], step  # not opened again
            assert rows == build_rows(session_list.sessions, session_list.query_text), step
            if kind == "written":  # updated where it is
                assert [row.meta.session_id for row in rows if row.meta] == [
                    row.meta.session_id for row in rows_before if row.meta
                ], step
            assert all(
                row is untouched[row.project]
                for row in rows
                if row.kind == "project" and row.project in untouched
            ), step
