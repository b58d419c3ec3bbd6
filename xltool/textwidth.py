"""Text for a terminal, by display width: a Chinese character takes two columns, and lines are
never broken inside an ASCII word, so option names, codes, examples and file names stay whole.
"""
from __future__ import annotations

import re
import unicodedata

_NO_BREAK_BEFORE = set("，。、；：？！）》」』”’%．,.;:?!)]")
_NO_BREAK_AFTER = set("（《「『“‘([")


def width(text: str) -> int:
    """Display columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if c in "\x02\x03" else 1
               for c in text)


def keep(text: str) -> str:
    """Mark text (a command to type) that wrapping must not split."""
    return f"\x02{text}\x03"


def _tokens(text: str) -> list[str]:
    """Pieces that may not be split: kept text, runs of ASCII non-space characters, single wide
    characters, single spaces; opening brackets stick to what follows, closing punctuation
    to what precedes."""
    raw = re.findall(r"\x02[^\x03]*\x03|[^\s，。；：、（）“”‘’《》！？]*[!-~][^\s，。；：、（）“”‘’《》！？]*"
                     r"| |.", text)
    out: list[str] = []
    glue_next = False
    for piece in raw:
        if out and (glue_next or piece[0] in _NO_BREAK_BEFORE) and piece != " ":
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = piece[-1] in _NO_BREAK_AFTER
    return out


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` display columns (longer only for one unbreakable piece)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            if width(token) > columns and not token.startswith("\x02"):
                if line:  # a very long piece: break it, there is no better place
                    lines.append(line.rstrip())
                while width(token) > columns:
                    cut = next(i for i in range(len(token), 0, -1)
                               if width(token[:i]) <= columns)
                    lines.append(token[:cut])
                    token = token[cut:]
                line = token
                continue
            if line and width(line) + width(token) > columns:
                lines.append(line.rstrip())
                line = "" if token == " " else token
            else:
                line += token
        lines.append(line.rstrip())
    return [line.replace("\x02", "").replace("\x03", "") for line in lines]
