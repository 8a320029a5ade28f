"""In a real headless browser (Debian's chromium driven by playwright): ``sessionscope serve``
shows the session list, and exported HTML renders with nothing from the transcript alive."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessionscope.commands.serve import is_loopback
from sessionscope.export import load_document, to_html
from tests.helpers.sample import HOSTILE_ID, SAMPLE_ID

CHROMIUM = os.environ.get("SESSIONSCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_loopback_rule() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.10") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("example.org") and not is_loopback("::")


def test_a_public_host_needs_the_flag(isolated_user_dirs: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sessionscope", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not a loopback address" in result.stderr and "--public" in result.stderr
    assert result.stderr.count("\n") == 1


def test_serve_shows_the_session_list_in_a_browser(
    browser, sample_session: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CLAUDE_CONFIG_DIR": str(isolated_user_dirs)},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode(errors="replace") if server.stdout else ""
                    pytest.fail(f"serve did not come up: {output[-1000:]}")
                time.sleep(0.3)
        # Only loopback: nothing answers on another address of this machine.
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        if listening:
            ours = [line for line in listening.splitlines() if f":{port} " in line]
            assert ours and all("127.0.0.1:" in line for line in ours), ours

        page = browser.new_page(viewport={"width": 1100, "height": 700})
        frames: list[bytes] = []

        def on_websocket(websocket) -> None:
            def received(payload) -> None:
                frames.append(payload if isinstance(payload, bytes) else payload.encode())

            websocket.on("framereceived", received)

        page.on("websocket", on_websocket)
        page.goto(url)
        received = b""
        for _ in range(60):
            page.wait_for_timeout(500)
            received = b"".join(frames)
            if b"Why does the parser fail" in received and SAMPLE_ID[:8].encode() in received:
                break
        page.screenshot(path=str(tmp_path / "serve.png"))
        assert b"Why does the parser fail" in received, received[-2000:]
        assert b"sessionscope" in received
        page.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_exported_html_renders_inert(browser, hostile_session: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.html"
    target.write_text(to_html(load_document(hostile_session)), encoding="utf-8")
    page = browser.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(target.as_uri())
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert dialogs == []  # no alert() ran
    assert page.title() != "pwned"
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('iframe, img, b').length") == 0
    assert requests == [target.as_uri()]  # nothing fetched besides the page itself
    text = page.inner_text("main")
    assert "<script>alert('x')</script>" in text  # shown as text
    assert "␛[2J" in text and "\x1b" not in text
    assert HOSTILE_ID in text
    articles = page.evaluate("document.querySelectorAll('article').length")
    assert articles == 4
    # It reads well: a real page with styles applied (not the browser's defaults).
    width = page.evaluate("getComputedStyle(document.body).maxWidth")
    assert width.endswith("px") and float(width[:-2]) < 1000
