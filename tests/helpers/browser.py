"""``sessionscope serve`` in a real headless browser (Debian's chromium driven by playwright):
start the server, open its page, and gather what the app sends until some texts are on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


def launch_browser(playwright):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_in_browser(browser, argv: list[str], env: dict, wanted: list[bytes], shot: Path):
    """Run ``sessionscope serve --port P`` with ``argv`` (its other options) and ``env``, open
    its page and return every byte the app sent once each of ``wanted`` is among them (or
    after 30 s); a screenshot is left at ``shot``. The server is stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", "serve", "--port", str(port), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
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
            if all(text in received for text in wanted):
                break
        page.screenshot(path=str(shot))
        page.close()
        return received
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
