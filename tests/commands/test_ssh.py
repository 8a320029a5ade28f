"""End to end over SSH: a real OpenSSH server on 127.0.0.1, a real ssh client with a PTY of 80×24
and TERM=xterm (inside tmux, which gives us the screen), and the installed ``sessionscope replay``.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.sample import SAMPLE_ID
from tests.helpers.tmuxterm import Tmux, installed_sessionscope

SSHD = "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.1)
    output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
    pytest.skip(f"OpenSSH's sshd did not start on 127.0.0.1:{port}: {output.strip()[:300]}")


@pytest.fixture
def ssh_server(tmp_path: Path) -> Iterator[dict]:
    """sshd on a free loopback port with a temporary host key and one authorized key."""
    missing = [tool for tool in (SSHD, "ssh", "ssh-keygen", "tmux") if not shutil.which(tool)]
    if missing:
        pytest.skip(
            f"cannot start an SSH server here: {', '.join(missing)} not installed "
            "(apt-get install openssh-server openssh-client tmux; .ci/run does)"
        )
    folder = tmp_path / "ssh"
    folder.mkdir(mode=0o700)
    for name in ("host_ed25519", "client_ed25519"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)],
            check=True,
        )
    authorized = folder / "authorized_keys"
    authorized.write_text((folder / "client_ed25519.pub").read_text())
    authorized.chmod(0o600)
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {folder / 'host_ed25519'}",
                f"AuthorizedKeysFile {authorized}",
                f"PidFile {folder / 'sshd.pid'}",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PrintMotd no",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation folder
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, process)
        yield {"port": port, "key": folder / "client_ed25519", "folder": folder}
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def test_replay_over_ssh_in_80x24_xterm(
    ssh_server: dict, sample_session: Path, isolated_user_dirs: Path
) -> None:
    sessionscope = installed_sessionscope()
    folder = ssh_server["folder"]
    # What the remote side runs: the replay, then proof that the terminal came back whole.
    remote = folder / "remote.sh"
    remote.write_text(
        f"export LANG=C.UTF-8 CLAUDE_CONFIG_DIR={shlex.quote(str(isolated_user_dirs))}\n"
        f"{shlex.quote(str(sessionscope))} replay {SAMPLE_ID} --speed 2\n"
        "echo REPLAY-EXITED $?\n"
        "echo TTY $(stty size) $(stty -a | grep -o -E -e '-?(icanon|echo) ')\n"
        "sleep 60\n"
    )
    ssh = [
        "ssh",
        "-tt",
        "-p",
        str(ssh_server["port"]),
        "-i",
        str(ssh_server["key"]),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
        f"{getpass.getuser()}@127.0.0.1",
        f"sh {shlex.quote(str(remote))}",
    ]
    local = folder / "local.sh"
    local.write_text(f"TERM=xterm exec {shlex.join(ssh)}\n")
    tmux = Tmux(folder, window="replay")
    try:
        tmux.start(f"sh {shlex.quote(str(local))}", width=80, height=24)
        # Messages appear in their recorded order (at 2x the sample's first 4 s take 2 s).
        screen = tmux.wait_for("00000000-0000-4000-8000-000000000005", timeout=30)
        rows = screen.splitlines()
        assert len(rows) <= 24 and all(len(row) <= 80 for row in rows)
        order = [screen.index(f"00000000-0000-4000-8000-{n:012d}") for n in (1, 2, 3, 4, 5)]
        assert order == sorted(order)
        assert "Why does the parser fail on empty lines?" in screen
        assert "→ Read" in screen and "← result" in screen
        assert "space pause" in screen

        # space pauses: the status says so and nothing moves afterwards.
        tmux.keys("Space")
        paused = tmux.wait_for("❚❚", timeout=30)
        time.sleep(2.5)
        assert tmux.screen() == paused

        # q leaves, and the terminal is itself again: the shell's output shows on the normal
        # screen, the replay is gone, and the line discipline is back (echo, icanon).
        tmux.keys("q")
        after = tmux.wait_for("REPLAY-EXITED 0", timeout=20)
        assert "space pause" not in after and "❚❚" not in after
        tty = tmux.wait_for("TTY 24 80", timeout=30)
        line = next(row for row in tty.splitlines() if row.startswith("TTY 24 80"))
        flags = line.split()[3:]
        assert "icanon" in flags and "echo" in flags, line  # not -icanon / -echo
    finally:
        tmux.kill()
