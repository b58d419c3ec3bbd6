"""Text edits of the parts an annotated copy changes: new cell formats in styles.xml, the style
of single cells in a sheet's <sheetData>, comments with their VML shapes, the sheet list.

Only what is named changes: a cell keeps its value, formula and cached result, and gets a copy of
its own format with another fill (so locking, number format and borders stay as they were).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

from .package import attr, container, elements, esc, expand, set_attr, set_count
from ..template.cells import col_index, col_letters

Cell = tuple[int, int]   # 0-based row, column


def strip_prefix(xml: str, p: str) -> str:
    return re.sub(rf"<(/?){re.escape(p)}", r"<\1", xml) if p else xml


def add_prefix(xml: str, p: str) -> str:
    return re.sub(r"<(/?)(?=[A-Za-z])", rf"<\1{p}", xml) if p else xml


def solid_fill(rgb: str) -> str:
    return (f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>')


NO_FILL = '<fill><patternFill patternType="none"/></fill>'


class Styles:
    """cellXfs, fills, fonts and borders of styles.xml; new entries are appended."""

    def __init__(self, xml: str, p: str):
        self.p = p
        for name in ("fonts", "fills", "borders", "cellXfs"):
            if container(xml, p, name) is None:
                xml = expand(xml, p, name)
            if container(xml, p, name) is None:
                raise ValueError(f"styles.xml has no {name}")
        self.xml = xml
        self.lists = {name: [strip_prefix(t, p) for _, _, t in
                             elements(xml, p, tag, *container(xml, p, name))]
                      for name, tag in (("fonts", "font"), ("fills", "fill"),
                                        ("borders", "border"), ("cellXfs", "xf"))}
        self.added = {name: 0 for name in self.lists}
        self._clones: dict[tuple[int, str], int] = {}

    def add(self, name: str, xml: str) -> int:
        items = self.lists[name]
        if name != "cellXfs" and xml in items:
            return items.index(xml)
        items.append(xml)
        self.added[name] += 1
        return len(items) - 1

    def fill_of(self, xf: int) -> str:
        xfs = self.lists["cellXfs"]
        tag = xfs[xf] if 0 <= xf < len(xfs) else xfs[0]
        fill = int(attr(tag.split(">", 1)[0], "fillId") or 0)
        fills = self.lists["fills"]
        return fills[fill] if 0 <= fill < len(fills) else NO_FILL

    def with_fill(self, xf: int, fill_xml: str) -> int:
        """A cell format like `xf` but with this fill."""
        key = (xf, fill_xml)
        if key not in self._clones:
            xfs = self.lists["cellXfs"]
            tag = xfs[xf] if 0 <= xf < len(xfs) else xfs[0]
            start, sep, rest = tag.partition(">")
            if start.endswith("/"):
                start, sep = start[:-1], "/>"
            start = set_attr(start + ">", "fillId", str(self.add("fills", fill_xml)))
            start = set_attr(start, "applyFill", "1")
            self._clones[key] = self.add("cellXfs", start[:-1] + sep + rest)
        return self._clones[key]

    def text(self) -> str:
        xml = self.xml
        for name in ("fonts", "fills", "borders", "cellXfs"):
            new = self.lists[name][len(self.lists[name]) - self.added[name]:]
            if not self.added[name]:
                continue
            _, end = container(xml, self.p, name)
            xml = xml[:end] + "".join(add_prefix(x, self.p) for x in new) + xml[end:]
            xml = set_count(xml, self.p, name, len(self.lists[name]))
        return xml


_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_ROW_NO = re.compile(r'\sr\s*=\s*["\'](\d+)["\']')


@lru_cache(maxsize=16)
def _row_start(p: str) -> re.Pattern:
    """A row's start tag: its attributes, and "/" when the row is empty."""
    return re.compile(rf"<{re.escape(p)}row\b([^>]*?)(/?)>")


def _rc(ref: str | None) -> Cell | None:
    m = _REF.fullmatch(ref or "")
    return (int(m.group(2)) - 1, col_index(m.group(1))) if m else None


def column_styles(xml: str, p: str) -> dict[int, int]:
    out = {}
    span = container(xml, p, "cols")
    for _, _, tag in (elements(xml, p, "col", *span) if span else ()):
        style = attr(tag, "style")
        if style is not None:
            for c in range(int(attr(tag, "min") or 1) - 1, min(int(attr(tag, "max") or 1), 16384)):
                out[c] = int(style)
    return out


def merged(xml: str, p: str) -> list[tuple[int, int, int, int]]:
    out = []
    for _, _, tag in elements(xml, p, "mergeCell"):
        first, _, last = (attr(tag, "ref") or "").partition(":")
        a, b = _rc(first), _rc(last or first)
        if a and b:
            out.append((a[0], a[1], b[0], b[1]))
    return out


