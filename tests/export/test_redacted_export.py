"""``export --redact`` and the export dialog's "Mask secrets": realistic (made-up) secrets of the
usual providers, in every place a transcript holds text, are masked with their kind in every
format, counted on stderr, and nothing else is changed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input

from sessionscope.cli import main
from sessionscope.redaction import Redactor
from sessionscope.tui.app import make_app
from sessionscope.tui.screens.session_dialogs import ExportDialog
from tests.helpers.sample import assistant, user, write_session

SECRET_ID = "5e55a0e1-0000-4000-8000-0000000000a1"

# Made-up secrets in each provider's real shape (AWS's own documentation key; the rest random).
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
ANTHROPIC_KEY = "sk-ant-api03-" + "Zq8Xw2Lk9Pm4Rt7Yv1Bn6Hc3Jd5Fg0Ks" * 3 + "-Qw3ErtAA"
GITHUB_TOKEN = "ghp_" + "R8kLm2Nq5Tv9Xy3Zb6Cd1Fg4Hj7Kp0Ws2Eu5"
STRIPE_KEY = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXw9"
SLACK_TOKEN = "xoxb-" + "283746501928-3847561029384-Qm8Rt2Yx6Vb1Nc4Lk7Jh9Gf3"
DB_PASSWORD = "Wint3r-Harb0ur-42"
PLAIN_PASSWORD = "Summ3r-Quay-77x"
OPENAI_KEY = "sk-proj-" + "Tq7Wm2Xp9Lk4Rv8Yn3Bc6Hd1Jf5Gs0Ze" * 2
ASSIGNED_PASSWORD = "correct-horse-battery-staple-9"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiI0MjQyIiwibmFtZSI6IkFkYSBMb3ZlbGFjZSIsImlhdCI6MTcwMDAwMDAwMH0"
    ".Hq3v9Zk2LmN8pRt5Wx1Yb7Cd4Fg6Hj0Ks2Eu5Ti8Oa"
)
KEY_BODY = [
    "MIIEowIBAAKCAQEAwJ5Yk3T2q8VfX9zLr4mN1pQ6sH0uW7bC3dE5fG8hJ2kL4nM6",
    "oP9qR1sT3uV5wX7yZ0aB2cD4eF6gH8iJ0kL2mN4oP6qR8sT0uV2wX4yZ6aB8cD0",
]
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(KEY_BODY) + "\n-----END RSA PRIVATE KEY-----"
)
ENV_FILE = (
    f"DATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal:5432/shop\n"
    f"STRIPE_SECRET_KEY={STRIPE_KEY}\n"
    f"SLACK_BOT_TOKEN={SLACK_TOKEN}\n"
    f"APP_DB_PASSWORD={PLAIN_PASSWORD}\n"
    f"OPENAI_API_KEY={OPENAI_KEY}\n"
    "MAX_TOKENS=4096\n"
    "TOKEN_TYPE=bearer\n"
    f"{PRIVATE_KEY}\n"
)
SECRETS = [AWS_KEY, ANTHROPIC_KEY, GITHUB_TOKEN, STRIPE_KEY, SLACK_TOKEN, DB_PASSWORD]
SECRETS += [ASSIGNED_PASSWORD, PLAIN_PASSWORD, OPENAI_KEY, JWT, JWT.rsplit(".", 1)[1], *KEY_BODY]
KINDS = {
    "aws-access-key": 1,
    "anthropic-api-key": 1,
    "github-token": 1,
    "stripe-access-key": 1,
    "slack-token": 1,
    "basic-auth-credentials": 1,
    "secret-keyword": 1,
    "assigned-secret": 1,
    "openai-api-key": 1,
    "json-web-token": 1,
    "private-key": 1,
}
"""What the conversation holds (``show --json`` shows each once)."""
KEPT = [
    "3f786850e387550fdab836ed7e6dc881de23001b",  # a commit hash is no secret
    "db.internal:5432/shop",
    "the password is in the vault",
    "/home/ada/shop/.env",
    "MAX_TOKENS=4096",  # a telling name, but no secret's value
    "TOKEN_TYPE=bearer",
]


def secret_entries() -> list[dict]:
    s = SECRET_ID
    return [
        user(
            s,
            1,
            None,
            "2026-03-01T10:00:00.000Z",
            f"Deploy failed after commit 3f786850e387550fdab836ed7e6dc881de23001b. My AWS key is "
            f"{AWS_KEY} and ANTHROPIC_API_KEY={ANTHROPIC_KEY}; the password is in the vault.",
        ),
        assistant(
            s,
            2,
            1,
            "2026-03-01T10:00:02.000Z",
            "msg_01",
            {
                "type": "thinking",
                "thinking": f'The config sets password = "{ASSIGNED_PASSWORD}" in settings.py.',
                "signature": "sig",
            },
        ),
        assistant(
            s,
            3,
            2,
            "2026-03-01T10:00:03.000Z",
            "msg_01",
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "Bash",
                "input": {
                    "command": f"GITHUB_TOKEN={GITHUB_TOKEN} gh auth status && cat /home/ada/shop/.env",
                    "description": "Check the token and read the env file",
                },
            },
        ),
        user(
            s,
            4,
            3,
            "2026-03-01T10:00:04.000Z",
            [{"type": "tool_result", "tool_use_id": "toolu_01", "content": ENV_FILE}],
            toolUseResult={"stdout": ENV_FILE, "stderr": "", "interrupted": False},
            sourceToolAssistantUUID="00000000-0000-4000-8000-000000000003",
        ),
        assistant(
            s,
            5,
            4,
            "2026-03-01T10:00:09.000Z",
            "msg_02",
            {"type": "text", "text": f"The session cookie holds the JWT {JWT} which expired."},
        ),
        {"type": "custom-title", "customTitle": f"deploy with {AWS_KEY}", "sessionId": s},
    ]


@pytest.fixture
def secret_session(isolated_user_dirs: Path) -> Path:
    return write_session(isolated_user_dirs, secret_entries())


def _assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    for kept in KEPT:
        assert kept in text
    for kind in KINDS:
        assert f"[redacted: {kind}]" in text


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_every_format_masks_every_secret_with_its_kind(
    fmt: str, secret_session: Path, capsys
) -> None:
    assert main(["export", SECRET_ID, "--format", fmt]) == 0
    plain = capsys.readouterr()
    assert AWS_KEY in plain.out and plain.err == ""  # without --redact, nothing is changed

    assert main(["export", SECRET_ID, "--format", fmt, "--redact"]) == 0
    captured = capsys.readouterr()
    _assert_masked(captured.out)
    assert captured.err.count("\n") == 1
    total, listed = re.fullmatch(
        r"sessionscope: redacted (\d+) secrets: (.*)\n", captured.err
    ).groups()
    counted = {kind: int(count) for count, kind in (item.split(" ") for item in listed.split(", "))}
    assert sum(counted.values()) == int(total)
    assert set(counted) == set(KINDS)
    # Each format shows each secret once, Markdown and HTML the title too: so many masked (the
    # tool result's other copy of the output, in toolUseResult, is not exported nor scanned).
    in_title = {"aws-access-key": 1} if fmt != "json" else {}
    assert counted == {kind: count + in_title.get(kind, 0) for kind, count in KINDS.items()}
    if fmt == "json":
        records = [json.loads(line) for line in captured.out.splitlines()]
        assert [r["uuid"][-1] for r in records] == ["1", "2", "3", "4", "5"]
        command = records[2]["message"]["content"][0]["input"]["command"]
        assert (
            command
            == "GITHUB_TOKEN=[redacted: github-token] gh auth status && cat /home/ada/shop/.env"
        )
    if fmt == "md":
        assert "# deploy with [redacted: aws-access-key]" in captured.out
        assert (
            "DATABASE_URL=postgres://app:[redacted: basic-auth-credentials]@db.internal:5432/shop\n"
            "STRIPE_SECRET_KEY=[redacted: stripe-access-key]\n"
            "SLACK_BOT_TOKEN=[redacted: slack-token]\n"
            "APP_DB_PASSWORD=[redacted: assigned-secret]\n"
            "OPENAI_API_KEY=[redacted: openai-api-key]\n"
            "MAX_TOKENS=4096\n"
            "TOKEN_TYPE=bearer\n"
            "[redacted: private-key]\n"
        ) in captured.out
        assert 'password = "[redacted: secret-keyword]" in settings.py' in captured.out


def test_written_to_a_file_the_summary_goes_to_stderr(
    secret_session: Path, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "shared.html"
    assert main(["export", SECRET_ID, "--format", "html", "-o", str(target), "--redact"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("sessionscope: redacted ") and f"wrote {target}" in err
    _assert_masked(target.read_text(encoding="utf-8"))


def test_a_session_without_secrets_says_so(isolated_user_dirs: Path, capsys) -> None:
    from tests.helpers.sample import SAMPLE_ID, sample_entries

    write_session(isolated_user_dirs, sample_entries())
    assert main(["export", SAMPLE_ID, "--format", "md"]) == 0
    plain = capsys.readouterr().out
    assert main(["export", SAMPLE_ID, "--format", "md", "--redact"]) == 0
    captured = capsys.readouterr()
    assert captured.out == plain
    assert captured.err == "sessionscope: redacted nothing: no secret found\n"


def test_redactor_masks_a_private_key_without_its_end_and_keeps_a_mention() -> None:
    with Redactor() as redactor:
        cut = redactor.text("before\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n")
        mention = redactor.text("never paste keys (BEGIN PRIVATE KEY, etc.) into chats")
    assert cut == "before\n[redacted: private-key]"
    assert mention == "never paste keys ([redacted: private-key], etc.) into chats"
    assert redactor.counts == {"private-key": 2}


def test_secrets_assigned_without_quotes_are_masked_and_code_naming_them_is_kept() -> None:
    with Redactor() as redactor:
        masked = redactor.text(
            "export GH_TOKEN=ghx9f8s7d6f5g4h3j2k1; password=Sup3rS3cret! api_key: k3y-v4lu3-h3r3"
        )
        kept = [
            "max_tokens: 4096",
            "token_type=bearer",
            "api_key=YOUR_API_KEY_HERE",
            "secret_key = os.environ.get('X')",
            "token=self.token2",
            "password=$PASSWORD",
            "PASSWORD={{ secret }}",
            "author=Jane2024",
        ]
        assert [redactor.text(line) for line in kept] == kept
    assert masked == (
        "export GH_TOKEN=[redacted: assigned-secret]; password=[redacted: assigned-secret] "
        "api_key: [redacted: assigned-secret]"
    )
    assert redactor.counts == {"assigned-secret": 3}


def test_every_corpus_session_exports_redacted(shared_corpus: Path) -> None:
    from sessionscope.export import load_document, to_markdown

    # The files under 1 MB (detect-secrets scans each line with two dozen detectors: all 61 MB
    # of the corpus would take twenty seconds of the suite).
    files = [
        path
        for path in sorted((shared_corpus / "projects").glob("*/*.jsonl"))
        if path.stat().st_size < 1_000_000
    ]
    assert files
    with Redactor() as redactor:
        for path in files:
            plain = to_markdown(load_document(path))
            masked = to_markdown(load_document(path, redactor))
            # Masking only ever replaces spans: a document with nothing found is unchanged.
            if "[redacted: " not in masked:
                assert masked == plain


async def test_the_export_dialog_offers_to_mask_secrets(
    secret_session: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    target = tmp_path / "shared.md"
    app = make_app(isolated_user_dirs, clock=lambda: datetime(2026, 3, 3, tzinfo=UTC), tz=UTC)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.main_screen.session_list.select_session(SECRET_ID)
        await pilot.pause()
        app.notify = lambda message, **_: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("e")
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#format-md").value = True
        app.screen.query_one("#export-path", Input).value = str(target)
        app.screen.query_one("#export-redact", Checkbox).value = True
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
    _assert_masked(target.read_text(encoding="utf-8"))
    assert any(note.startswith(f"Exported to {target} (redacted ") for note in notes)
