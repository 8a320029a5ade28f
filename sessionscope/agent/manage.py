"""Rename, tag and delete sessions through the SDK, and undo a delete for the rest of the run.

The SDK's ``rename_session`` / ``tag_session`` append a metadata entry to the transcript, and
``delete_session`` removes the file and its ``<id>/`` folder of subagent transcripts. Nothing here
writes a transcript by itself, except :meth:`Trash.restore`, which puts back the exact bytes a
delete removed (the SDK has no restore).

The session's file is found here (``find_session_file``: ``project`` chooses among copies in
several project folders), and the SDK is shown only that file's folder (:func:`sdk_session_view`),
so it acts on the very file chosen, never on the first copy it happens to list.
The SDK is imported inside the functions: importing it costs over a second.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sessionscope.transcripts.files import SessionLookupError, find_session_file, open_regular

_ENV_LOCK = threading.RLock()
"""Serialises changes of ``CLAUDE_CONFIG_DIR`` made for SDK calls (the environment is global)."""


class SessionActionError(Exception):
    """A rename/tag/delete/restore that could not be done; the message is one clear line."""


@contextlib.contextmanager
def sdk_session_view(session_path: Path) -> Iterator[None]:
    """Run SDK session functions (which find files under ``$CLAUDE_CONFIG_DIR/projects``) with a
    private config folder whose ``projects/`` holds one link: to ``session_path``'s folder. They
    read, append, write a fork beside it or delete through the link, in the real folder."""
    folder = Path(session_path).parent
    with _ENV_LOCK:
        view = Path(tempfile.mkdtemp(prefix="sessionscope-sdk-"))
        previous = os.environ.get("CLAUDE_CONFIG_DIR")
        try:
            (view / "projects").mkdir()
            (view / "projects" / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
            os.environ["CLAUDE_CONFIG_DIR"] = str(view)
            yield
        finally:
            if previous is None:
                os.environ.pop("CLAUDE_CONFIG_DIR", None)
            else:
                os.environ["CLAUDE_CONFIG_DIR"] = previous
            shutil.rmtree(view, ignore_errors=True)  # the link, not what it points at


def _check_id(session_id: str) -> str:
    try:
        return str(uuid.UUID(session_id))
    except (ValueError, AttributeError, TypeError):
        raise SessionActionError(f"not a session id: {session_id!r}") from None


def _session_file(config_dir: Path, session_id: str, project: str | None) -> Path:
    """The file to act on (see :func:`find_session_file`), or a :class:`SessionActionError`."""
    try:
        path = find_session_file(config_dir, session_id, project)
    except SessionLookupError as error:
        raise SessionActionError(str(error)) from None
    with contextlib.suppress(OSError):  # gone meanwhile: the SDK says so
        if path.stat().st_size == 0:
            # The SDK takes an empty <id>.jsonl for "no session here" and would say "not found".
            raise SessionActionError(f"session {session_id} is an empty file, {path}: no session")
    return path


def _appendable(path: Path, session_id: str, what: str) -> None:
    """Refuse to append to a transcript whose last line is unfinished (no newline yet): the
    SDK writes its entry straight after those bytes, joining both into one bad line, so the
    change would be lost and, if Claude Code is writing that line, the entry it finishes too."""
    try:
        with open(open_regular(path), "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            last = handle.read(1)
    except OSError:
        return  # empty or unreadable: the SDK says what it finds
    if last != b"\n":
        raise SessionActionError(
            f"{what} {session_id}: its last line is unfinished (Claude Code may be writing it); "
            "try again when it is written"
        )


def rename_session(
    config_dir: Path, session_id: str, title: str, project: str | None = None
) -> None:
    """Give the session a custom title (the SDK appends a ``custom-title`` entry)."""
    session_id = _check_id(session_id)
    if not title.strip():
        raise SessionActionError("a title cannot be empty")
    path = _session_file(config_dir, session_id, project)
    _appendable(path, session_id, "not renamed")
    from claude_agent_sdk import rename_session as sdk_rename

    with sdk_session_view(path):
        try:
            sdk_rename(session_id, title)
        except (ValueError, OSError) as error:
            raise SessionActionError(f"could not rename {session_id}: {error}") from error


def tag_session(
    config_dir: Path, session_id: str, tag: str | None, project: str | None = None
) -> None:
    """Tag the session; ``None`` or a blank tag clears it (the SDK appends a ``tag`` entry)."""
    session_id = _check_id(session_id)
    if tag is not None and not tag.strip():
        tag = None
    path = _session_file(config_dir, session_id, project)
    _appendable(path, session_id, "not tagged")
    from claude_agent_sdk import tag_session as sdk_tag

    with sdk_session_view(path):
        try:
            sdk_tag(session_id, tag)
        except (ValueError, OSError) as error:
            raise SessionActionError(f"could not tag {session_id}: {error}") from error


def delete_session(config_dir: Path, session_id: str, project: str | None = None) -> Path:
    """Delete the session for good (the SDK's ``delete_session``: the transcript and its
    ``<id>/`` folder of subagent transcripts); returns where the transcript was."""
    session_id = _check_id(session_id)
    path = _session_file(config_dir, session_id, project)
    from claude_agent_sdk import delete_session as sdk_delete

    from ..index import Index

    # The index forgets the session while its files are still there to read its words back
    # from (the full-text table keeps no copy of the text): none of them stay.
    index = Index(config_dir)
    try:
        index.forget_session(session_id)
    finally:
        index.close()
    with sdk_session_view(path):
        try:
            sdk_delete(session_id)
        except (ValueError, OSError) as error:
            raise SessionActionError(f"could not delete {session_id}: {error}") from error
    return path


@dataclass(slots=True)
class DeletedSession:
    """A session deleted in this run, with the copy that can bring it back."""

    session_id: str
    path: Path
    """Where the transcript was."""
    saved_file: Path
    """Its bytes, copied before the delete."""
    saved_subagents: Path | None
    """The ``<id>/`` folder beside it, copied before the delete, if there was one."""
    mtime_ns: int
    """The transcript's modification time, put back on restore (lists sort by it)."""
    title: str = ""
    """What the user knew it by, for messages ("restored 'fix the parser'")."""


