"""Images (pasted screenshots, images a tool read): drawn as half blocks or with the Kitty graphics
protocol, decoded and drawn once in a worker, the labelled placeholder when off or under
NO_COLOR, and the reason instead of the picture when the data is bad; the installed command
draws one in tmux."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from rich.console import Console

from sessionscope.transcripts.images import image_source
from sessionscope.tui.images import HALF_BLOCK, ImageStore, cells_for, resolve_mode
from tests.helpers.pilot import settle
from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import PROJECT, _write, assistant, result, u, user

SHOTS = "88888888-8888-4888-8888-888888888888"


def screenshot(width: int = 320, height: int = 200, fmt: str = "PNG") -> bytes:
    """A made-up screenshot: a red box and a green disc on a dark ground."""
    image = Image.new("RGB", (width, height), (30, 30, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 16, height // 10, width // 2, height * 6 // 10), fill=(220, 60, 60))
    draw.ellipse(
        (width * 9 // 16, height // 4, width * 15 // 16, height * 9 // 10), fill=(60, 200, 90)
    )
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def image_block(data: bytes | str, media_type: str = "image/png") -> dict:
    text = data if isinstance(data, str) else base64.b64encode(data).decode()
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": text}}


def shots_entries() -> list[dict]:
    s = SHOTS
    good = screenshot()
    return [
        user(
            s, u(1), None, 0, [{"type": "text", "text": "Why is the box red?"}, image_block(good)]
        ),
        assistant(s, u(2), u(1), 1, "msg_s1", {"type": "text", "text": "It failed its check."}),
        user(s, u(3), u(2), 2, [image_block(base64.b64encode(good).decode()[:-13])]),
        assistant(
            s,
            u(4),
            u(3),
            3,
            "msg_s2",
            {
                "type": "tool_use",
                "id": "toolu_s1",
                "name": "Read",
                "input": {"file_path": "/s.jpg"},
            },
        ),
        result(s, u(5), u(4), 4, "toolu_s1", [image_block(screenshot(fmt="JPEG"), "image/jpeg")]),
        user(s, u(6), u(5), 5, [image_block(good, "image/tiff")]),
    ]


@pytest.fixture
def shots_config(gallery: Path) -> Path:
    _write(
        gallery / "projects" / PROJECT / f"{SHOTS}.jsonl",
        shots_entries(),
        age=timedelta(seconds=30),
    )
    return gallery


# -- what a block holds ----------------------------------------------------------------------


def test_a_block_says_why_it_cannot_be_drawn() -> None:
    good = image_source(image_block(screenshot()))
    assert good.reason == "" and good.media_type == "image/png"
    assert good.label().startswith("[image: image/png, ") and good.label().endswith(" KB]")
    url = image_source({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}})
    assert url.label() == "[image: image · cannot be shown: a url source]"
    tiff = image_source(image_block(screenshot(), "image/tiff"))
    assert "unknown media type image/tiff" in tiff.label()
    assert "no data" in image_source({"type": "image"}).label()
    with pytest.raises(ValueError, match="truncated or damaged"):
        image_source(image_block("iVBORw0KGgo=x")).decoded()


def test_the_picture_keeps_its_shape_within_the_pane() -> None:
    assert cells_for((320, 200), 200) == (51, 16)  # 16 rows at most
    assert cells_for((320, 40), 60) == (60, 4)
    assert cells_for((10, 10), 60) == (10, 5)  # never wider than its pixels
    assert cells_for((100, 4000), 60) == (1, 16)


def decode(data: bytes | str, mode: str = "halfblock", width: int = 60):
    """The store's answer for one image once its worker is done (run here, in this thread)."""
    jobs: list = []
    store = ImageStore(mode, jobs.append)
    console = Console(width=width, color_system="truecolor")
    source = image_source(image_block(data))
    assert store.picture("k", source, width, console, lambda key: None) is None
    jobs.pop()()
    return store.picture("k", source, width, console, lambda key: None)


