"""Writing files without ever losing what a user has.

Every write goes to a temporary file in the target's folder first and is
then moved into place in one step, so a crash leaves either the old state
or the new one, never half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class FileExists(Exception):
    """The target exists and the caller did not ask to replace it."""


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`, atomically; refuse if it already exists."""
    _write(path, text, replace=False)


def write_replace(path: Path, text: str) -> None:
    """Create or replace `path` with `text`, atomically."""
    _write(path, text, replace=True)


def _write(path: Path, text: str, replace: bool) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace and path.exists():
        raise FileExists(str(path))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile: no overwrite race
            except FileExistsError:
                raise FileExists(str(path)) from None
            except OSError:  # filesystems without hard links
                if path.exists():
                    raise FileExists(str(path)) from None
                os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
