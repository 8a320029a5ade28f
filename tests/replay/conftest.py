"""Fixtures for export, replay and rename/tag/delete tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .sample import hostile_entries, sample_entries, write_session


@pytest.fixture
def sample_session(isolated_user_dirs: Path) -> Path:
    """The sample session written into the test's own CLAUDE_CONFIG_DIR."""
    return write_session(isolated_user_dirs, sample_entries())


@pytest.fixture
def hostile_session(isolated_user_dirs: Path) -> Path:
    return write_session(isolated_user_dirs, hostile_entries())
