"""The layers (import-linter contracts in pyproject.toml) hold, no module imports another in a
circle; the pure layers must not know they are in a terminal, nor pay for the SDK's import; the
explorer's first paint must not wait for modules only later screens need."""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_lint_imports_keeps_the_layer_contracts() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_another_in_a_circle() -> None:
    graph = grimp.build_graph("sessionscope", cache_dir=None)
    circles: dict[str, list[str]] = {}
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back and module not in circles:
                circles[module] = [module, *back]
    assert not circles, "\n".join(" -> ".join(chain) for chain in circles.values())


PURE_PACKAGES = ["sessionscope.transcripts", "sessionscope.index", "sessionscope.stores"]

FRAMEWORKS = ("textual", "claude_agent_sdk")


def imported_after(code: str, watched: str) -> str:
    """Run ``code`` in a fresh interpreter, then say (comma-separated) which modules it left
    imported among those the expression ``watched`` picks from ``sys.modules`` (as ``m``)."""
    script = f"import sys\n{code}\nprint(','.join(sorted(m for m in sys.modules if {watched})))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_layer_imports_neither_textual_nor_sdk(package: str) -> None:
    code = (
        "import importlib, pkgutil\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
    )
    bad = imported_after(code, f"m.split('.')[0] in {FRAMEWORKS!r}")
    assert bad == "", f"{package} imports {bad}"


def test_cli_help_runs_without_textual_or_sdk() -> None:
    code = "from sessionscope.cli import build_parser\nbuild_parser()\n"
    assert imported_after(code, f"m.split('.')[0] in {FRAMEWORKS!r}") == ""


# What the first paint of the list does not need: the prompt box (its TextArea and the SDK
# bridge), the session dialogs, the transcript sources, the command palette's provider, the
# query parser (the filter's, the search screen's), the message pane's renderer and the
# transcripts' model (for the first session's messages, after the list) and the index's
# progress bar are imported when first used. Every module imported with the app delays the list.
NOT_BEFORE_FIRST_PAINT = [
    "sessionscope.agent.compose",
    "sessionscope.tui.widgets.prompt_box",
    "sessionscope.tui.widgets.live_turn",
    "sessionscope.tui.screens.session_dialogs",
    "sessionscope.tui.sources",
    "sessionscope.tui.palette",
    "sessionscope.index.query",
    "sessionscope.tui.render",
    "sessionscope.transcripts.model",
    "textual.widgets._progress_bar",
    "claude_agent_sdk",
]


def test_app_module_leaves_later_parts_unimported() -> None:
    imported = imported_after("import sessionscope.tui.app", f"m in {NOT_BEFORE_FIRST_PAINT!r}")
    assert imported == "", f"imported with the app: {imported}"


def test_tui_command_imports_nothing_of_compose_before_the_app_runs() -> None:
    """The command line makes the compose settings without the turn machinery."""
    code = (
        "from sessionscope.agent.settings import ComposeSettings\n"
        "from sessionscope.tui.keys import load_keymap\n"
        "import sessionscope.commands.tui, sessionscope.tui.app\n"
        "ComposeSettings(); load_keymap({})\n"
    )
    imported = imported_after(code, f"m in {NOT_BEFORE_FIRST_PAINT!r}")
    assert imported == "", f"imported: {imported}"


# What `list` and `search` do not need when the index has every file as it is: the entries'
# model (with msgspec: about 10 ms of a start), reading transcripts, the content model.
NOT_FOR_A_WARM_LISTING = [
    "msgspec",
    "sessionscope.transcripts.model",
    "sessionscope.transcripts.reader",
    "sessionscope.transcripts.content",
    "sessionscope.transcripts.conversation",
]


def test_the_command_line_parser_imports_no_reading_or_searching() -> None:
    """Building the parser imports every command's module: none of them pays for more."""
    code = "from sessionscope.cli import build_parser\nbuild_parser()\n"
    watched = [*NOT_FOR_A_WARM_LISTING, "sessionscope.index.query", "sessionscope.index.search"]
    assert imported_after(code, f"m in {watched!r}") == ""


def test_a_warm_list_and_search_read_no_transcript(sample_session: Path) -> None:
    """Once the index has every file (another process built it), `list` imports nothing that
    reads transcripts, and `search` only what reads back its hits' lines."""
    imported_after("from sessionscope.cli import main\nmain(['index'])\n", "False")
    listing = "import io, contextlib\nfrom sessionscope.cli import main\n"
    listing += "out = io.TextIOWrapper(io.BytesIO())  # as stdout: list --json writes its buffer\n"
    listing += "with contextlib.redirect_stdout(out): main(['list', '--json'])\n"
    assert imported_after(listing, f"m in {NOT_FOR_A_WARM_LISTING!r}") == ""
    search = listing.replace("['list', '--json']", "['search', '--json', 'parser']")
    watched = [m for m in NOT_FOR_A_WARM_LISTING if m != "sessionscope.transcripts.content"]
    assert imported_after(search, f"m in {watched!r}") == ""
