"""In a real headless browser (Debian's chromium driven by playwright): ``sessionscope serve``
shows the session list, and exported HTML renders with nothing from the transcript alive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sessionscope.commands.serve import is_loopback
from sessionscope.export import load_document, to_html
from tests.helpers.browser import serve_in_browser
from tests.helpers.sample import HOSTILE_ID, SAMPLE_ID


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
    wanted = [b"Why does the parser fail", SAMPLE_ID[:8].encode()]
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(isolated_user_dirs)}
    received = serve_in_browser(browser, [], env, wanted, tmp_path / "serve.png")
    assert b"Why does the parser fail" in received, received[-2000:]
    assert b"sessionscope" in received


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
