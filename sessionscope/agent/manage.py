"""Rename, tag and delete sessions through the SDK, and undo a delete for the rest of the run.

The SDK's ``rename_session`` / ``tag_session`` append a metadata entry to the transcript, and
``delete_session`` removes the file and its ``<id>/`` folder of subagent transcripts. Nothing here
writes a transcript by itself, except :meth:`Trash.restore`, which puts back the exact bytes a
delete removed (the SDK has no restore).

The SDK finds a session's file under ``$CLAUDE_CONFIG_DIR/projects``; our config folder is an
argument, so each call runs with ``CLAUDE_CONFIG_DIR`` pointing at it (:func:`sdk_config_dir`).
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

from sessionscope.transcripts.files import files_of_session

_ENV_LOCK = threading.RLock()
"""Serialises changes of ``CLAUDE_CONFIG_DIR`` made for SDK calls (the environment is global)."""


class SessionActionError(Exception):
    """A rename/tag/delete/restore that could not be done; the message is one clear line."""


@contextlib.contextmanager
def sdk_config_dir(config_dir: Path) -> Iterator[None]:
    """Run SDK session functions against ``config_dir`` (they read ``CLAUDE_CONFIG_DIR``)."""
    wanted = str(config_dir)
    with _ENV_LOCK:
        previous = os.environ.get("CLAUDE_CONFIG_DIR")
        if previous == wanted:
            yield
            return
        os.environ["CLAUDE_CONFIG_DIR"] = wanted
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("CLAUDE_CONFIG_DIR", None)
            else:
                os.environ["CLAUDE_CONFIG_DIR"] = previous


def _check_id(session_id: str) -> str:
    try:
        return str(uuid.UUID(session_id))
    except (ValueError, AttributeError, TypeError):
        raise SessionActionError(f"not a session id: {session_id!r}") from None


def _sdk_target(config_dir: Path, session_id: str) -> Path:
    """The file the SDK will act on; refuses when the id is missing or ambiguous."""
    try:
        # The SDK skips empty files too.
        files = sorted(path for path, size in files_of_session(config_dir, session_id) if size)
    except OSError:
        files = []
    if not files:
        raise SessionActionError(f"no session {session_id} under {config_dir / 'projects'}")
    if len(files) > 1:
        # Without a project path the SDK takes the first folder it lists, in no stated order:
        # acting then could change a session other than the one the user chose.
        folders = ", ".join(path.parent.name for path in files)
        raise SessionActionError(f"session {session_id} is in several project folders ({folders})")
    return files[0]


def rename_session(config_dir: Path, session_id: str, title: str) -> None:
    """Give the session a custom title (the SDK appends a ``custom-title`` entry)."""
    session_id = _check_id(session_id)
    if not title.strip():
        raise SessionActionError("a title cannot be empty")
    _sdk_target(config_dir, session_id)
    from claude_agent_sdk import rename_session as sdk_rename

    with sdk_config_dir(config_dir):
        try:
            sdk_rename(session_id, title)
        except (ValueError, OSError) as error:
            raise SessionActionError(f"could not rename {session_id}: {error}") from error


def tag_session(config_dir: Path, session_id: str, tag: str | None) -> None:
    """Tag the session; ``None`` or a blank tag clears it (the SDK appends a ``tag`` entry)."""
    session_id = _check_id(session_id)
    if tag is not None and not tag.strip():
        tag = None
    _sdk_target(config_dir, session_id)
    from claude_agent_sdk import tag_session as sdk_tag

    with sdk_config_dir(config_dir):
        try:
            sdk_tag(session_id, tag)
        except (ValueError, OSError) as error:
            raise SessionActionError(f"could not tag {session_id}: {error}") from error


def delete_session(config_dir: Path, session_id: str) -> Path:
    """Delete the session for good (the SDK's ``delete_session``: the transcript and its
    ``<id>/`` folder of subagent transcripts); returns where the transcript was."""
    session_id = _check_id(session_id)
    path = _sdk_target(config_dir, session_id)
    from claude_agent_sdk import delete_session as sdk_delete

    from ..index import Index

    # The index forgets the session while its files are still there to read its words back
    # from (the full-text table keeps no copy of the text): none of them stay.
    index = Index(config_dir)
    try:
        index.forget_session(session_id)
    finally:
        index.close()
    with sdk_config_dir(config_dir):
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

    def delete(self, config_dir: Path, session_id: str, title: str = "") -> DeletedSession:
        """Copy the session aside, then delete it with the SDK's ``delete_session``."""
        session_id = _check_id(session_id)
        path = _sdk_target(config_dir, session_id)
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
            delete_session(config_dir, session_id)
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
