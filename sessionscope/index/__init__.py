"""The one index of every transcript (SQLite in the user's cache folder, mode 0600): the list's
fields and message counts, full-text search, caught up file by file as transcripts grow.

Pure: no Textual, no SDK. See :class:`~sessionscope.index.index.Index`.
"""

from .db import Database
from .index import Index
from .paths import cache_dir
from .query import Query, QueryError, parse_query
from .search import Hit

__all__ = ["Database", "Hit", "Index", "Query", "QueryError", "cache_dir", "parse_query"]
