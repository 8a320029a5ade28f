"""What responses cost: the bundled price table (``prices.toml``, with its date), which a user
file overrides model by model. Pure: no Textual, no SDK.

A model is looked up by its id as the transcript names it, then without a snapshot date
(``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4-5``), then as its ``-0`` alias
(``claude-opus-4`` → ``claude-opus-4-0``). Anything else has no price: its tokens are counted
and its cost is left out, never guessed from a neighbour's.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .usage import Response

BUNDLED = Path(__file__).with_name("prices.toml")
"""The price table shipped with sessionscope."""

_DATED = re.compile(r"-\d{8}$")
_RATES = ("input", "output", "cache_write", "cache_write_1h", "cache_read")


class PriceTableError(Exception):
    """A price file that cannot be used; the message is one clear line."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """US dollars per million tokens."""

    input: float
    output: float
    cache_write: float
    """A 5-minute cache write."""
    cache_write_1h: float
    cache_read: float
    max_prompt_tokens: int | None = None
    """Above this prompt size the API bills a long-context rate this table does not hold."""

    def cost(self, response: Response) -> float | None:
        prompt = (
            response.input_tokens
            + response.cache_read_input_tokens
            + response.cache_creation_input_tokens
        )
        if self.max_prompt_tokens is not None and prompt > self.max_prompt_tokens:
            return None
        one_hour = min(response.cache_creation_1h_tokens, response.cache_creation_input_tokens)
        five_minutes = response.cache_creation_input_tokens - one_hour
        return (
            response.input_tokens * self.input
            + response.output_tokens * self.output
            + response.cache_read_input_tokens * self.cache_read
            + five_minutes * self.cache_write
            + one_hour * self.cache_write_1h
        ) / 1_000_000


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices by model, and where and when they come from."""

    models: dict[str, ModelPrice]
    date: str
    """When the bundled table was checked (a user file's own date when it gives one)."""
    sources: tuple[str, ...]
    """The files the table was read from, bundled first."""

    _found: dict[str, ModelPrice | None] = field(default_factory=dict, repr=False, compare=False)
    """Each model name already looked up (a count prices tens of thousands of responses)."""

    def price(self, model: str) -> ModelPrice | None:
        if model in self._found:
            return self._found[model]
        found = None
        for name in (model, _DATED.sub("", model)):
            found = self.models.get(name) or self.models.get(f"{name}-0")
            if found is not None:
                break
        self._found[model] = found
        return found

    def cost(self, response: Response) -> float | None:
        """What the response cost, or ``None`` when the table cannot say."""
        price = self.price(response.model)
        return price.cost(response) if price is not None else None


def user_price_file() -> Path:
    """``$SESSIONSCOPE_PRICES``, else ``$XDG_CONFIG_HOME/sessionscope/prices.toml`` (default
    ``~/.config/sessionscope/prices.toml``)."""
    named = os.environ.get("SESSIONSCOPE_PRICES")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "sessionscope" / "prices.toml"


def _read(path: Path) -> tuple[dict[str, ModelPrice], str | None]:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise PriceTableError(f"cannot read {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise PriceTableError(f"{path} is not valid TOML: {error}") from None
    models = document.get("models", {})
    if not isinstance(models, dict):
        raise PriceTableError(f"{path}: [models] must be a table of models")
    prices: dict[str, ModelPrice] = {}
    for name, rates in models.items():
        if not isinstance(rates, dict):
            raise PriceTableError(f"{path}: models.{name} must be a table of rates")
        missing = [rate for rate in _RATES if rate not in rates]
        if missing:
            raise PriceTableError(f"{path}: models.{name} lacks {', '.join(missing)}")
        values = {rate: rates[rate] for rate in _RATES}
        bad = [rate for rate, value in values.items() if not _is_price(value)]
        limit = rates.get("max_prompt_tokens")
        if limit is not None and not (isinstance(limit, int) and limit > 0):
            bad.append("max_prompt_tokens")
        if bad:
            raise PriceTableError(f"{path}: models.{name}: {', '.join(bad)} must be numbers ≥ 0")
        prices[name] = ModelPrice(
            **{rate: float(value) for rate, value in values.items()}, max_prompt_tokens=limit
        )
    date = document.get("date")
    return prices, str(date) if date is not None else None


def _is_price(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def load_prices(user_file: Path | None = None) -> PriceTable:
    """The bundled table, with the user's file (:func:`user_price_file` by default) over it
    when it exists. Raises :class:`PriceTableError` for a file that is there but unusable."""
    models, date = _read(BUNDLED)
    sources = [str(BUNDLED)]
    user_file = user_file if user_file is not None else user_price_file()
    if user_file.exists():
        extra, user_date = _read(user_file)
        models.update(extra)
        sources.append(str(user_file))
        date = user_date or date
    return PriceTable(models=models, date=date or "?", sources=tuple(sources))
