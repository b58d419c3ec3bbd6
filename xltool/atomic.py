"""Atomic file writing: a temporary file in the target folder, renamed into place.

A failed or interrupted run never leaves a half-written file under the final name.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def share_mode(path: str | Path) -> None:
    """The permissions a normally created file would have (mkstemp makes it owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextmanager
def atomic_path(dest: str | Path) -> Iterator[str]:
    """Yield a temporary path beside `dest`; on success it replaces `dest`."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix=".xltool-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        yield tmp
        share_mode(tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes_atomic(dest: str | Path, data: bytes) -> None:
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