def restyle(xml: str, p: str, wanted: set[Cell], style: Callable[[Cell, int], int]
            ) -> tuple[str, dict[Cell, int]]:
    """Give each wanted cell the style id style(cell, old id); cells missing from <sheetData>
    are added (empty). Returns the new sheet XML and the old style id of each cell."""
    if not wanted:
        return xml, {}
    if container(xml, p, "sheetData") is None:
        xml = expand(xml, p, "sheetData")
    start, end = container(xml, p, "sheetData")
    cols = column_styles(xml, p)
    by_row: dict[int, set[int]] = {}
    for r, c in wanted:
        by_row.setdefault(r, set()).add(c)
    old: dict[Cell, int] = {}
    pieces, pos, row_no = [xml[:start]], start, -1
    pending = sorted(by_row)

    def new_row(r: int) -> str:
        cells = []
        for c in sorted(by_row[r]):
            old[(r, c)] = cols.get(c, 0)
            cells.append(f'<c r="{col_letters(c)}{r + 1}" s="{style((r, c), old[(r, c)])}"/>')
        return f'<{p}row r="{r + 1}">' + add_prefix("".join(cells), p) + f"</{p}row>"

    for m in _row_start(p).finditer(xml, start, end):
        if not pending:
            break
        r = _ROW_NO.search(m.group(1))
        row_no = int(r.group(1)) - 1 if r else row_no + 1
        while pending and pending[0] < row_no:
            pieces += [xml[pos:m.start()], new_row(pending.pop(0))]
            pos = m.start()
        if pending and pending[0] == row_no:
            pending.pop(0)
            if m.group(2):                       # <row .../>
                e = m.end()
            else:
                e = xml.find(">", xml.find(f"</{p}row", m.end())) + 1
            pieces += [xml[pos:m.start()],
                       _patch_row(xml[m.start():e], p, row_no, by_row[row_no], cols, style, old)]
            pos = e
    while pending:
        pieces += [xml[pos:end], new_row(pending.pop(0))]
        pos = end
    pieces.append(xml[pos:])
    return "".join(pieces), old


def _patch_row(row: str, p: str, r: int, wanted: set[int], cols: dict[int, int], style,
               old: dict[Cell, int]) -> str:
    head, sep, body = row.partition(">")
    if head.endswith("/"):                       # <row r="5"/>: no cells yet
        head, body = head[:-1], f"</{p}row>"
    head = set_attr(head + ">", "spans", None)[:-1]   # a hint only; cells may be added
    row_style = int(attr(head + ">", "s") or 0) if attr(head + ">", "customFormat") in (
        "1", "true") else None
    pieces, pos, col_no, todo = [], 0, -1, sorted(wanted)
    for s, e, cell in elements(body, p, "c"):
        if not todo:
            break
        tag_end = cell.index(">") + 1
        tag = cell[:tag_end]
        rc = _rc(attr(tag, "r"))
        col_no = rc[1] if rc else col_no + 1
        while todo and todo[0] < col_no:
            c = todo.pop(0)
            base = row_style if row_style is not None else cols.get(c, 0)
            old[(r, c)] = base
            pieces += [body[pos:s], add_prefix(f'<c r="{col_letters(c)}{r + 1}" '
                                               f's="{style((r, c), base)}"/>', p)]
            pos = s
        if todo and todo[0] == col_no:
            todo.pop(0)
            before = int(attr(tag, "s") or 0)
            old[(r, col_no)] = before
            pieces += [body[pos:s], set_attr(tag, "s", str(style((r, col_no), before))),
                       cell[tag_end:]]
            pos = e
    close = body.rfind(f"</{p}row")
    pieces.append(body[pos:close])
    for c in todo:
        base = row_style if row_style is not None else cols.get(c, 0)
        old[(r, c)] = base
        pieces.append(add_prefix(f'<c r="{col_letters(c)}{r + 1}" s="{style((r, c), base)}"/>',
                                 p))
    pieces.append(body[close:])
    return head + ">" + "".join(pieces)


SELECTED = re.compile(r'tabSelected\s*=\s*"(?:1|true)"')


def unselect(xml: str, p: str) -> str:
    """No sheet view selected: the issue list is the one selected sheet of the copy."""
    if not SELECTED.search(xml):
        return xml
    return re.sub(rf"<{re.escape(p)}sheetView\b[^>]*>",
                  lambda m: set_attr(m.group(0), "tabSelected", None)
                  if SELECTED.search(m.group(0)) else m.group(0), xml)


AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                "webPublishItems", "tableParts", "extLst")


def legacy_drawing_rid(xml: str, p: str) -> str | None:
    for _, _, tag in elements(xml, p, "legacyDrawing"):
        m = re.search(r'\s[\w.-]+:id\s*=\s*"([^"]*)"', tag)
        return m.group(1) if m else None
    return None


