"""Where transcripts are: the projects folder, a working directory's project folder, every
session file, a session's file by id, subagent files; and opening one safely.

Which files are sessions follows the SDK (``projects/<folder>/<uuid>.jsonl``); project folder
names are the CLI's (``sanitize_path``). Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "AmbiguousSession",
    "SessionLookupError",
    "agent_files",
    "find_project_dir",
    "files_of_session",
    "find_session_file",
    "jsonl_files_under",
    "open_regular",
    "project_folders",
    "projects_dir",
    "sanitize_path",
    "session_file_id",
    "session_files",
    "session_of_path",
    "subagents_dir",
    "transcript_files",
    "validate_session_id",
]

MAX_SANITIZED_LENGTH = 200
"""Longest project folder name before the CLI cuts it and appends a hash."""

_SANITIZE_RE = re.compile(r"[^a-zA-Z0-9]")

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
"""The SDK's pattern (``[0-9a-f]`` with ``re.IGNORECASE``), spelt out: it matches exactly the
same strings (no other character folds to ``a``-``f``)."""


def validate_session_id(session_id: str) -> str | None:
    """``session_id`` if it is a UUID (any case), else ``None`` (as the SDK)."""
    return session_id if _UUID_RE.match(session_id) else None


def default_config_dir() -> Path:
    """The Claude config folder when none is given: ``$CLAUDE_CONFIG_DIR``, else
    ``~/.claude``."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(
        os.path.expanduser(env) if env else os.path.join(os.path.expanduser("~"), ".claude")
    )


