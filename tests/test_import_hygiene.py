"""The pure layers must not know they are in a terminal, nor pay for the SDK's import."""

import subprocess
import sys

import pytest

PURE_PACKAGES = ["sessionscope.transcripts", "sessionscope.catalog"]


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layer_imports_neither_textual_nor_sdk(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'claude_agent_sdk'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{package} imports {result.stdout.strip()}"


def test_cli_help_runs_without_textual_or_sdk() -> None:
    code = (
        "import sys\n"
        "from sessionscope.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'claude_agent_sdk'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# What the first paint of the list does not need: the compose box (its TextArea and the SDK
# bridge), the session dialogs, the transcript sources and the command palette's provider are
# imported when first used. Every module imported with the app delays the list.
NOT_BEFORE_FIRST_PAINT = [
    "sessionscope.agent.compose",
    "sessionscope.tui.widgets.compose_box",
    "sessionscope.tui.widgets.live_turn",
    "sessionscope.tui.screens.session_dialogs",
    "sessionscope.tui.sources",
    "sessionscope.tui.commands",
    "claude_agent_sdk",
]


def test_app_module_leaves_later_parts_unimported() -> None:
    code = (
        "import sys\n"
        "import sessionscope.tui.app\n"
        f"print(','.join(m for m in {NOT_BEFORE_FIRST_PAINT!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported with the app: {result.stdout.strip()}"


def test_tui_command_imports_nothing_of_compose_before_the_app_runs() -> None:
    """The command line makes the compose settings without the turn machinery."""
    code = (
        "import sys\n"
        "from sessionscope.agent.settings import ComposeSettings\n"
        "from sessionscope.tui.keys import load_keymap\n"
        "import sessionscope.commands.tui, sessionscope.tui.app\n"
        "ComposeSettings(); load_keymap({})\n"
        f"print(','.join(m for m in {NOT_BEFORE_FIRST_PAINT!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported: {result.stdout.strip()}"
