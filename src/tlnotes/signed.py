"""Pickles that only this user's tlnotes wrote: what `tlnotes build` keeps in `.tlnotes/` between runs.

Unpickling runs code named in the file, and `.tlnotes/` sits in the knowledge base, where a stranger's pull request
could put a file. So every pickle carries an HMAC-SHA256 under a random key kept outside the knowledge base, in the
user's cache folder (`$XDG_CACHE_HOME/tlnotes/cache-key`, readable by the user alone), and a file whose tag does not
verify is never unpickled: it is ignored, as a missing one is. The tag also covers a version string the caller gives,
so a cache from other code is ignored too. Where the key cannot be kept, nothing is cached.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from pathlib import Path
from typing import Any

from .files import atomic
from .load import no_cyclic_gc

KEY_BYTES = 32
MAGIC = b"tlnotes-signed-1\n"


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tlnotes" / "cache-key"


def _key(create: bool) -> bytes | None:
    path = key_path()
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            return key
    except OSError:
        pass
    if not create:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        key = secrets.token_bytes(KEY_BYTES)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key
    except OSError:  # a read-only home: no cache, every build as without one
        return None


TAG_BYTES = 64  # an HMAC-SHA256, in hex


class _Signing:
    """A file object that signs what passes through it: pickle writes and reads in pieces, never one copy in memory."""

    def __init__(self, fh, mac) -> None:
        self.fh, self.mac = fh, mac

    def write(self, data) -> int:
        self.mac.update(data)
        return self.fh.write(data)


def dump(path: Path, obj: Any, version: str) -> bool:
    """Write `obj` to `path`, signed, atomically; False (nothing written) if there is no key or the write fails."""
    key = _key(create=True)
    if key is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic(path, durable=False) as out:  # no fsync: a cache cut short by a crash fails its tag, is ignored
            out.write(MAGIC + b"0" * TAG_BYTES + b"\n")
            signing = _Signing(out, _mac(key, version))
            with no_cyclic_gc():
                pickle.dump(obj, signing, protocol=pickle.HIGHEST_PROTOCOL)
            out.seek(len(MAGIC))
            out.write(signing.mac.hexdigest().encode())
    except OSError:
        return False
    return True


def load(path: Path, version: str) -> Any | None:
    """What `dump` wrote to `path` with this `version` under this user's key; None for anything else."""
    key = _key(create=False)
    if key is None:
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            tag = fh.read(TAG_BYTES + 1)
            start = fh.tell()
            mac = _mac(key, version)
            for chunk in iter(lambda: fh.read(1 << 20), b""):  # the whole body verified before any of it is unpickled
                mac.update(chunk)
            if not hmac.compare_digest(tag, mac.hexdigest().encode() + b"\n"):
                return None
            fh.seek(start)
            with no_cyclic_gc():
                return pickle.load(fh)
    except OSError:
        return None
    except Exception:  # written by us, so only a bug of ours or a library that changed: build as without a cache
        return None


def _mac(key: bytes, version: str):
    return hmac.new(key, version.encode() + b"\0", hashlib.sha256)