def home_as_tilde(path: str) -> str:
    """``path`` with the home folder written ``~`` (``~/src/app``)."""
    home = os.path.expanduser("~")
    if home not in ("", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def projects_dir(config_dir: str | os.PathLike[str]) -> Path:
    """``<config_dir>/projects``, NFC-normalised as the SDK does."""
    return Path(unicodedata.normalize("NFC", os.fspath(config_dir))) / "projects"


def _session_names_in(folder: str | os.PathLike[str]) -> list[str]:
    """``<uuid>.jsonl`` names in one project folder, in directory order (as the SDK)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names if name.endswith(".jsonl") and validate_session_id(name[:-6])]


def open_regular(path: str | os.PathLike[str]) -> int:
    """Open a file for reading and return its descriptor, refusing anything but a regular file.

    A named pipe or a device named ``<uuid>.jsonl`` would block the open or never end a read:
    it is opened without blocking and refused with ``OSError``, like an unreadable file.
    """
    fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OSError(errno.EINVAL, kind, os.fspath(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class SessionLookupError(LookupError):
    """A session id that is malformed or names no session; the message says which."""


class AmbiguousSession(SessionLookupError):
    """A session id found in several project folders (a copied project): which one is meant
    is the user's choice (``--project``), never the first folder listed."""


def _simple_hash(text: str) -> str:
    value = 0
    for character in text:
        value = (value << 5) - value + ord(character)
        value &= 0xFFFFFFFF
        if value >= 0x80000000:
            value -= 0x100000000
    value = abs(value)
    if value == 0:
        return "0"
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    while value > 0:
        out.append(digits[value % 36])
        value //= 36
    return "".join(reversed(out))


def sanitize_path(name: str) -> str:
    """A working directory's project folder name, as the CLI and the SDK make it."""
    sanitized = _SANITIZE_RE.sub("-", name)
    if len(sanitized) <= MAX_SANITIZED_LENGTH:
        return sanitized
    return f"{sanitized[:MAX_SANITIZED_LENGTH]}-{_simple_hash(name)}"


def _canonicalize_path(directory: str) -> str:
    try:
        return unicodedata.normalize("NFC", os.path.realpath(directory))
    except OSError:
        return unicodedata.normalize("NFC", directory)


def find_project_dir(config_dir: str | os.PathLike[str], project_path: str) -> Path | None:
    """The project folder of a working directory (tolerates hash suffixes of long paths)."""
    projects = projects_dir(config_dir)
    exact = projects / sanitize_path(project_path)
    if exact.is_dir():
        return exact
    sanitized = sanitize_path(project_path)
    if len(sanitized) <= MAX_SANITIZED_LENGTH:
        return None
    prefix = sanitized[:MAX_SANITIZED_LENGTH]
    try:
        for entry in projects.iterdir():
            if entry.is_dir() and entry.name.startswith(prefix + "-"):
                return entry
    except OSError:
        pass
    return None


def _worktree_paths(cwd: str) -> list[str]:
    """The git worktrees of the repository holding ``cwd`` (empty when git says nothing)."""
    import subprocess

    try:
        result = subprocess.run(
            ["git", "worktree", "list", "--porcelain"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if result.returncode != 0 or not result.stdout:
        return []
    return [
        unicodedata.normalize("NFC", line[len("worktree ") :])
        for line in result.stdout.split("\n")
        if line.startswith("worktree ")
    ]


def project_dirs(config_dir: str | os.PathLike[str]) -> list[Path]:
    projects = projects_dir(config_dir)
    try:
        names = os.listdir(projects)
    except OSError:
        return []
    return [projects / name for name in names if (projects / name).is_dir()]


def project_folders(config_dir: str | os.PathLike[str], project: str) -> list[tuple[Path, str]]:
    """``(folder, working directory)`` pairs for ``--project``: its folder and its worktrees'.

    ``project`` may also be a folder name under ``projects/`` (as ``list`` prints it).
    """
    projects = projects_dir(config_dir)
    if os.sep not in project and (projects / project).is_dir() and not Path(project).is_dir():
        return [(projects / project, "")]
    canonical = _canonicalize_path(project)
    worktrees = _worktree_paths(canonical)
    if len(worktrees) <= 1:
        folder = find_project_dir(config_dir, canonical)
        return [(folder, canonical)] if folder is not None else []
    case_insensitive = sys.platform == "win32"
    indexed = []
    for worktree in worktrees:
        prefix = sanitize_path(worktree)
        indexed.append((worktree, prefix.lower() if case_insensitive else prefix))
    indexed.sort(key=lambda pair: len(pair[1]), reverse=True)
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    own = find_project_dir(config_dir, canonical)
    if own is not None:
        seen.add(own.name.lower() if case_insensitive else own.name)
        found.append((own, canonical))
    for folder in project_dirs(config_dir):
        name = folder.name.lower() if case_insensitive else folder.name
        if name in seen:
            continue
        for worktree, prefix in indexed:
            if name == prefix or (
                len(prefix) >= MAX_SANITIZED_LENGTH and name.startswith(prefix + "-")
            ):
                seen.add(name)
                found.append((folder, worktree))
                break
    return found


def session_files(
    config_dir: str | os.PathLike[str], project: str | None = None
) -> list[tuple[str, str | None]]:
    """The files :func:`list_sessions` reads, in its order, as ``(path, working directory the
    SDK falls back to for cwd)`` (``None`` when listing every project)."""
    if project:
        folders = [
            (str(folder), path or None) for folder, path in project_folders(config_dir, project)
        ]
    else:
        folders = [(str(folder), None) for folder in project_dirs(config_dir)]
    return [
        (os.path.join(folder, name), project_path)
        for folder, project_path in folders
        for name in _session_names_in(folder)
    ]


def files_of_session(config_dir: str | os.PathLike[str], session_id: str) -> list[tuple[Path, int]]:
    """``(file, size)`` of every ``projects/<folder>/<session_id>.jsonl`` that is a regular file
    (a folder, a pipe or a device by that name is no transcript), in directory order, the order
    the SDK looks in. ``OSError`` when ``projects/`` cannot be listed."""
    projects = projects_dir(config_dir)
    found = []
    for name in os.listdir(projects):
        candidate = projects / name / f"{session_id}.jsonl"
        try:
            status = candidate.stat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode):
            found.append((candidate, status.st_size))
    return found


def find_session_file(
    config_dir: str | os.PathLike[str], session_id: str, project: str | None = None
) -> Path:
    """The transcript file of ``session_id``: in ``project``'s folders (``--project``: a working
    directory, with its worktrees, or a folder name under ``projects/``), else in any.

    Raises :class:`SessionLookupError` with one clear line: not a UUID, no projects folder, no
    such session; :class:`AmbiguousSession` when it is in several folders. Empty files are
    passed over as the SDK passes them over, unless there is nothing else.
    """
    text = session_id.strip()
    if not validate_session_id(text):
        raise SessionLookupError(
            f"not a session id: {text!r} (expected a UUID like 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)"
        )
    projects = projects_dir(config_dir)
    try:
        found = files_of_session(config_dir, text)
    except FileNotFoundError:
        raise SessionLookupError(f"no sessions folder: {projects} does not exist") from None
    except OSError as error:
        raise SessionLookupError(f"cannot read {projects}: {error.strerror or error}") from None
    if project is not None:
        folders = {folder for folder, _cwd in project_folders(config_dir, project)}
        if not folders:
            raise SessionLookupError(f"no project {project} under {projects}")
        found = [(path, size) for path, size in found if path.parent in folders]
        if not found:
            raise SessionLookupError(f"no session {text} in project {project}")
    candidates = [path for path, size in found if size > 0] or [path for path, _ in found]
    if len(candidates) > 1:
        names = ", ".join(sorted(path.parent.name for path in candidates))
        raise AmbiguousSession(f"session {text} is in {len(candidates)} projects: {names}")
    if candidates:
        return candidates[0]
    raise SessionLookupError(f"no session {text} under {projects}")


def subagents_dir(session_path: str | os.PathLike[str]) -> Path:
    """``<project>/<session>/subagents`` for ``<project>/<session>.jsonl``."""
    return Path(session_path).with_suffix("") / "subagents"


def agent_files(
    base_dir: str | os.PathLike[str], folders: dict[str, int] | None = None
) -> list[tuple[str, str]]:
    """``(agent id, file path)`` of the ``agent-*.jsonl`` files under ``base_dir``, walked in
    name order (as the SDK). ``folders`` gets the mtime of each folder listed."""
    found = _files_under(
        base_dir, lambda name: name.startswith("agent-") and name.endswith(".jsonl"), folders
    )
    return [(os.path.basename(path)[len("agent-") : -len(".jsonl")], path) for path in found]


def jsonl_files_under(folder: Path) -> list[Path]:
    """``*.jsonl`` under ``folder``, recursively, sorted per folder (the SDK's import order)."""
    return [Path(path) for path in _files_under(folder, lambda name: name.endswith(".jsonl"))]


def _files_under(
    base_dir: str | os.PathLike[str],
    wanted: Callable[[str], bool],
    folders: dict[str, int] | None = None,
) -> list[str]:
    """The files under ``base_dir`` whose names are ``wanted``, walked in name order (as the
    SDK), folders within folders; ``folders`` gets the mtime of each folder listed. A linked
    folder is followed (the SDK follows them), but not to a folder the walk is in (a link back
    up the tree) or has walked already: the SDK's walk never ends there."""
    results: list[str] = []
    walked: set[str] = set()
    """The real paths of the folders the walk was led to by links, and of the one it began at."""

    def walked_before(link: str) -> bool:
        if not walked:
            walked.add(os.path.realpath(base_dir))
        real = os.path.realpath(link)
        inside = os.path.realpath(os.path.dirname(link)) + os.sep
        if real in walked or inside.startswith(real.rstrip(os.sep) + os.sep):
            return True
        walked.add(real)
        return False

    def walk(current: str) -> None:
        # os.scandir: a child's kind comes with its name (no stat a child, as Path.is_file
        # would make), which is most of a catch-up's walk over every session's folder.
        if folders is not None:
            _note_folder(folders, current)
        try:
            with os.scandir(current) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError:
            return
        for child in children:
            if _is_file(child):
                if wanted(child.name):
                    results.append(child.path)
            elif _is_dir(child) and not (child.is_symlink() and walked_before(child.path)):
                walk(child.path)

    walk(os.fspath(base_dir))
    return results


def _is_file(item: os.DirEntry[str]) -> bool:
    """Whether ``item`` is a file (following links); ``False`` when that cannot be told (a
    link to itself: ``DirEntry`` raises for it, where ``Path.is_file`` says ``False``)."""
    try:
        return item.is_file()
    except OSError:
        return False


def _is_dir(item: os.DirEntry[str]) -> bool:
    """Whether ``item`` is a folder (following links); ``False`` when that cannot be told."""
    try:
        return item.is_dir()
    except OSError:
        return False


def _note_folder(folders: dict[str, int], path: str) -> None:
    with contextlib.suppress(OSError):  # not there (yet): its parent's mtime changes then
        folders[path] = os.stat(path).st_mtime_ns


def transcript_files(
    config_dir: str | os.PathLike[str], folders: dict[str, int] | None = None
) -> list[tuple[str, str | None, str]]:
    """``(path, session id, project folder)`` of every transcript: each session's
    file, its ``subagents/`` transcripts (its id), and older ``agent-*.jsonl`` files beside
    the sessions (``None``: their entries name their session).

    ``folders`` gets the mtime of every folder whose entries decide what is found (taken
    before listing it): while none of them changes, neither does what this finds (a folder's
    mtime changes when an entry is added to it, removed or renamed; not when a file grows)."""
    found: list[tuple[str, str | None, str]] = []
    projects = projects_dir(config_dir)
    if folders is not None:
        _note_folder(folders, str(projects))
    try:
        project_folders = sorted(os.scandir(projects), key=lambda item: item.name)
    except OSError:
        return found
    for folder in project_folders:
        if not _is_dir(folder):
            continue
        if folders is not None:
            _note_folder(folders, folder.path)
        try:
            items = sorted(os.scandir(folder.path), key=lambda item: item.name)
        except OSError:
            continue
        for item in items:
            name = item.name
            if name.endswith(".jsonl") and _is_file(item):
                stem = name[: -len(".jsonl")]
                if validate_session_id(stem):
                    found.append((item.path, stem, folder.name))
                elif stem.startswith("agent-"):
                    found.append((item.path, None, folder.name))
            elif _is_dir(item) and validate_session_id(name):
                if folders is not None:
                    _note_folder(folders, item.path)
                for _agent, path in agent_files(os.path.join(item.path, "subagents"), folders):
                    found.append((path, name, folder.name))
    return found


def session_of_path(path: str) -> str | None:
    """The session a transcript belongs to, by its path: ``<id>.jsonl``, or
    ``<id>/subagents/.../agent-*.jsonl``; ``None`` when only its entries can say."""
    name = os.path.basename(path)
    if name.endswith(".jsonl") and validate_session_id(name[:-6]):
        return name[:-6]
    parts = Path(path).parts
    if "subagents" in parts:
        at = len(parts) - 1 - parts[::-1].index("subagents")
        if at > 0 and validate_session_id(parts[at - 1]):
            return parts[at - 1]
    return None


def session_file_id(path: str, root: str) -> str | None:
    """The session id of ``path`` when it is a session's own transcript
    (``<root>/<project>/<id>.jsonl``); ``None`` for anything else (a subagent's transcript)."""
    folder, name = os.path.split(path)
    if os.path.dirname(folder) != root or not name.endswith(".jsonl"):
        return None
    return name[:-6] if validate_session_id(name[:-6]) else None
