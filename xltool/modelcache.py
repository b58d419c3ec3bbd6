"""Validated models of the bundled YAML files (templates/, rules/), kept between runs.

Validating templates/*.yaml and rules/default.yaml (and building pydantic's validators to do
it) is a noticeable part of a short `xltool check`. The validated objects are pickled into the
user's cache folder, keyed by the file's path, size and modification time, the xltool, pydantic
and Python versions, and the size and modification time of every module of the package. A
cache file that is missing, stale or unreadable is ignored and written again (atomically); one
that cannot be written is skipped. Only files shipped with xltool are cached: files people pass
themselves (--template, --rules, 县设置.yaml) are validated every time.

XLTOOL_CACHE_DIR names another cache folder; set to an empty value it turns the cache off.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Callable, TypeVar

from . import __version__
from .atomic import write_bytes_atomic

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent
_fingerprint: list[str] = []


def cache_dir() -> Path | None:
    """Where the cache lives (None: no cache)."""
    chosen = os.environ.get("XLTOOL_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
        return Path(base) / "xltool" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "xltool"


def _package_fingerprint() -> str:
    """Size and modification time of every module: a changed model class is a new key."""
    if not _fingerprint:
        entries = []
        for root, dirs, files in os.walk(_PACKAGE):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(root, name))
                    entries.append(f"{root}/{name}:{st.st_size}:{st.st_mtime_ns}")
        _fingerprint.append(hashlib.sha256("\n".join(entries).encode()).hexdigest())
    return _fingerprint[0]


def cached_model(path: Path, build: Callable[[], T]) -> T:
    """build() (which validates the YAML file at `path`), or its result from an earlier run."""
    directory = cache_dir()
    try:
        st = os.stat(path)
    except OSError:
        directory = None
    if directory is None:
        return build()
    from pydantic import VERSION

    where = str(Path(path).resolve())
    key = "\n".join((where, str(st.st_size), str(st.st_mtime_ns), __version__, VERSION,
                     sys.version, _package_fingerprint()))
    stem = f"{Path(path).stem}-{hashlib.sha256(where.encode()).hexdigest()[:12]}"
    file = directory / f"{stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"
    try:
        stored_key, obj = pickle.loads(file.read_bytes())
        if stored_key == key:
            return obj
    except Exception:   # missing, truncated, from another version: validate again
        pass
    obj = build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"{stem}-*.pickle"):   # earlier versions of this file
            old.unlink(missing_ok=True)
        write_bytes_atomic(file, pickle.dumps((key, obj), protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError):
        pass
    return obj


def load_model(model: type[T], path: Path) -> T:
    """`model` validated from the YAML file at `path`; a bundled file through the cache."""
    from .paths import is_bundled
    from .yamlfiles import load_yaml

    def build() -> T:
        return model.model_validate(load_yaml(path))
    return cached_model(path, build) if is_bundled(path) else build()
