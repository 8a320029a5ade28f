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
        assert loaded.rows == build_rows(sessions)
        session_list.set_sessions(sessions, rows=loaded.rows)
        assert session_list.rows is loaded.rows
        target = sessions[-1]
        session_list.set_query(target.session_id)
        session_list.set_sessions(sessions, rows=loaded.rows)
        assert session_list.rows == build_rows(sessions, target.session_id)
        assert [row.meta.session_id for row in session_list.rows if row.meta] == [target.session_id]
        await settle(app, pilot)
