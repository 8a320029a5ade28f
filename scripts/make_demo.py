"""Write the demo transcripts bundled in ``sessionscope/demo`` (for ``sessionscope --demo`` and a
first run with no transcripts), with the real Claude Code CLI bundled in the SDK wheel talking to
the fake Messages API from the test suite. No network, no API key.

The scripted model answers are written here; everything else is real: the CLI runs the tools
(Read, Grep, Edit, Bash, a subagent) on small projects this script creates, and writes the
transcripts; the fork goes through the SDK.

    python scripts/make_demo.py            # rewrites sessionscope/demo/projects
    python scripts/make_demo.py --out DIR  # somewhere else (a CLAUDE_CONFIG_DIR-shaped folder)

The projects live under ``--root`` while the CLI runs (their paths are recorded in the
transcripts, so the default reads like a person's home: ``/home/demo/code``). The folder must not
exist; it is removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers import fakeapi as t  # noqa: E402
from tests.helpers.fakeapi import FakeMessagesAPI  # noqa: E402
from tests.helpers.realcli import config_dir_env, make_project, run_session  # noqa: E402

DEMO_TOOLS = ["Bash", "Read", "Glob", "Grep", "Edit", "Agent", "Task"]

TINYCART = {
    "README.md": "# tinycart\n\nA small shopping-cart library: items, quantities, totals.\n",
    "tinycart/__init__.py": "from tinycart.cart import Cart\n\n__all__ = ['Cart']\n",
    "tinycart/cart.py": (
        '"""A shopping cart: SKUs, quantities and prices in dollars."""\n\n\n'
        "class Cart:\n"
        "    def __init__(self, prices):\n"
        "        self.prices = prices\n"
        "        self.items = {}\n\n"
        "    def add(self, sku, qty=1):\n"
        "        self.items[sku] = self.items.get(sku, 0) + qty\n\n"
        "    def remove(self, sku):\n"
        "        del self.items[sku]\n\n"
        "    def total(self):\n"
        "        return sum(self.prices[sku] * qty for sku, qty in self.items.items())\n"
    ),
    "tests/__init__.py": "",
    "tests/test_cart.py": (
        "import unittest\n\nfrom tinycart import Cart\n\n\n"
        "class TotalTest(unittest.TestCase):\n"
        "    def test_three_stickers(self):\n"
        "        cart = Cart({'sticker': 0.10})\n"
        "        cart.add('sticker', 3)\n"
        "        self.assertEqual(cart.total(), 0.30)\n\n\n"
        "if __name__ == '__main__':\n    unittest.main()\n"
    ),
}

WEATHER = {
    "README.md": "# weather-cli\n\n`python -m weather forecast CITY` prints a 3-day forecast.\n",
    "weather/__init__.py": "",
    "weather/__main__.py": "from weather.cli import main\n\nmain()\n",
    "weather/data.json": (
        '{"oslo": [4.0, 6.5, 3.0], "lisbon": [19.0, 21.5, 20.0], "austin": [28.0, 31.0, 30.5]}\n'
    ),
    "weather/cli.py": (
        "import argparse\nimport json\nfrom pathlib import Path\n\n"
        "DATA = json.loads((Path(__file__).parent / 'data.json').read_text())\n\n\n"
        "def main(argv=None):\n"
        "    parser = argparse.ArgumentParser(prog='weather')\n"
        "    sub = parser.add_subparsers(dest='command', required=True)\n"
        "    forecast = sub.add_parser('forecast', help='3-day forecast for a city')\n"
        "    forecast.add_argument('city')\n"
        "    args = parser.parse_args(argv)\n"
        "    for day, celsius in enumerate(DATA[args.city.lower()], 1):\n"
        "        print(f'day {day}: {celsius:.1f} C')\n"
    ),
}

HOMELAB = {
    "nginx/nginx.conf": (
        "http {\n"
        "    limit_req_zone $binary_remote_addr zone=api:10m rate=5r/s;\n\n"
        "    server {\n"
        "        listen 443 ssl;\n"
        "        server_name photos.home.arpa;\n\n"
        "        location /api/ {\n"
        "            limit_req zone=api burst=10 nodelay;\n"
        "            proxy_pass http://127.0.0.1:2342;\n"
        "        }\n"
        "    }\n"
        "}\n"
    ),
    "README.md": "Config for the home server: nginx in front of the photo library.\n",
}

P = {
    "rounding": (
        "The checkout page shows $0.30000000000000004 for three 10-cent stickers. Can you find "
        "out why and fix it?"
    ),
    "other_floats": "Does anything else in the package still do money maths with floats?",
    "decimal": (
        "Actually, let's not round: switch prices to Decimal end to end. What would that take?"
    ),
    "review": (
        "Have a reviewer agent go over tinycart for edge cases we don't handle yet, then "
        "summarise what it found."
    ),
    "units": "Add a --units option to `forecast` so I can get Fahrenheit (default stays metric).",
    "nginx": (
        "What does the rate limiting in nginx/nginx.conf actually do, and is burst=10 too low "
        "for the photo app's thumbnail requests?"
    ),
}

REVIEW_PROMPT = (
    "Review tinycart/cart.py for edge cases it does not handle: negative or zero quantities, "
    "unknown SKUs, removing items that are not in the cart, an empty cart. Report concrete "
    "findings with line numbers; do not change any files."
)


def script_replies(api: FakeMessagesAPI, code: Path) -> None:
    cart = str(code / "tinycart" / "tinycart" / "cart.py")
    api.reply(
        t.blocks(
            t.thinking_block(
                "0.30000000000000004 is the classic binary floating point artefact: 0.1 has no "
                "exact binary representation, so 0.1 * 3 drifts. The total is probably computed "
                "with plain floats. Read the cart first, then reproduce with the test suite."
            ),
            t.text_block(
                "That number is a floating-point artefact. Let me look at how the total is computed."
            ),
            t.tool_use_block("Read", {"file_path": cart}),
        ),
        t.tool_use(
            "Bash",
            {"command": "python3 -m unittest -q 2>&1 | tail -5", "description": "Run the tests"},
            say="`total()` multiplies float prices by quantities. Let me run the tests to confirm.",
        ),
        t.blocks(
            t.thinking_block(
                "Confirmed: 0.1 * 3 != 0.30. Smallest safe fix: round the total to cents at the "
                "boundary. Decimal end to end is better but touches every caller."
            ),
            t.text_block(
                "The test fails the same way. I'll round the total to whole cents, which is "
                "the smallest change that keeps every caller working."
            ),
            t.tool_use_block(
                "Edit",
                {
                    "file_path": cart,
                    "old_string": (
                        "        return sum(self.prices[sku] * qty for sku, qty in "
                        "self.items.items())\n"
                    ),
                    "new_string": (
                        "        total = sum(self.prices[sku] * qty for sku, qty in "
                        "self.items.items())\n"
                        "        return round(total, 2)\n"
                    ),
                },
            ),
        ),
        t.tool_use(
            "Bash",
            {
                "command": "python3 -m unittest -v 2>&1 | tail -4",
                "description": "Run the tests again",
            },
        ),
        t.text(
            "Fixed. `Cart.total()` summed `price * qty` in binary floating point, so three "
            "10-cent stickers came to 0.30000000000000004. It now rounds the sum to cents "
            "(`round(total, 2)`), and `test_three_stickers` passes.\n\n"
            "This hides the drift rather than removing it; if you want exact money maths, "
            "store prices as `Decimal` or integer cents."
        ),
        when=P["rounding"],
    )
    api.reply(
        t.tool_use(
            "Grep",
            {
                "pattern": r"price|\* qty|float",
                "path": str(code / "tinycart"),
                "output_mode": "content",
                "-n": True,
            },
        ),
        t.text(
            "Only `Cart.total()` does arithmetic on prices, and that is the line we just fixed. "
            "`add` and `remove` only count quantities, and the tests build prices as floats "
            "(`{'sticker': 0.10}`), which is fine now that totals are rounded."
        ),
        when=P["other_floats"],
    )
    api.reply(
        t.thinking(
            "Switching to Decimal: prices become Decimal('0.10'), total() needs Decimal(0) as "
            "the sum start, and callers passing floats must be converted at the edge.",
            "Three changes:\n\n"
            "1. Build the price table with `Decimal(str(price))` (or load it as strings), so "
            "`0.10` is exact.\n"
            "2. `total()` becomes `sum((self.prices[sku] * qty for ...), Decimal(0))` and drops "
            "the `round`.\n"
            "3. The checkout page formats with `f'{total:.2f}'`, which works for `Decimal` too.\n\n"
            "The test would compare with `Decimal('0.30')`. Want me to make the change on this "
            "branch?",
        ),
        when=P["decimal"],
    )
    api.reply(
        t.tool_use(
            "Agent",
            {
                "description": "Review cart edge cases",
                "prompt": REVIEW_PROMPT,
                "subagent_type": "general-purpose",
                "run_in_background": False,
            },
            say="I'll ask a reviewer agent to go through the cart.",
        ),
        t.text(
            "The reviewer found three gaps in `tinycart/cart.py`:\n\n"
            "- **Unknown SKUs** (`total`, line 15): a SKU with no price raises a bare "
            "`KeyError` at checkout instead of when it is added.\n"
            "- **Quantities** (`add`, line 9): zero and negative quantities are accepted, so a "
            "cart can hold `-2` stickers and a negative total.\n"
            "- **Removing** (`remove`, line 12): removing a SKU that is not in the cart raises "
            "`KeyError`.\n\n"
            "An empty cart is fine: `total()` returns 0. I'd validate in `add` (known SKU, "
            "positive quantity) and make `remove` a no-op for missing items."
        ),
        when=P["review"],
    )
    api.reply(
        t.tool_use("Read", {"file_path": cart}),
        t.thinking(
            "Line 9: add() never checks qty > 0 or sku in prices. Line 12: del raises KeyError. "
            "Line 15: prices[sku] raises KeyError for unknown SKUs. Empty cart: sum of nothing "
            "is 0, fine.",
            "Findings for tinycart/cart.py:\n"
            "1. line 9 `add`: accepts qty <= 0 and SKUs with no price.\n"
            "2. line 12 `remove`: `del` raises KeyError for a SKU not in the cart.\n"
            "3. line 15 `total`: an unpriced SKU raises KeyError at checkout time.\n"
            "Empty cart: OK, total() returns 0.",
        ),
        when=REVIEW_PROMPT,
    )
    weather_cli = str(code / "weather-cli" / "weather" / "cli.py")
    api.reply(
        t.tool_use(
            "Grep",
            {
                "pattern": "add_argument",
                "path": str(code / "weather-cli"),
                "output_mode": "content",
                "-n": True,
            },
            say="Let me find where `forecast` defines its arguments.",
        ),
        t.tool_use("Read", {"file_path": weather_cli}),
        t.tool_use(
            "Edit",
            {
                "file_path": weather_cli,
                "old_string": (
                    "    forecast.add_argument('city')\n"
                    "    args = parser.parse_args(argv)\n"
                    "    for day, celsius in enumerate(DATA[args.city.lower()], 1):\n"
                    "        print(f'day {day}: {celsius:.1f} C')\n"
                ),
                "new_string": (
                    "    forecast.add_argument('city')\n"
                    "    forecast.add_argument(\n"
                    "        '--units', choices=['metric', 'imperial'], default='metric',\n"
                    "        help='temperature units (default: metric)',\n"
                    "    )\n"
                    "    args = parser.parse_args(argv)\n"
                    "    for day, celsius in enumerate(DATA[args.city.lower()], 1):\n"
                    "        if args.units == 'imperial':\n"
                    "            print(f'day {day}: {celsius * 9 / 5 + 32:.1f} F')\n"
                    "        else:\n"
                    "            print(f'day {day}: {celsius:.1f} C')\n"
                ),
            },
            say="I'll add the option with `metric` as the default and convert when asked.",
        ),
        t.tool_use(
            "Bash",
            {
                "command": (
                    "python3 -m weather forecast austin && "
                    "python3 -m weather forecast austin --units imperial"
                ),
                "description": "Try both units",
            },
        ),
        t.text(
            "Done: `forecast` takes `--units metric|imperial` (default `metric`). Austin now "
            "reads 28.0 C / 82.4 F on day 1. argparse rejects anything else with a usage "
            "message, and `--help` lists the option."
        ),
        when=P["units"],
    )
    nginx = str(code / "homelab" / "nginx" / "nginx.conf")
    api.reply(
        t.tool_use("Read", {"file_path": nginx}),
        t.thinking(
            "rate=5r/s per client IP, burst=10 nodelay: up to 10 requests over the rate are "
            "served at once, then 503s until the bucket drains at 5/s. A photo grid loads maybe "
            "50-100 thumbnails at once from one IP, so the 11th+ excess request fails.",
            "Each client IP may make **5 requests a second** to `/api/` (`rate=5r/s`, a 10 MB "
            "zone keyed on `$binary_remote_addr`). `burst=10 nodelay` lets a client go up to "
            "10 requests over that at once, served immediately; anything beyond gets **503** "
            "until the bucket drains at 5 per second.\n\n"
            "For a photo grid that is too low: opening an album fires dozens of thumbnail "
            "requests from one browser at the same moment, so everything after the first ~15 "
            "fails. Either exempt thumbnails with their own `location` (they are cheap, "
            "cacheable GETs) or raise the burst to about 100 for that path, and set "
            "`limit_req_status 429` so clients see a proper rate-limit status.",
        ),
        when=P["nginx"],
    )


async def write_demo(out: Path, root: Path) -> dict[str, str]:
    from claude_agent_sdk import fork_session, get_session_messages, rename_session, tag_session

    config_dir = out
    (config_dir / "projects").mkdir(parents=True, exist_ok=True)
    tinycart = make_project(root / "tinycart", TINYCART)
    weather = make_project(root / "weather-cli", WEATHER, branch="feature/units")
    homelab = make_project(root / "homelab", HOMELAB)
    sessions: dict[str, str] = {}
    options = {"allowed_tools": DEMO_TOOLS}
    with FakeMessagesAPI() as api, config_dir_env(config_dir):
        script_replies(api, root)
        sessions["rounding"], _ = await run_session(
            api, config_dir, tinycart, [P["rounding"], P["other_floats"]], **options
        )
        visible = get_session_messages(sessions["rounding"], directory=str(tinycart))
        second_prompt = next(
            i
            for i, m in enumerate(visible)
            if m.type == "user" and m.message.get("content") == P["other_floats"]
        )
        fork = fork_session(
            sessions["rounding"],
            directory=str(tinycart),
            up_to_message_id=visible[second_prompt - 1].uuid,
            title="Fix the rounding: try Decimal instead",
        )
        sessions["decimal_fork"] = fork.session_id
        await run_session(
            api, config_dir, tinycart, [P["decimal"]], resume=fork.session_id, **options
        )
        rename_session(
            sessions["rounding"], "Fix float rounding in Cart.total", directory=str(tinycart)
        )
        sessions["review"], _ = await run_session(
            api, config_dir, tinycart, [P["review"]], **options
        )
        tag_session(sessions["review"], "review", directory=str(tinycart))
        sessions["units"], _ = await run_session(api, config_dir, weather, [P["units"]], **options)
        tag_session(sessions["units"], "feature", directory=str(weather))
        sessions["nginx"], _ = await run_session(api, config_dir, homelab, [P["nginx"]], **options)
        unused = api.unused_rules()
        if unused:
            raise RuntimeError(f"the CLI never asked for some scripted replies: {unused}")
    return sessions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "sessionscope" / "demo")
    parser.add_argument("--root", type=Path, default=Path("/home/demo/code"))
    args = parser.parse_args()
    if args.root.exists():
        parser.error(f"{args.root} exists; give --root a folder that does not")
    started = time.perf_counter()
    # The outermost folder this run creates, removed afterwards.
    created = args.root
    while not created.parent.exists():
        created = created.parent
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / "claude"
        try:
            sessions = asyncio.run(write_demo(staging, args.root))
        finally:
            shutil.rmtree(created, ignore_errors=True)
        target = args.out / "projects"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(staging / "projects", target)
    for role, session_id in sessions.items():
        print(f"{role:14} {session_id}")
    print(f"wrote {target} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
