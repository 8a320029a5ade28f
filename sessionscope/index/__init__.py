"""The one index of every transcript (SQLite in the user's cache folder, mode 0600): the list's
fields and message counts, full-text search, caught up file by file as transcripts grow.

Pure: no Textual, no SDK. See :class:`~sessionscope.index.index.Index`; the search syntax is
``index.query``'s, the hits ``index.search``'s (imported from there: a listing needs neither).
"""

from .db import Database
from .index import Index, IndexUnusable
from .paths import cache_dir

__all__ = ["Database", "Index", "IndexUnusable", "cache_dir"]
