"""Writing files without ever losing what a user has.

Every write goes to a temporary file in the target's folder first and is
then moved into place in one step, so a crash leaves either the old state
or the new one, never half a file. Every failure is an `OSError` whose
`filename` is the target, so the command line can name it in one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .model import TlnotesError

TMP_SUFFIX = ".tmp"  # temporary files are `.<name>.<random>.tmp`; .gitignore matches them


class FileExists(TlnotesError):
    """The target exists and the caller did not ask to replace it."""

    def __init__(self, path):
        super().__init__("exists; nothing written over it", path)


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`, atomically; refuse if it already exists."""
    _write(Path(path), text, replace=False)


def write_replace(path: Path, text: str) -> None:
    """Create or replace `path` with `text`, atomically."""
    _write(Path(path), text, replace=True)


def copy_new(source: Path, target: Path, limit: int) -> bool:
    """Copy the regular file `source` to a new `target`, atomically; False if `target` already holds the same bytes.

    A different file at `target` is kept (`FileExists`); `source` is never followed through a symlink
    nor opened if it is a FIFO (which would block), and is read to at most `limit` bytes.
    """
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"over {limit >> 20} MiB", str(source))
    if os.path.lexists(target):
        if not os.path.islink(target) and os.path.isfile(target) and Path(target).read_bytes() == data:
            return False
        raise FileExists(str(target))
    _write(Path(target), data, replace=False)
    return True


def _write(path: Path, text: str | bytes, replace: bool) -> None:
    try:
        _make_parent(path.parent)
        mode = path.lstat().st_mode if os.path.lexists(path) else None
        if mode is not None and not replace:
            raise FileExists(str(path))
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            # `-o /dev/stdout`, a pipe: write into it; renaming over it would replace the device itself
            with open(path, "wb") as fh:
                fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            return
        _write_atomic(path, text, replace)
    except OSError as exc:
        named = exc.filename is not None and exc.filename2 is None and not str(exc.filename).endswith(TMP_SUFFIX)
        if named:  # already names the path at fault (the target, or a file in the way of its folder)
            raise
        # name the file the user asked for, not our temporary file next to it
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove `folder` and then its parents while each is empty, up to `stop` (kept): what removing a file leaves."""
    stop, folder = Path(stop).resolve(), Path(folder).resolve()
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone
            return
        folder = folder.parent


def _make_parent(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # some part of it is a file
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None


def _write_atomic(path: Path, text: str | bytes, replace: bool) -> None:
    with atomic(path, replace) as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)


@contextlib.contextmanager
def atomic(path: Path, replace: bool = True, durable: bool = True) -> Iterator[BinaryIO]:
    """A temporary file beside `path` to write, moved into place in one step when the block ends without an error
    (over `path` only if `replace`; `FileExists` otherwise). Not `durable`, it skips the fsync: for a cache,
    which a crash may only lose."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile: no overwrite race
            except FileExistsError:
                raise FileExists(str(path)) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                if os.path.lexists(path):  # filesystems without hard links
                    raise FileExists(str(path)) from None
                os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
