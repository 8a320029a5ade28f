"""``sessionscope stats [--json] [--by session|project|model|day] [--since DATE]``: tokens and
cost, each API response counted once (see ``transcripts.usage`` for the rules)."""

from __future__ import annotations

import argparse

NAME = "stats"
HELP = (
    "tokens and cost of every session (each API response once), by session, project, model or day"
)

GROUPINGS = ("session", "project", "model", "day")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument(
        "--by", choices=GROUPINGS, help="one row per session, project, model or day (UTC)"
    )
    parser.add_argument(
        "--since", metavar="DATE", help="only responses on or after DATE (YYYY-MM-DD, UTC)"
    )


def _since(text: str | None) -> str | None:
    from datetime import date

    from sessionscope.commands._common import CommandError

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise CommandError(f"--since wants a date like 2026-03-01, not {text!r}") from None


def group_key(by: str | None):
    """How a response is grouped: its session, project (working folder), model or day."""
    if by == "session":
        return lambda item: item.session_id
    if by == "project":
        return lambda item: item.cwd or item.project
    if by == "model":
        return lambda item: item.response.model or "?"
    if by == "day":
        return lambda item: item.response.day
    return lambda item: "total"


def ordered(groups: dict, by: str | None) -> list:
    """Days in order; anything else dearest first (then by tokens)."""
    if by == "day":
        return sorted(groups.items())
    return sorted(
        groups.items(),
        key=lambda pair: (-(pair[1].known_cost or 0.0), -pair[1].tokens, pair[0]),
    )


def json_record(key: str, totals) -> dict:
    cost = totals.known_cost
    return {
        "key": key,
        "responses": totals.responses,
        "input_tokens": totals.input_tokens,
        "output_tokens": totals.output_tokens,
        "cache_read_input_tokens": totals.cache_read_input_tokens,
        "cache_creation_input_tokens": totals.cache_creation_input_tokens,
        "cost_usd": round(cost, 6) if cost is not None else None,
        "unpriced_responses": totals.unpriced_responses,
    }


def run(args: argparse.Namespace) -> int:
    from sessionscope.commands._common import check_config_dir
    from sessionscope.index.usage_cache import collect_usage

    check_config_dir(args.config_dir)
    return report(args, collect_usage(args.config_dir))


def report(args: argparse.Namespace, files: list) -> int:
    """The totals of ``files`` (every transcript's usage: local files', or a store's) as
    ``args`` asks, on stdout."""
    import sys

    from sessionscope.commands._common import CommandError, safe_stdout
    from sessionscope.transcripts.prices import PriceTableError, load_prices
    from sessionscope.transcripts.text import inert, json_line
    from sessionscope.transcripts.usage import (
        Totals,
        cost_text,
        owned_responses,
        tokens_text,
        totals_by,
    )

    since = _since(args.since)
    try:
        prices = load_prices()
    except PriceTableError as error:
        raise CommandError(str(error)) from None
    owned = owned_responses(files)
    if since is not None:
        owned = [item for item in owned if item.response.day >= since]
    groups = totals_by(owned, group_key(args.by), prices.cost)
    rows = ordered(groups, args.by)
    out = safe_stdout()
    if args.json:
        out.write("".join(json_line(json_record(key, totals)) + "\n" for key, totals in rows))
        out.flush()
        return 0
    overall = Totals()
    for _key, totals in rows:
        overall.responses += totals.responses
        overall.input_tokens += totals.input_tokens
        overall.output_tokens += totals.output_tokens
        overall.cache_read_input_tokens += totals.cache_read_input_tokens
        overall.cache_creation_input_tokens += totals.cache_creation_input_tokens
        overall.cost_usd += totals.cost_usd
        overall.unpriced_responses += totals.unpriced_responses
    heading = (args.by or "").ljust(36)
    lines = [
        f"{heading} {'responses':>9} {'input':>8} {'output':>8} {'cache rd':>8} "
        f"{'cache wr':>8} {'cost':>11}"
    ]
    shown = rows if args.by else []
    for key, totals in [*shown, ("total", overall)]:
        name = inert(key, keep_newlines=False)
        name = name if len(name) <= 36 else "…" + name[-35:]
        lines.append(
            f"{name:<36} {totals.responses:>9} {tokens_text(totals.input_tokens):>8} "
            f"{tokens_text(totals.output_tokens):>8} "
            f"{tokens_text(totals.cache_read_input_tokens):>8} "
            f"{tokens_text(totals.cache_creation_input_tokens):>8} {cost_text(totals):>11}"
        )
    out.write("\n".join(lines) + "\n")
    out.flush()
    note = f"prices of {prices.date} ({', '.join(prices.sources)})"
    if overall.unpriced_responses:
        unknown = sorted(
            {item.response.model for item in owned if prices.cost(item.response) is None}
        )
        note += (
            f"; {overall.unpriced_responses} responses have no price "
            f"({', '.join(inert(m, keep_newlines=False) for m in unknown)}): tokens only"
        )
    print(f"sessionscope: {note}", file=sys.stderr)
    return 0
