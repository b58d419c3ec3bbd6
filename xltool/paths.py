"""Where the bundled data (templates/, rules/) live: the source tree or the installed wheel."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """templates/ or rules/: beside the package in a checkout, inside it when installed."""
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data folder {name!r} not found")


def is_bundled(path: str | Path) -> bool:
    """Whether `path` is one of the files shipped with xltool (templates/, rules/, mappings/)."""
    where = Path(path).resolve()
    return any(where.is_relative_to(root) for root in
               (_PACKAGE.parent / "templates", _PACKAGE.parent / "rules",
                _PACKAGE.parent / "mappings", _PACKAGE / "_data"))
