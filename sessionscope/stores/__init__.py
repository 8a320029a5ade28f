"""Sessions kept elsewhere than local files: the PostgreSQL ``SessionStore`` (the SDK's
protocol) and what reads a store with the same views as local transcripts. No Textual here;
the SDK is imported only where it is used."""

from .postgres import (
    DEFAULT_TABLE,
    NotYourSession,
    PostgresSessionStore,
    StoreError,
    StoreUnavailable,
)
from .urls import display_url

__all__ = [
    "DEFAULT_TABLE",
    "NotYourSession",
    "PostgresSessionStore",
    "StoreError",
    "StoreUnavailable",
    "display_url",
]
