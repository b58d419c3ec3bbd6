"""The published document (one Word file per unit), laid out like the county's 绩效目标 document.

Built from the typed targets (model.UnitTargets), one function per section: part2() with one
heading, unit line and pair of tables per project (project_table(), indicator_table()). Headings
use Word's own heading styles (a table of contents picks them up), the indicator header row
repeats on every page, the page is A4 and the text is set in CJK fonts.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..atomic import atomic_path
from .dept import Area, Dept, DeptIndicator, indicator_sentence
from .model import Project, UnitTargets, amount_text, number_text

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
INDICATOR_WIDTHS_MM = (19, 25, 33, 33, 24, 26)
GRID = 12                          # data columns of the project table (1–4 and 6 checkpoints fit)
LABEL_MM, DATA_MM = 24, 136 / GRID


def document_name(unit: UnitTargets, year: int | None = None) -> str:
    from ..template.naming import file_stem
    prefix = f"{year}年" if year else ""
    return file_stem(f"{unit.code}_{unit.name}_{prefix}绩效目标") + ".docx"


def build(unit: UnitTargets, toc: bool = False) -> Document:
    """The whole document of one unit; with toc, a table of contents on its own first page."""
    doc = Document()
    _page(doc)
    _styles(doc)
    doc.core_properties.title = f"{unit.code}{unit.name}绩效目标"
    doc.core_properties.author = "xltool"
    if unit.status == "errors":
        warning(doc, unit)
    if toc:
        contents(doc)
    if unit.dept is not None:
        part1(doc, unit.dept)
    part2(doc, unit)
    return doc


def write(unit: UnitTargets, path: Path, toc: bool = False) -> None:
    doc = build(unit, toc)
    with atomic_path(path) as tmp:
        doc.save(tmp)


# ---- sections -------------------------------------------------------------------------------

def warning(doc, unit: UnitTargets) -> None:
    p = doc.add_paragraph()
    run = p.add_run(f"注意：本单位报表审核有 {unit.errors} 个错误（{unit.file}），"
                    "以下内容仅供核对，改正前不宜公开。")
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


TOC_PLACEHOLDER = "（目录在 Word 中打开时自动生成；在 WPS 中请右键单击此处，选择“更新域”。）"


def contents(doc) -> None:
    """目录: a Word TOC field over the part and project headings (levels 1–2), on a page of its
    own. Word fills it in when the document is opened (updateFields); until then, and in a
    program that does not update fields, it shows how to fill it in."""
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("目  录")
    run.bold = True
    run.font.size = Pt(16)
    _east_asian(run._element, HEADING_FONT)
    p = doc.add_paragraph()
    _field_char(p, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    p.add_run()._element.append(instr)
    _field_char(p, "separate")
    p.add_run(TOC_PLACEHOLDER)
    _field_char(p, "end")
    _update_fields_on_open(doc.settings.element)


# the elements that follow w:updateFields in w:settings (its schema fixes the order)
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
                        "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                        "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                        "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                        "w:readModeInkLockDown", "w:smartTagType", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                        "w:listSeparator")


def _update_fields_on_open(settings) -> None:
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    later = {qn(tag) for tag in _AFTER_UPDATE_FIELDS}
    following = next((el for el in settings if el.tag in later), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)


def _field_char(p, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")   # Word recomputes it when the document opens
    p.add_run()._element.append(char)


def part_heading(doc, number: str, title: str, new_page: bool) -> None:
    h = doc.add_heading(level=1)
    h.add_run(number).add_break()
    h.add_run(title)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    h.paragraph_format.page_break_before = new_page


def part1(doc, dept: Dept) -> None:
    """第一部分 部门整体绩效目标: the overall goal, the areas with their indicators, measures."""
    part_heading(doc, "第一部分", "部门整体绩效目标", new_page=len(doc.paragraphs) > 1)
    doc.add_heading("一、总体绩效目标", level=2)
    _paragraphs(doc, dept.goal)
    doc.add_heading("二、分项绩效目标", level=2)
    doc.add_paragraph("分项绩效目标：")
    for n, area in enumerate(dept.areas, start=1):
        area_paragraph(doc, n, area, dept.of_area(area.name))
    doc.add_heading("三、工作保障措施", level=2)
    _paragraphs(doc, dept.measures)


def area_paragraph(doc, n: int, area: Area, items: list[DeptIndicator]) -> None:
    """1.党政综合，绩效目标：… then 绩效指标：…≥90%，…：优。"""
    doc.add_paragraph(f"{n}.{area.name}，绩效目标：{area.goal}")
    sentence = indicator_sentence(items)
    if sentence:
        doc.add_paragraph(f"绩效指标：{sentence}")


def _paragraphs(doc, text: str) -> None:
    for line in (text or "").split("\n"):
        p = doc.add_paragraph(line)
        p.paragraph_format.first_line_indent = Pt(21)


def part2(doc, unit: UnitTargets) -> None:
    """第二部分 预算项目绩效目标: per project a heading, the unit line and two tables."""
    part_heading(doc, "第二部分", "预算项目绩效目标", new_page=len(doc.paragraphs) > 1)
    for n, project in enumerate(unit.projects, start=1):
        doc.add_heading(f"{n}.{project.name}绩效目标表", level=2)
        unit_line(doc, unit)
        project_table(doc, project, unit.checkpoints)
        doc.add_paragraph().paragraph_format.keep_with_next = True
        indicator_table(doc, project)


def unit_line(doc, unit: UnitTargets) -> None:
    """484001玉田县林西镇人民政府本级 … 单位：元 (a borderless row above the table)."""
    t = doc.add_table(rows=1, cols=2)
    left, right = t.rows[0].cells
    _text(left, f"{unit.code}{unit.name}")
    _text(right, "单位：元", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _widths(t, (100, 60))
    _keep_with_next(t.rows)


def project_table(doc, p: Project, checkpoints: tuple[str, ...]) -> None:
    """项目编码 … 绩效目标: the budget, use of funds, spending plan and goal of one project."""
    t = doc.add_table(rows=6, cols=1 + GRID)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, (LABEL_MM, *[DATA_MM] * GRID))
    c = t.cell
    _put(c(0, 0), "项目编码", bold=True)
    _put(c(0, 1).merge(c(0, 5)), p.code)
    _put(c(0, 6).merge(c(0, 7)), "项目名称", bold=True)
    _put(c(0, 8).merge(c(0, GRID)), p.name)
    other = "" if not p.other else amount_text(p.other)
    for i, (text, bold) in enumerate((("预算数", True), (amount_text(p.total), False),
                                      ("其中：财政资金", True), (amount_text(p.fiscal), False),
                                      ("其他资金", True), (other, False))):
        _put(c(1, 1 + 2 * i).merge(c(1, 2 + 2 * i)), text, bold=bold)
    _put(c(2, 1).merge(c(2, GRID)), p.purpose, align=WD_ALIGN_PARAGRAPH.LEFT)
    _put(c(1, 0).merge(c(2, 0)), "预算规模及资金用途", bold=True)
    span = GRID // max(1, len(checkpoints))
    for i, name in enumerate(checkpoints):
        first, last = 1 + i * span, GRID if i == len(checkpoints) - 1 else (i + 1) * span
        _put(c(3, first).merge(c(3, last)), name, bold=True)
        value = p.plan[i] if i < len(p.plan) else None
        _put(c(4, first).merge(c(4, last)), "" if value is None else f"{number_text(value)}%")
    _put(c(3, 0).merge(c(4, 0)), "资金支出计划（%）", bold=True)
    _put(c(5, 0), "绩效目标", bold=True)
    _put(c(5, 1).merge(c(5, GRID)), p.goal, align=WD_ALIGN_PARAGRAPH.LEFT)
    for row in t.rows:
        _cant_split(row)
    _keep_with_next(t.rows)


def indicator_table(doc, p: Project) -> None:
    """一级指标 … 指标值确定依据, one row per indicator; 一级 merged down, header repeated."""
    t = doc.add_table(rows=1 + len(p.indicators), cols=len(INDICATOR_HEADER))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, INDICATOR_WIDTHS_MM)
    for cell, text in zip(t.rows[0].cells, INDICATOR_HEADER):
        _put(cell, text, bold=True)
    _repeat_header(t.rows[0])
    _keep_with_next(t.rows[:1])
    start = 1
    for r, ind in enumerate(p.indicators, start=1):
        cells = t.rows[r].cells
        for cell, text in zip(cells[1:], (ind.tier2, ind.tier3, ind.description, ind.printed,
                                          ind.basis)):
            _put(cell, text)
        _cant_split(t.rows[r])
        last = r == len(p.indicators) or p.indicators[r].tier1 != ind.tier1
        if last:
            top = t.cell(start, 0)
            merged = top.merge(t.cell(r, 0)) if r > start else top
            _put(merged, ind.tier1)
            start = r + 1


# ---- formatting helpers ---------------------------------------------------------------------

def _page(doc) -> None:
    for s in doc.sections:
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.left_margin = s.right_margin = Mm(25)
        s.top_margin = s.bottom_margin = Mm(25)


def _east_asian(style_or_run_element, font: str) -> None:
    rpr = style_or_run_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), font)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _east_asian(normal.element, BODY_FONT)
    for level, size in ((1, 16), (2, 14), (3, 12)):
        style = doc.styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style.element, HEADING_FONT)


def _text(cell, text: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = cell.paragraphs[0]
    p.text = text
    p.alignment = align


def _put(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """The cell's text (line breaks become paragraphs), replacing what merging left there."""
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    lines = (text or "").split("\n")
    first = cell.paragraphs[0]
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.alignment = align
        run = p.add_run(line)
        run.bold = bold or None
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _widths(table, widths_mm) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, mm in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(mm).twips)))
    for row in table.rows:
        for tc, mm in zip(row._tr.tc_lst, widths_mm):
            tc.width = Mm(mm)


def _keep_with_next(rows) -> None:
    """Keep these rows on the page of what follows (a heading never ends a page)."""
    for row in rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def text_in_reading_order(path: Path) -> str:
    """The document's text in reading order: paragraphs, and table cells row by row (a cell
    continuing a vertical merge is empty), one per line. Used by tests and for previews."""
    doc = Document(str(path))
    lines: list[str] = []
    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(_para_text(block))
        elif block.tag == qn("w:tbl"):
            for tr in block.findall(qn("w:tr")):
                for tc in tr.findall(qn("w:tc")):
                    vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                    if vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue"):
                        lines.append("")
                    else:
                        lines.append("\n".join(_para_text(p) for p in tc.findall(qn("w:p"))))
    return "\n".join(lines)


def _para_text(p) -> str:
    out = []
    for el in p.iter():
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag in (qn("w:br"), qn("w:cr")):
            out.append("\n")
        elif el.tag == qn("w:tab"):
            out.append("\t")
    return "".join(out)


