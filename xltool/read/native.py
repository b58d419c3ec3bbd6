"""What python-calamine does not give for .xls and .ods: each cell's number format (so that 95%
reads as 95 in every format) and the saved time from the document properties.

.xls is BIFF8 inside an OLE compound file: the formats come from the FORMAT and XF records of
the workbook globals and the XF index of each number cell. .ods is a zip whose content.xml
says, per cell, `office:value-type="percentage"`. Both readers are bounded (every chain and
loop is capped by the file's size) and return nothing rather than raise on a damaged file:
the caller then keeps the "format unknown" fallback.
"""
from __future__ import annotations

import struct
import zipfile
from datetime import datetime, timedelta, timezone

from defusedxml import ElementTree as ET

from ..template.cells import CellRange

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFA                       # FAT markers from here up: end of chain, free, …
_BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%",
            10: "0.00%", 11: "0.00E+00", 49: "@"}
PERCENT = "0%"
GENERAL = "General"


# ---- OLE compound file ------------------------------------------------------------------

def ole_streams(data: bytes, wanted: tuple[str, ...]) -> dict[str, bytes]:
    """The named streams (case-insensitive) of an OLE compound file; {} when damaged."""
    try:
        return _ole_streams(data, {w.lower() for w in wanted})
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError):
        return {}


def _ole_streams(data: bytes, wanted: set[str]) -> dict[str, bytes]:
    if not data.startswith(OLE_MAGIC):
        return {}
    u16 = lambda o: struct.unpack_from("<H", data, o)[0]  # noqa: E731
    u32 = lambda o: struct.unpack_from("<I", data, o)[0]  # noqa: E731
    ssz, mssz = 1 << u16(0x1E), 1 << u16(0x20)
    if ssz not in (512, 4096) or mssz != 64:
        return {}
    limit = len(data) // mssz + 2          # no chain is longer than the file

    def sector(n: int) -> bytes:
        return data[(n + 1) * ssz:(n + 2) * ssz]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt, seen = u32(0x44), 0
    while nxt < _END and seen < limit:
        block = sector(nxt)
        ids = struct.unpack_from(f"<{ssz // 4}I", block)
        difat += ids[:-1]
        nxt, seen = ids[-1], seen + 1
    fat: list[int] = []
    for n in difat[:u32(0x2C)]:
        if n < _END:
            fat += struct.unpack_from(f"<{ssz // 4}I", sector(n))

    def chain(start: int, table: list[int]) -> list[int]:
        out, n = [], start
        while n < _END and n < len(table) and len(out) < limit:
            out.append(n)
            n = table[n]
        return out

    directory = b"".join(sector(n) for n in chain(u32(0x30), fat))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, off + 64)[0]
        name = directory[off:off + max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        kind = directory[off + 66]
        start, size = struct.unpack_from("<II", directory, off + 116)
        entries.append((name, kind, start, size))
    if not entries:
        return {}
    root = entries[0]
    mini_stream = b"".join(sector(n) for n in chain(root[2], fat))
    minifat: list[int] = []
    for n in chain(u32(0x3C), fat):
        minifat += struct.unpack_from(f"<{ssz // 4}I", sector(n))
    cutoff = u32(0x38)
    out = {}
    for name, kind, start, size in entries[1:]:
        if kind != 2 or name.lower() not in wanted:
            continue
        if size < cutoff:
            body = b"".join(mini_stream[n * mssz:(n + 1) * mssz] for n in chain(start, minifat))
        else:
            body = b"".join(sector(n) for n in chain(start, fat))
        out[name.lower()] = body[:size]
    return out


# ---- .xls (BIFF8) -------------------------------------------------------------------------

def _records(stream: bytes, start: int = 0):
    pos = start
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4:pos + 4 + size]
        pos += 4 + size
        if kind == 0x000A:   # EOF of this substream
            return


def _unicode(body: bytes, off: int, count: int) -> str:
    flags = body[off]
    if flags & 1:
        return body[off + 1:off + 1 + 2 * count].decode("utf-16-le", "replace")
    return body[off + 1:off + 1 + count].decode("latin-1")


