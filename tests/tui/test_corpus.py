"""Every session of the shared corpus of real transcripts renders in the message pane: every
message with its UUID in its header, every raw line, and no control character on screen."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from rich.console import Console

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import session_files
from sessionscope.transcripts.reader import index_transcript
from sessionscope.tui.render import BlockRenderer, Palette
from sessionscope.tui.sources import ConversationSource, RawSource


def visible_text(strips) -> str:
    text = "\n".join(strip.text for strip in strips)
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert not bad, f"control characters on screen: {bad!r}"
    return text


def test_every_corpus_session_renders(shared_corpus: Path) -> None:
    renderer = BlockRenderer(Console(width=100, color_system=None), Palette(), UTC)
    files = [Path(path) for path, _ in session_files(shared_corpus)]
    assert files
    for path in files:
        index = index_transcript(path)
        source = ConversationSource(path, index, build_conversation(index))
        for position in range(len(source)):
            entry = source.entry(position)
            text = visible_text(source.render(position, 78, False, renderer).strips)
            if entry.uuid:
                assert entry.uuid in "".join(text.splitlines()[:2]), (path, entry.uuid)
            if position % 25 == 0:  # unfolded too, for a sample (Markdown of everything is slow)
                visible_text(source.render(position, 78, True, renderer).strips)
        raw = RawSource(path, index)
        for position in range(len(raw)):
            expanded = raw.entry(position).is_bad  # a bad line's bytes, shown inert
            visible_text(raw.render(position, 78, expanded, renderer).strips)


async def test_every_corpus_session_opened_at_80x24_shows_the_selected_uuid(
    shared_corpus: Path,
) -> None:
    """Opened at its end, the last message's header (its UUID) is on screen, however tall
    the message: the header stays pinned on top of the pane."""
    from sessionscope.tui.app import make_app
    from tests.agent.test_compose_tui import settle, wait_for

    app = make_app(shared_corpus, tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.session_list.sessions, what="the list")
        await settle(app, pilot)
        hidden = []
        for meta in list(app.main_screen.session_list.sessions):
            assert app.main_screen.session_list.select_session(meta.session_id)
            await wait_for(
                pilot,
                lambda meta=meta: (
                    app.main_screen.opened is not None
                    and app.main_screen.opened.meta.session_id == meta.session_id
                    and not app.main_screen.opened.partial
                ),
                what=f"session {meta.session_id}",
            )
            await pilot.pause()
            view = app.main_screen.message_view
            entry = view.current_entry
            if entry is None or not entry.uuid:
                continue
            height = view.scrollable_content_region.height
            screen = "\n".join(view.render_line(y).text for y in range(height))
            if entry.uuid not in screen:
                hidden.append((meta.session_id, entry.uuid))
        assert not hidden, f"the selected UUID is off screen in {len(hidden)} sessions: {hidden}"
