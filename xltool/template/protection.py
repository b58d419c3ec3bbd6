"""Workbook structure protection, which xlsxwriter does not offer.

Sheet protection is xlsxwriter's own (`worksheet.protect`). Locking the workbook *structure*
(no sheets added, renamed, removed, moved or unhidden) needs a <workbookProtection> element in
xl/workbook.xml, between <workbookPr> and <bookViews>; this subclass writes it there.
Both use the legacy 16-bit password hash, which every office suite reads. It keeps honest
people from accidents; tamper detection is done by the checker, not by this.
"""
from __future__ import annotations

import string

from xlsxwriter import Workbook

ALLOWED_PASSWORD_CHARS = set(string.ascii_letters + string.digits + string.punctuation)


def legacy_password_hash(password: str) -> str:
    """The ECMA-376 legacy password verifier (what Excel stores for sheet/workbook protection)."""
    h = 0
    for ch in reversed(password):
        h = ((h >> 14) & 0x01) | ((h << 1) & 0x7FFF)
        h ^= ord(ch)
    h = ((h >> 14) & 0x01) | ((h << 1) & 0x7FFF)
    h ^= len(password)
    h ^= 0xCE4B
    return f"{h:04X}"


def check_password(password: str) -> str | None:
    """A Chinese message when the password cannot be used, else None."""
    if not 1 <= len(password) <= 15:
        return "保护密码长度应为 1 到 15 个字符。"
    if not set(password) <= ALLOWED_PASSWORD_CHARS:
        return "保护密码只能使用英文字母、数字和英文标点，以保证 Excel、WPS 和 LibreOffice 都能解除保护。"
    return None


class StructureLockedWorkbook(Workbook):
    """An xlsxwriter Workbook whose structure is protected with a password."""

    def __init__(self, filename, options=None, *, structure_password: str):
        super().__init__(filename, options)
        self._structure_hash = legacy_password_hash(structure_password)

    def _write_book_views(self) -> None:  # called by Workbook._assemble_xml_file
        self._xml_empty_tag("workbookProtection", [
            ("workbookPassword", self._structure_hash),
            ("lockStructure", "1"),
        ])
        super()._write_book_views()
