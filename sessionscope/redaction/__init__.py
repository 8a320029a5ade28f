"""Mask secrets in a transcript before it is exported, with detect-secrets' detectors.

Pure (no Textual, no SDK). detect-secrets (Yelp) finds the secrets: its provider plugins (AWS,
GitHub, GitLab, Slack, Stripe, OpenAI, PyPI, npm, Twilio, SendGrid, Discord, Telegram, JWTs,
…), private keys, passwords in URLs (``BasicAuthDetector``) and in assignments
(``KeywordDetector``), plus plugins of ours (``detectors.py``) for Anthropic keys and
OpenAI's keys of today, which it lacks, and for secrets assigned without quotes. Its
high-entropy detectors are left out: they would mask every commit hash and identifier. Each
secret becomes ``[redacted: KIND]`` (``[redacted: aws-access-key]``) and is counted by kind.

Where a detector reports only the start of a token (its GitHub pattern reports ``ghp``, its JWT
pattern stops before the signature), the mask runs on to the end of the token; a private key is
masked from its ``BEGIN`` line to its ``END`` line.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path

_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_\-+/=.]*")
"""What may follow a reported secret inside the same token (its end is masked too)."""

_LEFT_OUT = ("Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)")
"""detect-secrets plugins not used: they flag ordinary identifiers and addresses."""

_GENERIC = ("Secret Keyword", "Assigned Secret", "Basic Auth Credentials")
"""Kinds that say less than a provider's: when both report one span, the provider's wins."""

PRIVATE_KEY = "Private Key"

_SETTINGS_LOCK = threading.Lock()
"""detect-secrets keeps its settings in a global: one redaction at a time."""


@lru_cache(maxsize=1)
def _keyword_pattern() -> re.Pattern[str]:
    """The keyword detector's own keywords (``password``, ``api_key``, ``secret``...), to be
    looked for in text made lower case (ten times quicker than a case-blind pattern)."""
    from detect_secrets.plugins.keyword import DENYLIST_REGEX

    return re.compile(DENYLIST_REGEX)


def kind_name(secret_type: str) -> str:
    """``AWS Access Key`` → ``aws-access-key``."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


def redaction_mark(kind: str) -> str:
    return f"[redacted: {kind}]"