class XlsFormats:
    """Number formats of the cells of each sheet of a BIFF8 workbook (empty when unreadable)."""

    def __init__(self, data: bytes):
        self.sheets: dict[str, dict[tuple[int, int], str]] = {}
        self.saved_at: str | None = None
        streams = ole_streams(data, ("Workbook", "\x05SummaryInformation"))
        try:
            self._read(streams.get("workbook", b""))
        except (struct.error, IndexError, ValueError):
            self.sheets = {}
        self.saved_at = _summary_time(streams.get("\x05summaryinformation", b""))

    def _read(self, stream: bytes) -> None:
        formats = dict(_BUILTIN)
        xfs: list[int] = []
        sheets: list[tuple[str, int]] = []
        for kind, body in _records(stream):
            if kind == 0x041E and len(body) >= 5:        # FORMAT
                ifmt, cch = struct.unpack_from("<HH", body)
                formats[ifmt] = _unicode(body, 4, cch)
            elif kind == 0x00E0 and len(body) >= 4:      # XF
                xfs.append(struct.unpack_from("<H", body, 2)[0])
            elif kind == 0x0085 and len(body) >= 8:      # BOUNDSHEET
                pos = struct.unpack_from("<I", body)[0]
                if body[5] == 0:
                    sheets.append((_unicode(body, 7, body[6]), pos))
        fmt_of = [formats.get(i, GENERAL) for i in xfs]

        def fmt(ixfe: int) -> str:
            return fmt_of[ixfe] if ixfe < len(fmt_of) else GENERAL

        for name, pos in sheets:
            cells: dict[tuple[int, int], str] = {}
            for kind, body in _records(stream, pos):
                if kind in (0x0203, 0x027E, 0x0006, 0x00FD, 0x0204) and len(body) >= 6:
                    row, col, ixfe = struct.unpack_from("<HHH", body)
                    cells[(row, col)] = fmt(ixfe)
                elif kind == 0x00BD and len(body) >= 6:  # MULRK
                    row, first = struct.unpack_from("<HH", body)
                    for i in range((len(body) - 6) // 6):
                        ixfe = struct.unpack_from("<H", body, 4 + 6 * i)[0]
                        cells[(row, first + i)] = fmt(ixfe)
            self.sheets[name] = cells


def _summary_time(stream: bytes) -> str | None:
    """PIDSI_LASTSAVE_DTM (else the creation time) of a SummaryInformation property set."""
    try:
        section = struct.unpack_from("<I", stream, 44)[0]
        count = struct.unpack_from("<I", stream, section + 4)[0]
        found = {}
        for i in range(min(count, 200)):
            pid, off = struct.unpack_from("<II", stream, section + 8 + 8 * i)
            if pid in (12, 13) and struct.unpack_from("<I", stream, section + off)[0] == 0x40:
                found[pid] = struct.unpack_from("<Q", stream, section + off + 4)[0]
        ticks = found.get(13) or found.get(12)
        if not ticks:
            return None
        moment = datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=ticks // 10)
        return moment.isoformat()
    except (struct.error, OverflowError, ValueError):
        return None


# ---- .ods ---------------------------------------------------------------------------------

_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
MAX_REPEAT = 1 << 20


class OdsFormats:
    """Percentage cells and merged ranges of each sheet, and the saved time of an .ods."""

    def __init__(self, zf: zipfile.ZipFile, max_row: int = 2000):
        self.sheets: dict[str, dict[tuple[int, int], str]] = {}
        self.merges: dict[str, list[CellRange]] = {}
        self.saved_at: str | None = None
        try:
            self._read(zf, max_row)
        except (ET.ParseError, KeyError, ValueError, zipfile.BadZipFile, OSError):
            self.sheets, self.merges = {}, {}
        try:
            meta = ET.fromstring(zf.read("meta.xml"))
            for tag in ("{http://purl.org/dc/elements/1.1/}date",
                        "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}creation-date"):
                node = meta.find(f".//{tag}")
                if node is not None and node.text:
                    self.saved_at = node.text.strip().replace("Z", "+00:00")
                    break
        except (ET.ParseError, KeyError, ValueError, zipfile.BadZipFile, OSError):
            pass

    def _read(self, zf: zipfile.ZipFile, max_row: int) -> None:
        with zf.open("content.xml") as fh:
            head = fh.read(1024)
        if b"<!DOCTYPE" in head.upper():
            return
        sheet, cells, merges, row, col = None, {}, [], 0, 0
        with zf.open("content.xml") as fh:
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == f"{{{_T}}}table":
                        sheet, cells, merges, row = el.get(f"{{{_T}}}name"), {}, [], 0
                    elif tag == f"{{{_T}}}table-row":
                        col = 0
                    continue
                if tag in (f"{{{_T}}}table-cell", f"{{{_T}}}covered-table-cell"):
                    repeat = min(int(el.get(f"{{{_T}}}number-columns-repeated", "1")),
                                 MAX_REPEAT)
                    if el.get(f"{{{_O}}}value-type") == "percentage" and row < max_row:
                        for c in range(col, col + min(repeat, 256)):
                            cells[(row, c)] = PERCENT
                    rows = int(el.get(f"{{{_T}}}number-rows-spanned", "1"))
                    cols = int(el.get(f"{{{_T}}}number-columns-spanned", "1"))
                    if (rows > 1 or cols > 1) and row < max_row:
                        merges.append(CellRange(row, col, row + min(rows, MAX_REPEAT) - 1,
                                                col + min(cols, 16384) - 1))
                    col += repeat
                    el.clear()
                elif tag == f"{{{_T}}}table-row":
                    row += min(int(el.get(f"{{{_T}}}number-rows-repeated", "1")), MAX_REPEAT)
                    el.clear()
                elif tag == f"{{{_T}}}table" and sheet is not None:
                    self.sheets[sheet], self.merges[sheet] = cells, merges
                    el.clear()
