"""Safe names: worksheet names (Excel's rules) and file names (Windows' rules)."""
from __future__ import annotations

import re
import unicodedata

SHEET_NAME_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\!'\x00-\x1f]")
_FILE_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (≤ 31 characters, none of []:*?/\\!')."""
    base = _SHEET_BAD.sub("", _squash(text)).strip() or "项目"
    if base.lower() == "history":  # reserved by Excel
        base += "_"
    name, n = base[:SHEET_NAME_MAX], 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def file_stem(text: str, limit: int = 150) -> str:
    """A file name part safe on Windows: no \\/:*?"<>|, no control characters, no path tricks.

    At most `limit` bytes in UTF-8 (a Chinese character takes three; file systems allow 255
    bytes per name, and the suffix and a temporary prefix need room too).
    """
    stem = _FILE_BAD.sub("_", _squash(text))
    stem = stem.replace("..", "_").strip(" .")
    while len(stem.encode("utf-8")) > limit:
        stem = stem[:-1]
    stem = stem.strip(" .")
    if not stem or stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem
