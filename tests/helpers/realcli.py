"""Transcripts written by the real Claude Code CLI (bundled in the SDK wheel) against the fake
Messages API: the helpers the shared ``cli_transcripts`` fixture and ``scripts/make_demo.py`` use.

Everything goes through the SDK: ``ClaudeSDKClient``/``query`` run the CLI, which writes the
transcripts; ``fork_session``, ``rename_session`` and ``tag_session`` change them offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tests.helpers import fakeapi
from tests.helpers.fakeapi import FakeMessagesAPI

CLI_TOOLS = ["Bash", "Read", "Glob", "Grep", "Agent", "Task"]
"""Tools the CLI may run without asking (as root the CLI refuses bypassPermissions)."""


@contextmanager
def config_dir_env(config_dir: Path):
    """Point the SDK's offline functions (fork, rename, tag, list) at ``config_dir`` for a while."""
    old = os.environ.get("CLAUDE_CONFIG_DIR")
    os.environ["CLAUDE_CONFIG_DIR"] = str(config_dir)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CLAUDE_CONFIG_DIR", None)
        else:
            os.environ["CLAUDE_CONFIG_DIR"] = old


def cli_options(api: FakeMessagesAPI, config_dir: Path, cwd: Path, **options: Any):
    """``ClaudeAgentOptions`` that run the bundled CLI in ``cwd`` against ``api``."""
    from claude_agent_sdk import ClaudeAgentOptions

    options.setdefault("allowed_tools", list(CLI_TOOLS))
    options.setdefault("setting_sources", [])
    return ClaudeAgentOptions(cwd=str(cwd), env=api.env(str(config_dir)), **options)


async def run_session(
    api: FakeMessagesAPI, config_dir: Path, cwd: Path, prompts: Sequence[str], **options: Any
) -> tuple[str, list[Any]]:
    """Send ``prompts`` one turn after another in one CLI process; the session id and every
    message the SDK streamed. Raises when a turn does not end in success."""
    from claude_agent_sdk import ClaudeSDKClient, ResultMessage

    session_id: str | None = None
    received: list[Any] = []
    async with ClaudeSDKClient(cli_options(api, config_dir, cwd, **options)) as client:
        for prompt in prompts:
            await client.query(prompt)
            async for message in client.receive_response():
                received.append(message)
                session_id = getattr(message, "session_id", None) or session_id
                if isinstance(message, ResultMessage) and message.is_error:
                    raise RuntimeError(f"turn {prompt!r} failed: {message}")
    if session_id is None:
        raise RuntimeError("the CLI reported no session id")
    return session_id, received


def make_project(path: Path, files: dict[str, str], branch: str | None = "main") -> Path:
    """A small project folder with ``files``; a git repository on ``branch`` unless ``None``."""
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    if branch and shutil.which("git"):
        git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", str(path)]
        subprocess.run([*git, "init", "-q", "-b", branch], check=True)
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "initial"], check=True)
    return path


def session_file(config_dir: Path, session_id: str) -> Path:
    """The transcript file of ``session_id`` under ``config_dir`` (searched in every project)."""
    matches = list((config_dir / "projects").glob(f"*/{session_id}.jsonl"))
    if len(matches) != 1:
        raise FileNotFoundError(f"{session_id}: {len(matches)} transcript files")
    return matches[0]


@dataclass(frozen=True)
class CliTranscripts:
    """Transcripts written by the real CLI. Read-only: ``copy_to`` before anything that writes."""

    config_dir: Path
    """A CLAUDE_CONFIG_DIR-shaped folder (``projects/<folder>/<session>.jsonl``)."""
    projects: dict[str, Path]
    """Project name → working directory the sessions ran in."""
    sessions: dict[str, str]
    """Role → session id (see ``build_cli_transcripts``)."""
    messages: dict[str, str] = field(default_factory=dict)
    """Name → message UUID worth pointing at (fork points)."""
    seconds: float = 0.0
    """How long writing them took."""

    def path(self, role: str) -> Path:
        """The transcript file of the session with this role."""
        return session_file(self.config_dir, self.sessions[role])

    def use(self):
        """A context manager pointing CLAUDE_CONFIG_DIR (and so the SDK) at these transcripts."""
        return config_dir_env(self.config_dir)

    def copy_to(self, destination: Path) -> CliTranscripts:
        """A copy of the config dir at ``destination`` (same session ids and project paths)."""
        shutil.copytree(self.config_dir, destination, symlinks=True)
        return replace(self, config_dir=destination)


# The scenario the shared fixture writes ------------------------------------------------------

SHOP_FILES = {
    "README.md": "# shop\n\nA tiny shopping cart used by the sessionscope tests.\n",
    "shop/__init__.py": "",
    "shop/cart.py": (
        "class Cart:\n"
        "    def __init__(self):\n"
        "        self.items = {}\n\n"
        "    def add(self, sku, qty=1):\n"
        "        self.items[sku] = self.items.get(sku, 0) + qty\n\n"
        "    def total(self, prices):\n"
        "        return sum(prices[sku] * qty for sku, qty in self.items.items())\n"
    ),
    "tests/test_cart.py": (
        "from shop.cart import Cart\n\n\ndef test_total():\n"
        "    cart = Cart()\n    cart.add('apple', 2)\n    assert cart.total({'apple': 3}) == 6\n"
    ),
}

NOTES_FILES = {"todo.txt": "- write the release notes\n- rotate the API keys\n"}

PROMPTS = {
    "think": "What does this project do? Think it over first.",
    "tools": "Look at the cart code and run a quick check.",
    "subagent": "Ask a helper agent to count the lines of the cart module.",
    "fork_turn": "Instead, suggest a better name for the project.",
    "notes": "Summarise my todo list.",
    "notes_again": "Which item is most urgent?",
}

