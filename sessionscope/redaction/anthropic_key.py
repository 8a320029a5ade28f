"""A detect-secrets plugin for the one provider its plugins miss that these transcripts are
most likely to hold: Anthropic API and admin keys (``sk-ant-api03-…``, ``sk-ant-admin01-…``).

detect-secrets loads this file by path (a ``plugins_used`` entry with ``path``), so it imports
nothing of sessionscope.
"""

import re

from detect_secrets.plugins.base import RegexBasedDetector


class AnthropicKeyDetector(RegexBasedDetector):
    """Scans for Anthropic API keys."""

    secret_type = "Anthropic API Key"

    denylist = [re.compile(r"sk-ant-[a-z]+[0-9]*-[A-Za-z0-9_\-]{32,}")]
