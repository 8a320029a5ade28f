"""The one index of every transcript (SQLite in the user's cache folder, mode 0600): the list's
fields and message counts, full-text search, caught up file by file as transcripts grow.

Pure: no Textual, no SDK. See :class:`~sessionscope.index.index.Index`.

The names below are imported when first asked for: a command on a store parses its query with
``index.query`` and never opens the SQLite index (``index.index`` is a fifth of its start-up).
"""

from importlib import import_module

_MODULE_OF = {
    "Database": ".db",
    "Hit": ".search",
    "Index": ".index",
    "Query": ".query",
    "QueryError": ".query",
    "cache_dir": ".paths",
    "parse_query": ".query",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULE_OF[name], __name__), name)
    globals()[name] = value
    return value