def test_bad_image_data_gives_the_reason() -> None:
    png = screenshot()
    cut = base64.b64encode(png[: len(png) // 2]).decode()
    assert decode(cut).startswith("cannot be shown: image file is truncated")
    assert decode(b"not an image at all") == "cannot be shown: not a readable image/png image"
    huge = io.BytesIO()
    Image.new("1", (9000, 5000)).save(huge, "PNG")  # small on disk, 45 megapixels
    assert decode(huge.getvalue()) == "cannot be shown: too large (9000×5000)"


def test_half_blocks_are_drawn_once_per_width() -> None:
    picture = decode(screenshot(), width=40)
    assert len(picture.strips) == cells_for((320, 200), 40)[1]
    assert all(strip.text == HALF_BLOCK * 40 for strip in picture.strips)
    colours = {segment.style.color.triplet for strip in picture.strips for segment in strip}
    assert (220, 60, 60) in colours and (60, 200, 90) in colours


def test_kitty_pictures_are_unicode_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The image goes to the terminal once as a Kitty graphics command; the cells that show it
    are placeholders (U+10EEEE and diacritics naming row and column) the pane scrolls as text."""
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", terminal)
    picture = decode(screenshot(), "kitty", width=40)
    sent = terminal.getvalue()
    assert sent.startswith("\x1b_G") and "a=p" in sent and "U=1" in sent
    assert len(picture.strips) == cells_for((320, 200), 40)[1]
    assert all(strip.text.startswith("\U0010eeee") for strip in picture.strips)
    assert {strip.cell_length for strip in picture.strips} == {40}


def test_images_mode_from_the_option_the_environment_and_no_color() -> None:
    assert resolve_mode(None, {"TERM": "xterm-256color"}) == "halfblock"
    assert resolve_mode(None, {"TERM": "xterm-kitty"}) == "kitty"
    assert resolve_mode(None, {"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}) == (
        "halfblock"  # tmux does not pass the protocol on
    )
    assert resolve_mode("auto", {"TERM_PROGRAM": "ghostty"}) == "kitty"
    assert resolve_mode(None, {"SESSIONSCOPE_IMAGES": "off", "TERM": "xterm-kitty"}) == "off"
    assert resolve_mode("kitty", {"SESSIONSCOPE_IMAGES": "off"}) == "kitty"
    assert resolve_mode("halfblock", {"NO_COLOR": "1"}) == "off"
    with pytest.raises(ValueError, match="SESSIONSCOPE_IMAGES must be one of"):
        resolve_mode(None, {"SESSIONSCOPE_IMAGES": "sixel"})


def test_a_bad_images_setting_is_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SESSIONSCOPE_IMAGES": "sixel", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sessionscope", "--config-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "sessionscope: SESSIONSCOPE_IMAGES must be one of auto, kitty, halfblock, off, not 'sixel'"
    ]


# -- in the app ------------------------------------------------------------------------------


def screen_text(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def open_shots(app, pilot, select: int = 1) -> None:
    await settle(app, pilot)
    assert app.main_screen.session_list.select_session(SHOTS)
    await settle(app, pilot)
    app.main_screen.message_view.focus()
    app.main_screen.message_view.select(
        app.main_screen.message_view.source.position_of_uuid[u(select)]
    )
    await settle(app, pilot)


async def test_half_blocks_in_the_pane_and_reasons_for_bad_data(make, shots_config) -> None:
    app = make(config_dir=shots_config, images="halfblock")
    async with app.run_test(size=(160, 60)) as pilot:
        await open_shots(app, pilot)
        text = "\n".join(screen_text(app))
        assert HALF_BLOCK * 40 in text
        assert "[image: image/png, 1 KB]" in text
        assert "cannot be shown: the base64 data is truncated or damaged" in text
        app.main_screen.message_view.select(
            app.main_screen.message_view.source.position_of_uuid[u(6)]
        )
        await settle(app, pilot)
        text = "\n".join(screen_text(app))
        assert "[image: image/jpeg, " in text  # the image a tool read, drawn under its result
        assert "cannot be shown: unknown media type image/tiff" in text


async def test_off_shows_the_labels_only(make, shots_config) -> None:
    app = make(config_dir=shots_config)
    async with app.run_test(size=(110, 60)) as pilot:
        await open_shots(app, pilot)
        text = "\n".join(screen_text(app))
        assert "[image: image/png, 1 KB]" in text and HALF_BLOCK not in text


async def test_pictures_coming_in_above_keep_the_screen_still(make, shots_config) -> None:
    """Opened at its last message, the session's pictures come in after their labels, taller
    than them, above the view: the last message stays on screen, and paging back up finds
    each picture drawn."""
    entries = shots_entries()
    for n in range(7, 15):
        entries.append(user(SHOTS, u(n), u(n - 1), n, f"and then {n}?"))
    _write(
        shots_config / "projects" / PROJECT / f"{SHOTS}.jsonl", entries, age=timedelta(seconds=9)
    )
    app = make(config_dir=shots_config, images="halfblock")
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        assert app.main_screen.session_list.select_session(SHOTS)
        await settle(app, pilot)
        view = app.main_screen.message_view
        assert view.current_entry.uuid == u(14)
        text = "\n".join(screen_text(app))
        assert u(14) in text and "and then 14?" in text
        view.focus()
        view.select(0)
        await settle(app, pilot)
        assert HALF_BLOCK * 40 in "\n".join(screen_text(app))


def test_images_snapshot_placeholder(make, shots_config: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_shots(pilot.app, pilot)

    assert snap_compare(
        make(config_dir=shots_config), terminal_size=(100, 32), run_before=run_before
    )


def test_images_snapshot_half_blocks(make, shots_config: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_shots(pilot.app, pilot)

    assert snap_compare(
        make(config_dir=shots_config, images="halfblock"),
        terminal_size=(100, 32),
        run_before=run_before,
    )


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed (.ci/run installs it)")
def test_installed_command_draws_half_blocks(shots_config: Path, tmp_path: Path) -> None:
    """In tmux (which does not pass Kitty graphics on) auto draws half blocks."""
    env = {
        "CLAUDE_CONFIG_DIR": str(shots_config),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    terminal = Tmux(tmp_path)
    terminal.start(
        f"env -u NO_COLOR -u SESSIONSCOPE_IMAGES {exports} {installed_sessionscope()} "
        f"--session {SHOTS} --message {u(1)}",
        width=160,
        height=50,
    )
    try:
        terminal.wait_for("cannot be shown: the base64 data is truncated or damaged")
        screen = terminal.wait_for(HALF_BLOCK * 40)
        assert "[image: image/png, 1 KB]" in screen
        terminal.keys("q")
    finally:
        terminal.kill()


# -- export ----------------------------------------------------------------------------------


def export(config_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sessionscope", "--config-dir", str(config_dir), "export", SHOTS]
        + list(args),
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(config_dir), **(env or {})},
    )


def test_html_export_embeds_the_pictures(shots_config: Path) -> None:
    """Good images as ``data:`` pictures (the page still loads nothing), bad ones as labels
    with the reason; Markdown keeps the labels."""
    page = export(shots_config, "--format", "html").stdout
    png = base64.b64encode(screenshot()).decode()
    assert f'src="data:image/png;base64,{png}"' in page
    assert 'alt="[image: image/png, 1 KB]"' in page
    assert page.count('<img class="image"') == 2  # the PNG and the JPEG a tool read
    assert "cannot be shown: unknown media type image/tiff" in page
    assert "img-src data:" in page  # the page's policy: no image from anywhere else
    markdown = export(shots_config, "--format", "md").stdout
    assert "[image: image/png, 1 KB]" in markdown and "base64" not in markdown


def test_html_export_without_pictures(shots_config: Path) -> None:
    """``--images off`` (or the environment) and a redacted export show the labels only: a
    screenshot can hold a secret the redaction cannot read."""
    for args, env in (
        (("--images", "off"), {}),
        ((), {"SESSIONSCOPE_IMAGES": "off"}),
        (("--redact",), {}),
    ):
        done = export(shots_config, "--format", "html", *args, env=env)
        assert done.returncode == 0, done.stderr
        assert "<img" not in done.stdout and "[image: image/png, 1 KB]" in done.stdout
