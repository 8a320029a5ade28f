"""Store URLs as people see them: never with the password in them."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


_URL_AUTH = re.compile(r"^([^:/?#]+://[^:@/?#]*):[^@]*@")
"""A URL's ``scheme://user:password@``, for URLs ``urlsplit`` refuses (``[`` unclosed)."""


def display_url(url: str) -> str:
    """``url`` without its password (``postgresql://alice@host/db``), for output, errors and
    logs. Works on libpq URLs and on ``key=value`` connection strings."""
    if "://" not in url:
        return _KEYWORD_PASSWORD.sub(r"\1***", url)
    try:
        parts = urlsplit(url)
    except ValueError:  # libpq refuses it too; it is still shown without its password
        shown = _URL_AUTH.sub(r"\1@", url)
        return re.sub(r"([?&])password=[^&]*", r"\1password=***", shown)
    netloc = parts.netloc
    if "@" in netloc:
        auth, host = netloc.rsplit("@", 1)
        netloc = auth.split(":", 1)[0] + "@" + host
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_password(url: str) -> str | None:
    """The password written in ``url``, if any (to scrub it from messages)."""
    if "://" not in url:
        found = _KEYWORD_PASSWORD.search(url)
        return found.group(2).strip("'") if found else None
    try:
        parts = urlsplit(url)
    except ValueError:
        found = _URL_AUTH.match(url)
        if found:
            return unquote(url[found.end(1) + 1 : found.end() - 1])
        found = re.search(r"[?&]password=([^&]*)", url)
        return unquote(found.group(1)) if found else None
    if "@" in parts.netloc:
        auth = parts.netloc.rsplit("@", 1)[0]
        if ":" in auth:
            return unquote(auth.split(":", 1)[1])
    found = re.search(r"(?:^|&)password=([^&]*)", parts.query)
    return unquote(found.group(1)) if found else None


def scrub(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (raw or URL-encoded) replaced by ``***``."""
    # The URL itself (libpq quotes it when it cannot parse it), its password as written there.
    text = text.replace(url, display_url(url))
    password = url_password(url)
    if password:
        from urllib.parse import quote

        for spelling in {password, quote(password, safe="")}:
            text = text.replace(spelling, "***")
    return text