SUBAGENT_PROMPT = "Count the lines in shop/cart.py and report the number."
"""The subagent's prompt (its own API calls are routed by it)."""


def script_fixture_replies(api: FakeMessagesAPI, shop: Path) -> None:
    """The fake API's replies for ``build_cli_transcripts``, routed by each turn's prompt."""
    t = fakeapi
    api.reply(
        t.thinking(
            "The user asks what the project does. The README says it is a tiny shopping cart.",
            "It is a tiny shopping cart: `shop/cart.py` holds a `Cart` with `add` and `total`.",
        ),
        when=PROMPTS["think"],
    )
    api.reply(
        t.tool_use("Read", {"file_path": str(shop / "shop/cart.py")}, say="Reading the cart."),
        # Two tool calls in one response, then their results in one user message.
        t.blocks(
            t.thinking_block("Run the tests and list the files together."),
            t.tool_use_block("Bash", {"command": "ls shop", "description": "List the package"}),
            t.tool_use_block("Grep", {"pattern": "def ", "path": str(shop / "shop")}),
        ),
        t.text("The cart adds items and totals them; the package has two modules."),
        when=PROMPTS["tools"],
    )
    api.reply(
        t.tool_use(
            "Agent",
            {
                "description": "Count cart lines",
                "prompt": SUBAGENT_PROMPT,
                "subagent_type": "general-purpose",
                "run_in_background": False,
            },
            say="I'll hand this to a helper.",
        ),
        t.text("The helper counted 9 lines in `shop/cart.py`."),
        when=PROMPTS["subagent"],
    )
    api.reply(
        t.tool_use("Bash", {"command": "wc -l shop/cart.py", "description": "Count lines"}),
        t.thinking("wc printed 9.", "shop/cart.py has 9 lines."),
        when=SUBAGENT_PROMPT,
    )
    api.reply(t.text("How about `tinycart`?"), when=PROMPTS["fork_turn"])
    api.reply(t.text("Two items: release notes and key rotation."), when=PROMPTS["notes"])
    api.reply(t.text("Rotating the API keys."), when=PROMPTS["notes_again"])


async def build_cli_transcripts(base: Path) -> CliTranscripts:
    """Write the shared test transcripts under ``base`` with the real CLI. Roles:

    - ``main`` (project ``shop``, git branch ``main``): three turns — thinking + text; tool use
      (Read, then Bash and Grep called in one response, with thinking); a subagent (Agent tool)
      that runs Bash. Renamed (custom title) and tagged afterwards.
    - ``resumed_fork``: ``resume=main, fork_session=True, resume_session_at=<end of turn 1>``
      plus one new turn (``forkedFrom`` points at main).
    - ``offline_fork``: the SDK's ``fork_session(main, up_to_message_id=<end of turn 2>)``.
    - ``notes`` (project ``notes``, not a git repository): one turn, then resumed (``resume=``) in
      a second CLI process for another turn in the same file.
    """
    from claude_agent_sdk import (
        fork_session,
        get_session_messages,
        rename_session,
        tag_session,
    )

    started = time.perf_counter()
    config_dir = base / "claude"
    (config_dir / "projects").mkdir(parents=True)
    shop = make_project(base / "work" / "shop", SHOP_FILES)
    notes = make_project(base / "work" / "notes", NOTES_FILES, branch=None)
    sessions: dict[str, str] = {}
    marks: dict[str, str] = {}

    async def shop_sessions() -> None:
        sessions["main"], _ = await run_session(
            api, config_dir, shop, [PROMPTS["think"], PROMPTS["tools"], PROMPTS["subagent"]]
        )
        visible = get_session_messages(sessions["main"], directory=str(shop))
        # The last message before each user prompt ends a turn.
        prompts_at = [
            i for i, m in enumerate(visible) if m.type == "user" and _is_prompt(m.message)
        ]
        marks["end_of_turn_1"] = visible[prompts_at[1] - 1].uuid
        marks["end_of_turn_2"] = visible[prompts_at[2] - 1].uuid

        sessions["resumed_fork"], _ = await run_session(
            api,
            config_dir,
            shop,
            [PROMPTS["fork_turn"]],
            resume=sessions["main"],
            fork_session=True,
            resume_session_at=marks["end_of_turn_1"],
        )
        sessions["offline_fork"] = fork_session(
            sessions["main"], directory=str(shop), up_to_message_id=marks["end_of_turn_2"]
        ).session_id
        rename_session(sessions["main"], "Shop: what the cart does", directory=str(shop))
        tag_session(sessions["main"], "review", directory=str(shop))

    async def notes_sessions() -> None:
        sessions["notes"], _ = await run_session(api, config_dir, notes, [PROMPTS["notes"]])
        await run_session(
            api, config_dir, notes, [PROMPTS["notes_again"]], resume=sessions["notes"]
        )

    with FakeMessagesAPI() as api, config_dir_env(config_dir):
        script_fixture_replies(api, shop)
        await shop_sessions()
        await notes_sessions()
        unused = api.unused_rules()
        if unused:
            raise RuntimeError(f"the CLI never asked for some scripted replies: {unused}")

    return CliTranscripts(
        config_dir=config_dir,
        projects={"shop": shop, "notes": notes},
        sessions=sessions,
        messages=marks,
        seconds=time.perf_counter() - started,
    )


def _is_prompt(message: Any) -> bool:
    """A user message that is a typed prompt, not tool results."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return True
    return isinstance(content, list) and not any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content
    )