class Redactor:
    """Masks secrets in strings and JSON values; :attr:`counts` says how many of each kind.

    Use it as a context manager (it configures detect-secrets for the ``with`` block)::

        with Redactor() as redactor:
            safe = redactor.value(entry)
        redactor.counts  # Counter({"aws-access-key": 2})
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        """Secrets masked so far, by kind."""
        self._findings: dict[str, tuple[tuple[str, str], ...]] = {}
        """Each distinct line scanned, with what detect-secrets found in it (transcripts
        repeat a lot: a file read shows in the tool result and again in toolUseResult)."""
        self._settings = None

    def __enter__(self) -> Redactor:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import transient_settings

        _SETTINGS_LOCK.acquire()
        try:
            get_mapping_from_secret_type_to_class.cache_clear()
            names = [
                plugin.__name__
                for secret_type, plugin in get_mapping_from_secret_type_to_class().items()
                if secret_type not in _LEFT_OUT
            ]
            plugins = [{"name": name} for name in names]
            ours = f"file://{Path(__file__).with_name('detectors.py')}"
            for name in (
                "AnthropicKeyDetector",
                "OpenAIProjectKeyDetector",
                "AssignedSecretDetector",
            ):
                plugins.append({"name": name, "path": ours})
            self._settings = transient_settings({"plugins_used": plugins})
            self._settings.__enter__()
            get_mapping_from_secret_type_to_class.cache_clear()
        except BaseException:
            _SETTINGS_LOCK.release()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

        try:
            if self._settings is not None:
                self._settings.__exit__(None, None, None)
                self._settings = None
            get_mapping_from_secret_type_to_class.cache_clear()
        finally:
            _SETTINGS_LOCK.release()

    # -- scanning ---------------------------------------------------------------------------

    def _scan(self, line: str) -> tuple[tuple[str, str], ...]:
        """``(secret_type, value)`` for each secret detect-secrets finds in ``line``."""
        found = self._findings.get(line)
        if found is None:
            from detect_secrets.core.scan import scan_line

            found = tuple(
                (secret.type, secret.secret_value)
                for secret in scan_line(line)
                if secret.secret_value
            )
            # Providers first, so that their kind wins over a generic one on the same span.
            found = tuple(sorted(found, key=lambda item: item[0] in _GENERIC))
            self._findings[line] = found
        return found

    def _mask_line(self, line: str, findings: tuple[tuple[str, str], ...]) -> str:
        spans: list[tuple[int, int, str]] = []
        for secret_type, value in findings:
            start = line.find(value)
            while start >= 0:
                end = start + len(value)
                end = _TOKEN_CHARACTERS.match(line, end).end()
                while end > start + len(value) and line[end - 1] == ".":
                    end -= 1  # a full stop after a token ends the sentence, not the token
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, kind_name(secret_type)))
                start = line.find(value, end)
        for start, end, kind in sorted(spans, reverse=True):
            line = line[:start] + redaction_mark(kind) + line[end:]
            self.counts[kind] += 1
        return line

    def _may_hold_secrets(self, text: str) -> bool:
        """Whether any detector's patterns match anywhere in ``text``, before its filters.

        Scanning a line costs two dozen detector calls and the filters around them; most text
        holds no secret. Each detector's own ``analyze_string`` over the whole text finds at
        least what it finds line by line (its patterns stop at no line break a line's end does
        not), so text it finds nothing in is left as it is, unscanned line by line.
        """
        from detect_secrets.plugins.keyword import KeywordDetector
        from detect_secrets.settings import get_plugins

        lowered = text.lower()
        for plugin in get_plugins():
            # Every pattern of the keyword detector holds one of its keywords: text without
            # any is passed over at the cost of one search, not of its dozen patterns.
            if isinstance(plugin, KeywordDetector) and not _keyword_pattern().search(lowered):
                continue
            for _value in plugin.analyze_string(text):
                return True
        return False

    def text(self, text: str) -> str:
        """``text`` with every secret masked."""
        if not self._may_hold_secrets(text):
            return text
        lines = text.split("\n")
        out: list[str] = []
        at = 0
        while at < len(lines):
            line = lines[at]
            findings = self._scan(line)
            if "-----BEGIN" in line and any(kind == PRIVATE_KEY for kind, _ in findings):
                masked, at = self._mask_private_key(lines, at)
                out.append(masked)
                continue
            out.append(self._mask_line(line, findings) if findings else line)
            at += 1
        return "\n".join(out)

    def _mask_private_key(self, lines: list[str], at: int) -> tuple[str, int]:
        """The PEM private key starting on ``lines[at]`` masked whole (up to its END line, or
        to the end of the text when that is missing); the line after it. (Other key formats,
        and a mere mention of one, mask what the detector reported, like any secret.)"""
        kind = kind_name(PRIVATE_KEY)
        self.counts[kind] += 1
        line = lines[at]
        begin = line.find("-----BEGIN")
        last = at
        while last < len(lines) and not re.search(r"-----END[^-]*-----", lines[last]):
            last += 1
        if last == len(lines):
            return line[:begin] + redaction_mark(kind), last
        end = re.search(r"-----END[^-]*-----", lines[last])
        assert end is not None
        return line[:begin] + redaction_mark(kind) + lines[last][end.end() :], last + 1

    def value(self, value: object) -> object:
        """A JSON value (an entry) with every string in it masked; keys are kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def summary(self) -> str:
        """``redacted 3 secrets: 2 aws-access-key, 1 private-key`` (or that none was found)."""
        total = sum(self.counts.values())
        if not total:
            return "redacted nothing: no secret found"
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.counts.items()))
        return f"redacted {total} secret{'s' if total != 1 else ''}: {kinds}"
