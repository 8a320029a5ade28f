"""Find sessions and cache their metadata in SQLite (the user's cache folder, mode 0600).

Pure: no Textual, no SDK. See :class:`~sessionscope.catalog.catalog.Catalog`.
"""

from .catalog import Catalog, Refresh
from .paths import cache_dir
from .store import MetaStore

__all__ = ["Catalog", "MetaStore", "Refresh", "cache_dir"]
