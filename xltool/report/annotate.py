"""The annotated copy of a returned workbook: each problem shown at its cell.

The township's own file is copied part by part (the original is only read) and patched: every
cell with an issue gets a copy of its own format with a fill (red for errors, orange for
warnings, both unlike the light-yellow input cells) and a comment with the messages, and a
first sheet 问题清单 lists every issue with a link to its cell and a legend of the colours.
Everything else — values, saved formula results, protection, dropdowns, names, pictures, the
identity sheet, whatever the township's office program added — stays exactly as it was, so the
township can correct this very file and send it back, and checking the copy again gives the
same issues. A merged cell gets its mark and comment on the merge's first cell.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ..atomic import atomic_path
from ..check.report import FileReport, Issue, counts_text, is_review
from ..template.cells import CellRange, cell_name
from .package import (REL_NS, STYLES_TYPE, WORKSHEET_CT, WORKSHEET_TYPE, Package,
                      PackageError, attr, container, elements, esc, expand, prefix_of, set_attr)
from .sheetpatch import (EMPTY_COMMENTS, EMPTY_VML, NO_FILL, SELECTED, Styles, add_legacy_drawing,
                         edit_comments, edit_vml, legacy_drawing_rid, merged,
                         remove_legacy_drawing, restyle, solid_fill, unselect)

ANNOTATION_SHEET = "问题清单"   # the checker ignores a sheet of this name
ERROR_RGB, WARNING_RGB, HEADER_RGB = "FFFFC7CE", "FFF4B183", "FFDDEBF7"
INPUT_RGB = "FFFFF2CC"          # the template's input cells, for the legend
MAX_FILLED_RANGE = 400          # larger ranges get the fill and comment on their first cell only
SEVERITY = {"error": "错误", "warning": "警告"}
AUTHOR = "xltool 审核"
RESTORE_COL = 9                 # hidden columns J:L of 问题清单 remember the fills replaced
COMMENTS_TYPE = REL_NS + "/comments"
VML_TYPE = REL_NS + "/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def annotate(src: Path, dest: Path, report: FileReport) -> None:
    """Write the annotated copy of `src` (an .xlsx) to `dest` (atomically); `src` is only read."""
    pkg = Package(src)
    try:
        book = _Book(pkg)
        styles = Styles(pkg.text(book.styles), prefix_of(pkg.text(book.styles)))
        restore: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
        if ANNOTATION_SHEET in book.parts:        # a copy annotated before: start afresh
            for sheet, ref, fill in _old_marks(src):
                restore[sheet][_cell(ref)] = fill
            book.drop(ANNOTATION_SHEET)
        by_sheet: dict[str, dict[str, list[Issue]]] = defaultdict(lambda: defaultdict(list))
        for issue in report.issues:
            if issue.sheet in book.parts and issue.cell:
                by_sheet[issue.sheet][issue.cell].append(issue)
        replaced: list[tuple[str, str, str]] = []
        for sheet, part in book.parts.items():
            replaced += _patch_sheet(pkg, sheet, part, styles, restore.get(sheet, {}),
                                     by_sheet.get(sheet, {}))
        _add_issue_sheet(pkg, book, styles, report, replaced)
        pkg.put(book.styles, styles.text())
        with atomic_path(dest) as tmp:
            pkg.save(tmp)
    finally:
        pkg.close()


def _cell(ref: str) -> tuple[int, int]:
    rng = CellRange.parse(ref)
    return rng.row1, rng.col1


def _old_marks(src: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, original fill) recorded in an earlier copy's hidden columns."""
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(src)).get_sheet_by_name(
        ANNOTATION_SHEET).to_python()
    out = []
    for row in rows[3:]:
        sheet, ref, key = (list(row[RESTORE_COL:RESTORE_COL + 3]) + ["", "", ""])[:3]
        if sheet and ref and key and re.fullmatch(r"[A-Z]{1,3}\d+", str(ref)):
            out.append((str(sheet), str(ref), _fill_from_key(str(key))))
    return out


def _fill_from_key(key: str) -> str:
    """A fill recorded as XML, or as "solid|FFRRGGBB" / "none" by earlier versions."""
    if key.startswith("<fill"):
        return key
    kind, _, color = key.partition("|")
    return solid_fill(color) if kind == "solid" and re.fullmatch(r"[0-9A-F]{8}", color) \
        else NO_FILL