def add_legacy_drawing(xml: str, p: str, rid: str) -> str:
    """Insert <legacyDrawing r:id> where the schema wants it (before legacyDrawingHF, ...)."""
    tag = (f'<{p}legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'relationships" r:id="{rid}"/>')
    tail = xml.find(f"</{p}sheetData")
    tail = len(xml) if tail < 0 else tail
    candidates = []
    for name in AFTER_LEGACY[:-1]:
        m = re.compile(rf"<{re.escape(p)}{name}\b").search(xml, tail)
        if m:
            candidates.append(m.start())
    m = re.search(r"<mc:AlternateContent\b", xml[tail:])
    if m:
        candidates.append(tail + m.start())
    ext = xml.rfind(f"<{p}extLst")
    if ext > tail and re.fullmatch(rf"\s*</{re.escape(p)}worksheet>\s*",
                                   xml[xml.rfind(f"</{p}extLst") + len(f"</{p}extLst>"):]):
        candidates.append(ext)
    at = min(candidates) if candidates else xml.rfind(f"</{p}worksheet")
    return xml[:at] + tag + xml[at:]


def remove_legacy_drawing(xml: str, p: str) -> str:
    for s, e, _ in elements(xml, p, "legacyDrawing"):
        return xml[:s] + xml[e:]
    return xml


# ---- comments and their VML shapes -----------------------------------------------------------

EMPTY_COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  '<authors></authors><commentList></commentList></comments>')
EMPTY_VML = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
             'xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">'
             '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
             '</xml>')
NOTE_TYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
             '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


OUR_TEXT = re.compile(r"\s*【(?:错误|警告) [A-Z]+\d+】")


def edit_comments(xml: str, p: str, author: str, new: dict[Cell, str]
                  ) -> tuple[str, set[Cell], int]:
    """Remove our comments (by `author`, or starting like ours: office programs that save the
    copy again may drop the author), add `new` (cell -> text) by `author`.
    Returns the part, the cells whose comments were removed, and how many comments remain."""
    for name in ("authors", "commentList"):
        if container(xml, p, name) is None:
            xml = expand(xml, p, name)
    a0, a1 = container(xml, p, "authors")
    authors = [html.unescape(re.sub(r"<[^>]+>", "", t))
               for _, _, t in elements(xml, p, "author", a0, a1)]
    mine = authors.index(author) if author in authors else None
    removed: set[Cell] = set()
    c0, c1 = container(xml, p, "commentList")
    kept = []
    for _, _, com in elements(xml, p, "comment", c0, c1):
        head = com.split(">", 1)[0]
        text = html.unescape(re.sub(r"<[^>]+>", "", com))
        if (mine is not None and attr(head, "authorId") == str(mine)) or OUR_TEXT.match(text):
            cell = _rc(attr(head, "ref"))
            if cell:
                removed.add(cell)
            continue
        kept.append(com)
    if new and mine is None:
        xml = xml[:a1] + add_prefix(f"<author>{esc(author)}</author>", p) + xml[a1:]
        mine = len(authors)
    added = [add_prefix(f'<comment ref="{col_letters(c)}{r + 1}" authorId="{mine}"><text><r>'
                        f'<t xml:space="preserve">{esc(text)}</t></r></text></comment>', p)
             for (r, c), text in sorted(new.items())]
    c0, c1 = container(xml, p, "commentList")
    xml = xml[:c0] + "".join(kept + added) + xml[c1:]
    return xml, removed, len(kept) + len(added)


def edit_vml(vml: str, removed: set[Cell], new: dict[Cell, int]) -> str:
    """Drop the note shapes of removed comments, add one shape per new comment (cell -> height
    in points)."""
    def drop(m):
        shape = m.group(0)
        if "Note" not in shape:
            return shape
        r = re.search(r"<x:Row>\s*(\d+)", shape)
        c = re.search(r"<x:Column>\s*(\d+)", shape)
        return "" if r and c and (int(r.group(1)), int(c.group(1))) in removed else shape
    vml = re.sub(r"<v:shape\b.*?</v:shape>", drop, vml, flags=re.S)
    if not new:
        return vml
    if 'id="_x0000_t202"' not in vml:
        at = vml.rfind("</xml>")
        vml = vml[:at] + NOTE_TYPE + vml[at:]
    ids = [int(n) for n in re.findall(r"_x0000_s(\d+)", vml)] or [1024]
    shapes = []
    for n, ((r, c), height) in enumerate(sorted(new.items()), start=max(ids) + 1):
        rows = max(3, int(height // 15))
        shapes.append(
            f'<v:shape id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:80pt;margin-top:2pt;width:240pt;height:{height}pt;z-index:{n};'
            'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>{c + 1}, 15, {r}, 2, {c + 5}, 15, {r + rows}, 2</x:Anchor>'
            f'<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column>'
            '</x:ClientData></v:shape>')
    at = vml.rfind("</xml>")
    return vml[:at] + "".join(shapes) + vml[at:]
