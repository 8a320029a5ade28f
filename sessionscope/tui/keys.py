"""Key remapping and the list of every key, for the help screen and the command palette.

Every binding in the app has an ``id``. Users remap them with ``App.set_keymap`` through either

* ``$SESSIONSCOPE_KEYMAP``: ``"fork=F copy-uuid=Y,ctrl+y"`` (``id=keys`` pairs separated by spaces or
  ``;``; several keys for one id separated by ``,``), or
* ``$XDG_CONFIG_HOME/sessionscope/keymap.toml`` (default ``~/.config/sessionscope/keymap.toml``)::

      [keymap]
      fork = "F"
      copy-uuid = "Y,ctrl+y"

The environment wins over the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode


def keymap_file(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sessionscope" / "keymap.toml"


def parse_keymap_env(text: str) -> dict[str, str]:
    """``"fork=F; copy-uuid=Y,ctrl+y"`` → ``{"fork": "F", "copy-uuid": "Y,ctrl+y"}``."""
    keymap: dict[str, str] = {}
    for item in re.split(r"[;\s]+", text.strip()):
        if not item:
            continue
        binding_id, sep, keys = item.partition("=")
        if not sep or not binding_id or not keys:
            raise ValueError(f"SESSIONSCOPE_KEYMAP: expected id=keys, got {item!r}")
        keymap[binding_id] = keys
    return keymap


def load_keymap(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The user's keymap from the config file and the environment; ``ValueError`` if malformed."""
    environ = os.environ if environ is None else environ
    keymap: dict[str, str] = {}
    path = keymap_file(environ)
    if path.is_file():
        import tomllib

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"{path}: {error}") from error
        table = data.get("keymap", {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ValueError(f"{path}: [keymap] must map binding ids to key strings")
        keymap.update(table)
    if environ.get("SESSIONSCOPE_KEYMAP"):
        keymap.update(parse_keymap_env(environ["SESSIONSCOPE_KEYMAP"]))
    return keymap


def section_name(node: DOMNode) -> str:
    """The heading a node's keys are listed under."""
    return getattr(node, "BINDING_GROUP_TITLE", None) or type(node).__name__


def iter_bindings(nodes: list[DOMNode]) -> Iterator[tuple[DOMNode, Binding]]:
    """Every binding with an id on ``nodes`` (inherited ones too), once each, its ``key`` naming
    every key bound to it: Textual keeps one ``Binding`` a key (``"enter,down"`` is two)."""
    found: dict[tuple[str, str], tuple[DOMNode, Binding, list[str]]] = {}
    for node in nodes:
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.id is None or not binding.description:
                    continue
                first = found.setdefault((section_name(node), binding.id), (node, binding, []))
                if first[0] is node and key not in first[2]:
                    first[2].append(key)
    for node, binding, keys in found.values():
        yield node, replace(binding, key=",".join(keys))


def key_display(app, binding: Binding) -> str:
    """The keys for ``binding`` after the user's keymap, as the footer shows them."""
    keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key:
            shown.append(app.get_key_display(Binding(key, "")))
    return " ".join(shown)


def binding_nodes(app, screen=None) -> list[DOMNode]:
    """The app, a screen (default: the current one), and every widget on it with bindings."""
    screen = screen or app.screen
    nodes: list[DOMNode] = [app, screen]
    nodes += [widget for widget in screen.query("*") if widget._bindings.key_to_bindings]
    return nodes