class _Book:
    """The workbook part: its sheets (name -> part), defined names and views."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        office = [r for r in pkg.rels("") if r.type.endswith("/officeDocument")]
        if not office or not pkg.has(office[0].target):
            raise PackageError("no workbook part")
        self.part = office[0].target
        self.rels = {r.id: r for r in pkg.rels(self.part)}
        styles = [r.target for r in self.rels.values() if r.type == STYLES_TYPE]
        if not styles or not pkg.has(styles[0]):
            raise PackageError("no styles part")
        self.styles = styles[0]
        self.parts: dict[str, str] = {}
        xml = self.xml
        for _, _, tag in elements(xml, self.p, "sheet"):
            rel = self.rels.get(self._rid(tag))
            if rel is not None and rel.type == WORKSHEET_TYPE and pkg.has(rel.target):
                self.parts[attr(tag, "name") or ""] = rel.target

    @property
    def xml(self) -> str:
        return self.pkg.text(self.part)

    @property
    def p(self) -> str:
        return prefix_of(self.xml)

    def _rid(self, tag: str) -> str | None:
        m = re.search(r'\s[\w.-]+:id\s*=\s*"([^"]*)"', tag)
        return m.group(1) if m else None

    def _shift_names(self, xml: str, removed: int | None, shift: int) -> str:
        """localSheetId counts sheets in order: follow a removed or inserted sheet."""
        p = self.p
        span = container(xml, p, "definedNames")
        if span is None:
            return xml
        out = []
        for _, _, tag in elements(xml, p, "definedName", *span):
            local = attr(tag.split(">", 1)[0] + ">", "localSheetId")
            if local is not None and local.isdigit():
                n = int(local)
                if n == removed:
                    continue
                n = n - 1 if removed is not None and n > removed else n
                head, sep, rest = tag.partition(">")
                tag = set_attr(head + sep, "localSheetId", str(n + shift)) + rest
            out.append(tag)
        return xml[:span[0]] + "".join(out) + xml[span[1]:]

    def drop(self, name: str) -> None:
        xml, p = self.xml, self.p
        for index, (s, e, tag) in enumerate(elements(xml, p, "sheet")):
            if attr(tag, "name") == name:
                xml = self._shift_names(xml[:s] + xml[e:], index, 0)
                rid = self._rid(tag)
                part = self.parts.pop(name)
                self.pkg.put(self.part, xml)
                self.pkg.remove_rel(self.part, rid)
                self.pkg.remove_override(part)
                self.pkg.remove(part)
                rels = re.sub(r"([^/]+)$", r"_rels/\1.rels", part)
                if self.pkg.has(rels):
                    self.pkg.remove(rels)
                return

    def insert_first(self, name: str, part: str, last_row: int) -> None:
        rid = self.pkg.add_rel(self.part, WORKSHEET_TYPE, part)
        xml, p = self.xml, self.p
        ids = [int(attr(t, "sheetId") or 0) for _, _, t in elements(xml, p, "sheet")]
        start, _ = container(xml, p, "sheets")
        xml = (xml[:start] + f'<{p}sheet name="{esc(name)}" sheetId="{max(ids, default=0) + 1}" '
               f'xmlns:r="{REL_NS}" r:id="{rid}"/>' + xml[start:])
        xml = self._shift_names(xml, None, 1)
        if container(xml, p, "definedNames") is None:
            xml = expand(xml, p, "definedNames")
        if container(xml, p, "definedNames") is None:
            at = max(xml.find(f"</{p}{n}>") + len(f"</{p}{n}>")
                     for n in ("sheets", "functionGroups", "externalReferences"))
            xml = xml[:at] + f"<{p}definedNames></{p}definedNames>" + xml[at:]
        start, _ = container(xml, p, "definedNames")
        quoted = name.replace("'", "''")
        xml = (xml[:start] + f'<{p}definedName name="_xlnm.Print_Area" localSheetId="0">'
               f"'{esc(quoted)}'!$A$1:$F${last_row}</{p}definedName>"
               f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="0">'
               f"'{esc(quoted)}'!$3:$3</{p}definedName>" + xml[start:])
        xml = re.sub(rf"<{re.escape(p)}workbookView\b[^>]*>", lambda m: set_attr(set_attr(
            m.group(0), "activeTab", "0"), "firstSheet", None), xml)
        self.pkg.put(self.part, xml)
        self.pkg.add_override(part, WORKSHEET_CT)


def _marks(xml: str, p: str, issues: dict[str, list[Issue]]):
    """cell -> fill, first cell -> comment text, (ref, first cell) of each issue range."""
    merges = merged(xml, p)

    def top_left(r: int, c: int) -> tuple[int, int]:
        for r1, c1, r2, c2 in merges:
            if r1 <= r <= r2 and c1 <= c <= c2:
                return r1, c1
        return r, c

    fills: dict[tuple[int, int], str] = {}
    comments: dict[tuple[int, int], list[str]] = defaultdict(list)
    for ref, found in issues.items():
        rng = CellRange.parse(ref)
        error = any(i.severity == "error" for i in found)
        cells = list(rng.cells())
        cells = cells if len(cells) <= MAX_FILLED_RANGE else [(rng.row1, rng.col1)]
        for cell in {top_left(r, c) for r, c in cells} | set(cells):
            if error or cell not in fills:
                fills[cell] = solid_fill(ERROR_RGB if error else WARNING_RGB)
        comments[top_left(rng.row1, rng.col1)] += [
            f"【{SEVERITY[i.severity]} {i.code}】{i.message}" for i in found]
    return fills, {cell: "\n".join(lines) for cell, lines in comments.items()}


def _patch_sheet(pkg: Package, sheet: str, part: str, styles: Styles,
                 restore: dict[tuple[int, int], str], issues: dict[str, list[Issue]]
                 ) -> list[tuple[str, str, str]]:
    rels = pkg.rels(part)
    has_comments = any(r.type == COMMENTS_TYPE for r in rels)
    xml = pkg.text(part)
    if not (restore or issues or has_comments or SELECTED.search(xml)):
        return []
    p = prefix_of(xml)
    before = xml
    xml, _ = restyle(xml, p, set(restore), lambda cell, s: styles.with_fill(s, restore[cell]))
    fills, comments = _marks(xml, p, issues)
    xml, old = restyle(xml, p, set(fills), lambda cell, s: styles.with_fill(s, fills[cell]))
    replaced = [(sheet, cell_name(*cell), styles.fill_of(s)) for cell, s in sorted(old.items())]
    xml = unselect(xml, p)
    if comments or has_comments:
        xml = _comments(pkg, part, xml, p, rels, comments)
    if xml != before:
        pkg.put(part, xml)
    return replaced


def _comments(pkg: Package, part: str, xml: str, p: str, rels, comments) -> str:
    """Our comments replaced by this run's; the sheet's other comments kept."""
    rel = next((r for r in rels if r.type == COMMENTS_TYPE), None)
    if rel is None:
        target = pkg.new_name("xl/comments{}.xml")
        pkg.put(target, EMPTY_COMMENTS)
        pkg.add_override(target, COMMENTS_CT)
        pkg.add_rel(part, COMMENTS_TYPE, target)
    else:
        target = rel.target
    text = pkg.text(target)
    text, removed, remaining = edit_comments(text, prefix_of(text), AUTHOR, comments)
    if not (comments or removed):        # only the township's own comments: leave them be
        return xml
    pkg.put(target, text)
    rid = legacy_drawing_rid(xml, p)
    vml_rel = next((r for r in rels if r.id == rid and r.type == VML_TYPE), None)
    if vml_rel is None:
        vml_part = pkg.new_name("xl/drawings/vmlDrawing{}.vml")
        pkg.put(vml_part, EMPTY_VML)
        pkg.add_default("vml", VML_CT)
        xml = add_legacy_drawing(remove_legacy_drawing(xml, p), p,
                                 pkg.add_rel(part, VML_TYPE, vml_part))
    else:
        vml_part = vml_rel.target
    heights = {cell: min(60 + 14 * text.count("\n") + len(text) // 2, 300)
               for cell, text in comments.items()}
    pkg.put(vml_part, edit_vml(pkg.text(vml_part), removed, heights))
    if remaining == 0 and rel is not None:
        pkg.remove(target)
        pkg.remove_override(target)
        pkg.remove_rel(part, rel.id)
    return xml


# ---- the issue list --------------------------------------------------------------------------

def _issue_styles(styles: Styles) -> dict[str, int]:
    m = re.search(r'<name val="([^"]*)"', styles.lists["fonts"][0])
    name = f'<name val="{m.group(1)}"/>' if m else ""
    fonts = {"title": f'<font><b/><sz val="13"/>{name}</font>',
             "bold": f'<font><b/><sz val="11"/>{name}</font>',
             "link": f'<font><u/><sz val="11"/><color rgb="FF0563C1"/>{name}</font>',
             "plain": f'<font><sz val="11"/>{name}</font>'}
    thin = "".join(f'<{side} style="thin"><color rgb="FF999999"/></{side}>'
                   for side in ("left", "right", "top", "bottom")) + "<diagonal/>"
    borders = {"none": "<border><left/><right/><top/><bottom/><diagonal/></border>",
               "thin": f"<border>{thin}</border>"}
    out = {}
    for key, font, fill, border, align in (
            ("title", "title", NO_FILL, "none", ""),
            ("note", "plain", NO_FILL, "none", '<alignment wrapText="1" vertical="top"/>'),
            ("header", "bold", solid_fill(HEADER_RGB), "thin", '<alignment vertical="center"/>'),
            ("cell", "plain", NO_FILL, "thin", '<alignment wrapText="1" vertical="top"/>'),
            ("link", "link", NO_FILL, "thin", '<alignment wrapText="1" vertical="top"/>'),
            ("error", "bold", solid_fill(ERROR_RGB), "thin",
             '<alignment horizontal="center" vertical="top"/>'),
            ("warning", "bold", solid_fill(WARNING_RGB), "thin",
             '<alignment horizontal="center" vertical="top"/>'),
            ("input", "plain", solid_fill(INPUT_RGB), "thin",
             '<alignment horizontal="center" vertical="top"/>')):
        out[key] = styles.add("cellXfs", (
            f'<xf numFmtId="0" fontId="{styles.add("fonts", fonts[font])}" '
            f'fillId="{styles.add("fills", fill)}" borderId="{styles.add("borders", borders[border])}"'
            f' xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
            f"{align}</xf>"))
    return out


def _text(ref: str, value: object, style: int) -> str:
    return (f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
            f"{esc('' if value is None else str(value))}</t></is></c>")


def _add_issue_sheet(pkg: Package, book: _Book, styles: Styles, report: FileReport,
                     replaced: list[tuple[str, str, str]]) -> None:
    st = _issue_styles(styles)
    rows: dict[int, list[str]] = defaultdict(list)
    heights: dict[int, float] = {1: 20, 2: 48}
    links = []
    rows[1].append(_text("A1", f"审核问题清单：{Path(report.path).name}", st["title"]))
    rows[2] += [_text("A2", counts_text(report) + "。", st["note"]),
                _text("D2", "错误", st["error"]), _text("E2", "警告", st["warning"]),
                _text("F2", "表中标红的单元格有错误，必须改正；标橙的有警告，请核实（浅黄色是正常的"
                      "填写格）。单元格的批注写明了问题。点击“位置”可跳到对应单元格；改正后本页可保留或"
                      "删除，保存为 .xlsx 后重新报送。", st["note"])]
    for col, head in zip("ABCDEF", ("序号", "工作表", "位置", "级别", "代码", "问题")):
        rows[3].append(_text(f"{col}3", head, st["header"]))
    for n, issue in enumerate(report.issues, start=1):
        r = n + 3
        level = "error" if issue.severity == "error" else "warning"
        linked = issue.sheet in book.parts and issue.sheet != ANNOTATION_SHEET and issue.cell
        rows[r] += [f'<c r="A{r}" s="{st["cell"]}"><v>{n}</v></c>',
                    _text(f"B{r}", issue.sheet or "（整个文件）", st["cell"]),
                    _text(f"C{r}", issue.cell or "—", st["link"] if linked else st["cell"]),
                    _text(f"D{r}", "审核建议" if is_review(issue.code) else SEVERITY[issue.severity],
                          st[level]),
                    _text(f"E{r}", issue.code, st["cell"]),
                    _text(f"F{r}", issue.message, st["cell"])]
        heights[r] = 14 * max(1, -(-len(issue.message) * 2 // 76)) + 4
        if linked:
            target = CellRange.parse(issue.cell).top_left
            sheet = issue.sheet.replace("'", "''")
            location = esc(f"'{sheet}'!{target}")
            links.append(f'<hyperlink ref="C{r}" location="{location}" '
                         f'display="{esc(issue.cell)}"/>')
    for i, record in enumerate(replaced):
        r = i + 4
        rows[r] += [_text(f"{col}{r}", value, 0) for col, value in zip("JKL", record)]
    last = max(3, len(report.issues) + 3)
    data = "".join(
        f'<row r="{r}"' + (f' ht="{heights[r]}" customHeight="1"' if r in heights else "") +
        f'>{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate((6, 24, 10, 6, 8, 80), start=1))
    cols += '<col min="10" max="12" width="9" hidden="1" customWidth="1"/>'
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'xmlns:r="{REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:L{max(last, len(replaced) + 3)}"/>'
           '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="3" '
           'topLeftCell="A4" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"'
           ' activeCell="A4" sqref="A4"/></sheetView></sheetViews>'
           f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
           f'<sheetData>{data}</sheetData><mergeCells count="1"><mergeCell ref="A2:C2"/>'
           "</mergeCells>" + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "") +
           '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
           'footer="0.3"/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" '
           'fitToHeight="0"/></worksheet>')
    part = pkg.new_name("xl/worksheets/sheet{}.xml")
    pkg.put(part, xml)
    book.insert_first(ANNOTATION_SHEET, part, last)
