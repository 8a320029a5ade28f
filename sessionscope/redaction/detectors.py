"""detect-secrets plugins for what its own miss and these transcripts are likely to hold:
Anthropic API and admin keys (``sk-ant-api03-…``, ``sk-ant-admin01-…``), OpenAI's keys of
today (``sk-proj-…``, ``sk-svcacct-…``, ``sk-admin-…``: its plugin knows only the older
``…T3BlbkFJ…`` shape), and secrets assigned without quotes to a name that says what they are
(``DB_PASSWORD=…`` in an env file, ``export OPENAI_API_KEY=…``, ``api_key: …``), which its
keyword detector finds only in quotes outside config files.

detect-secrets loads this file by path (a ``plugins_used`` entry with ``path``), so it imports
nothing of sessionscope.
"""

import re

from detect_secrets.plugins.base import RegexBasedDetector


class AnthropicKeyDetector(RegexBasedDetector):
    """Scans for Anthropic API keys."""

    secret_type = "Anthropic API Key"

    denylist = [re.compile(r"sk-ant-[a-z]+[0-9]*-[A-Za-z0-9_\-]{32,}")]


class OpenAIProjectKeyDetector(RegexBasedDetector):
    """Scans for OpenAI project, service account and admin keys."""

    secret_type = "OpenAI API Key"

    denylist = [re.compile(r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{32,}")]


_NAME_WORDS = (
    r"password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?"
)
"""The words that make a name say "secret"."""

_ASSIGNED = re.compile(
    rf"""(?ix)
    (?:{_NAME_WORDS})
    [A-Za-z0-9_]{{0,40}}
    [ \t]*[:=][ \t]*
    ([^\s'"`;,&|()\[\]{{}}<>$%*]{{8,}})
    """
)
"""A name that says "secret" (the word, then the rest of the name, bounded), then ``=`` or
``:``, then a value without quotes."""

_NAMES = re.compile(_NAME_WORDS)
"""The same words, looked for first in the text made lower case (ten times quicker than the
case-blind pattern over text that holds none)."""

_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
"""``self.token2``, ``settings.SECRET_KEY``: code naming a value, not the value."""


class AssignedSecretDetector(RegexBasedDetector):
    """Scans for secrets assigned without quotes to a telling name. A value has letters and
    digits both (so ``max_tokens: 4096``, ``token_type=bearer`` and ``api_key=YOUR_KEY_HERE``
    are left), and is no variable, template or dotted name (``$TOKEN``, ``{{ secret }}``,
    ``os.environ``)."""

    secret_type = "Assigned Secret"

    denylist = [_ASSIGNED]

    def analyze_string(self, string):
        if not _NAMES.search(string.lower()):
            return
        for value in super().analyze_string(string):
            if (
                any(c.isalpha() for c in value)
                and any(c.isdigit() for c in value)
                and not _DOTTED_NAME.fullmatch(value)
            ):
                yield value