@dataclass
class Trash:
    """Copies of the sessions deleted in this run, so each delete can be undone until exit.

    The copies live in a private temporary folder (mode 0700), never in the transcript
    folders; :meth:`purge` (or leaving the ``with`` block) removes them for good.
    """

    folder: Path | None = None
    deleted: list[DeletedSession] = field(default_factory=list)
    """Newest last; restored sessions leave this list."""

    def _ensure_folder(self) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="sessionscope-trash-"))
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.folder

    def delete(
        self, config_dir: Path, session_id: str, title: str = "", project: str | None = None
    ) -> DeletedSession:
        """Copy the session aside, then delete it with the SDK's ``delete_session``."""
        session_id = _check_id(session_id)
        path = _session_file(config_dir, session_id, project)
        slot = self._ensure_folder() / f"{len(self.deleted)}-{session_id}"
        slot.mkdir(mode=0o700)
        try:
            stat = path.stat()
            saved_file = slot / path.name
            shutil.copyfile(path, saved_file)
            subagents = path.parent / session_id
            saved_subagents = None
            if subagents.is_dir():
                saved_subagents = slot / "subagents-folder"
                shutil.copytree(subagents, saved_subagents, symlinks=True)
        except OSError as error:
            shutil.rmtree(slot, ignore_errors=True)
            raise SessionActionError(
                f"could not keep a copy of {session_id}, so it was not deleted: {error}"
            ) from error
        record = DeletedSession(
            session_id=session_id,
            path=path,
            saved_file=saved_file,
            saved_subagents=saved_subagents,
            mtime_ns=stat.st_mtime_ns,
            title=title,
        )
        try:
            delete_session(config_dir, session_id, project)
        except SessionActionError:
            shutil.rmtree(slot, ignore_errors=True)
            raise
        self.deleted.append(record)
        return record

    def last(self) -> DeletedSession | None:
        """The most recent delete that can still be undone."""
        return self.deleted[-1] if self.deleted else None

    def restore(self, record: DeletedSession | None = None) -> DeletedSession:
        """Put a deleted session back, byte for byte (the newest delete by default)."""
        if record is None:
            record = self.last()
        if record is None or record not in self.deleted:
            raise SessionActionError("nothing to restore")
        if record.path.exists():
            raise SessionActionError(
                f"{record.path} exists again; not overwriting it with the deleted copy"
            )
        subagents = record.path.parent / record.session_id
        if record.saved_subagents is not None and subagents.exists():
            raise SessionActionError(f"{subagents} exists again; not overwriting it")
        try:
            record.path.parent.mkdir(parents=True, exist_ok=True)
            # A temporary name in the same folder, then a rename: a reader never sees half a file.
            fd, temporary = tempfile.mkstemp(
                dir=record.path.parent, prefix=f".{record.session_id}.", suffix=".restoring"
            )
            os.close(fd)
            try:
                shutil.copyfile(record.saved_file, temporary)
                os.utime(temporary, ns=(record.mtime_ns, record.mtime_ns))
                os.replace(temporary, record.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            if record.saved_subagents is not None:
                shutil.copytree(record.saved_subagents, subagents, symlinks=True)
        except OSError as error:
            raise SessionActionError(f"could not restore {record.session_id}: {error}") from error
        self.deleted.remove(record)
        shutil.rmtree(record.saved_file.parent, ignore_errors=True)
        return record

    def purge(self) -> None:
        """Forget every copy: the deletes become final."""
        self.deleted.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> Trash:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.purge()
