"""The batch summary workbook (汇总): who returned, who must fix what, where problems gather."""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from pathlib import Path
from typing import Iterator

from xlsxwriter import Workbook

from ..atomic import atomic_path
from ..check.report import FileReport, Report, is_ours, is_review, newest_first, saved_moment
from ..check.rules import RuleSet
from ..template.writer import text_height
from ..template.cells import col_letters
from .sheetrows import add_rows, text_rows

STATUS = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法打开"}
REVIEW_ONLY = "有审核建议"   # no error or warning, only review suggestions (XT8xx)
HEADER = ["序号", "单位编码", "单位名称", "报送情况", "文件", "审核结果", "错误数", "警告数",
          "主要问题", "备注", "审核建议"]   # review suggestions (XT8xx) apart, after the rest
DETAIL = ["文件", "单位编码", "单位名称", "工作表", "单元格", "级别", "代码", "规则", "问题"]


@dataclass
class UnitRow:
    code: str
    name: str
    returned: str                # 已报送 / 未报送 / 名单外
    counted: FileReport | None   # the file that counts
    others: list[FileReport]     # older returns of the same unit


def saved_time(f: FileReport) -> tuple[str, bool]:
    """When the file was last saved (see check.report.saved_moment)."""
    return saved_moment(f.saved_at, f.path)


def current(report: Report) -> list[FileReport]:
    """The files whose problems still matter: all but the older returns of a unit that sent a
    newer one (those are named in the unit's 备注)."""
    return [x for x in report.files if x.superseded_by is None]


def _newest(files: list[FileReport]) -> tuple[FileReport, list[FileReport]]:
    """The return that counts, and the older ones (check.report.newest_first)."""
    ordered = newest_first(files, lambda f: f.saved_at, lambda f: f.path)
    return ordered[0], ordered[1:]


def unit_rows(report: Report, units: list | None) -> list[UnitRow]:
    by_unit: dict[str, list[FileReport]] = {}
    for f in report.files:
        if is_ours(f):
            by_unit.setdefault(f.unit_code, []).append(f)
    rows: list[UnitRow] = []
    listed = set()
    for u in units or []:
        listed.add(u.code)
        files = by_unit.get(u.code)
        if files:
            counted, others = _newest(files)
            rows.append(UnitRow(u.code, u.name, "已报送", counted, others))
        else:
            rows.append(UnitRow(u.code, u.name, "未报送", None, []))
    for code, files in by_unit.items():
        if code not in listed:
            counted, others = _newest(files)
            rows.append(UnitRow(code, counted.unit_name or "", "名单外" if units else "已报送",
                                counted, others))
    return rows


def status_text(f: FileReport) -> str:
    return REVIEW_ONLY if f.status == "warnings" and f.review_only else STATUS[f.status]


def _rank(severity: str, code: str) -> int:
    """Errors first, then warnings, then review suggestions."""
    return 2 if is_review(code) else 0 if severity == "error" else 1


def top_problems(f: FileReport, rules: RuleSet, n: int = 3) -> str:
    titles = {r.code: r.title for r in rules.rules}
    counts = Counter((i.severity, i.code) for i in f.issues)
    ordered = sorted(counts.items(), key=lambda kv: (_rank(*kv[0]), -kv[1], kv[0][1]))[:n]
    return "；".join(f"{titles.get(code, code)}（{code}）×{k}" for (_, code), k in ordered)


def _note(row: UnitRow) -> str:
    fmt = row.counted.format if row.counted else None
    kind = ""
    if fmt not in (None, "xlsx"):
        kind = f"报回的是 .{fmt} 文件，已按内容审核" + (
            "；这种格式的文件不能生成标注副本，问题见“问题明细”" if row.counted.status in (
                "errors", "warnings") else "") + "，请要求另存为 .xlsx。"
    if not row.others:
        return kind
    saved, own = saved_time(row.counted)
    older = "、".join(Path(f.path).name for f in row.others)
    how = "以文件保存时间最新的一份为准" if all(saved_time(f)[1] for f in [row.counted, *row.others]) \
        else "以保存时间最新的一份为准（部分文件没有记录保存时间，按文件修改时间比较，可能不准，请核实）"
    return (kind + f"共收到 {len(row.others) + 1} 份，{how}（{saved or '未知'}）；"
            f"其余：{older}")


def write_summary(path: Path, report: Report, rules: RuleSet, units: list | None,
                  created: datetime) -> None:
    """The 汇总 workbook, written atomically: xlsxwriter writes every sheet but the rows of
    问题明细, which are streamed in as the file is saved (sheetrows)."""
    package = io.BytesIO()
    wb = Workbook(package, {"strings_to_formulas": False, "strings_to_numbers": False,
                            "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"title": "预算项目绩效目标表 报送审核汇总", "author": "xltool",
                       "created": created})
    f = _Formats(wb)
    _summary_sheet(wb, f, report, rules, units)
    detail = _detail_sheet(wb, f, report, rules)
    _rule_sheet(wb, f, report, rules)
    wb.close()
    package.seek(0)
    with atomic_path(path) as tmp, open(tmp, "wb") as dest:
        if detail is None:
            dest.write(package.getvalue())
        else:
            add_rows(package, dest, *detail)


# Column widths chosen so that each sheet fits A4 landscape at (nearly) full size: the text
# stays at 9 pt or more when fitted to the page width; long values wrap instead.
SUMMARY_WIDTHS = (5, 9, 20, 8, 30, 8, 6, 6, 32, 22, 8)   # the last: 审核建议
DETAIL_WIDTHS = (26, 8, 16, 16, 7, 5, 6, 16, 48)


def _fit_row(ws, row: int, values, widths) -> None:
    """A row tall enough for its wrapped text (neither Excel nor LibreOffice grows rows of a
    generated file reliably when it is opened or printed)."""
    need = max((text_height(v, w) for v, w in zip(values, widths) if v), default=15)
    if need > 15:
        ws.set_row(row, need)


def _columns(ws, widths) -> None:
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)


def _print_setup(ws, *, landscape: bool, repeat_row: int | None) -> None:
    ws.set_paper(9)   # A4
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer("&C&\"宋体\"&9第 &P 页，共 &N 页")
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True}
        self.title = wb.add_format({**base, "font_name": "黑体", "font_size": 14, "bold": True,
                                    "text_wrap": False})
        self.note = wb.add_format({**base, "text_wrap": False})
        self.headline = wb.add_format({**base})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.cell = wb.add_format({**base, "border": 1})
        self.number = wb.add_format({**base, "border": 1, "align": "center"})
        self.status = {k: wb.add_format({**base, "border": 1, "bg_color": color})
                       for k, color in (("通过", "#C6EFCE"), ("有警告", "#FFEB9C"),
                                        ("有错误", "#FFC7CE"), ("无法打开", "#FFC7CE"),
                                        (REVIEW_ONLY, "#DDEBF7"),
                                        ("未报送", "#D9D9D9"), ("名单外", "#FFEB9C"),
                                        ("已报送", "#FFFFFF"))}


def _summary_sheet(wb, f: _Formats, report: Report, rules: RuleSet, units) -> None:
    ws = wb.add_worksheet("汇总")
    rows = unit_rows(report, units)
    others = [x for x in report.files if not is_ours(x)]
    returned = sum(r.returned == "已报送" for r in rows)
    outside = sum(r.returned == "名单外" for r in rows)
    to_fix = sum(r.counted is not None and r.counted.status == "errors" for r in rows)
    ws.write_string(0, 0, "预算项目绩效目标表 报送审核汇总", f.title)
    line = (f"应报 {len(units)} 个单位，已报 {returned} 个，未报 {len(units) - returned} 个；"
            if units is not None else f"收到 {returned} 个单位的表格；")
    if outside:
        line += f"另有名单外单位 {outside} 个（不计入已报）；"
    blanks = sum(x.blank for x in others)
    line += f"需退回修改 {to_fix} 个单位；无法识别或无法打开的文件 {len(others) - blanks} 个"
    line += f"，空白未填的下发表 {blanks} 个（均见“其他文件”）。" if blanks else "（见“其他文件”）。"
    ws.merge_range(1, 0, 1, len(HEADER) - 1, line, f.headline)
    ws.set_row(1, text_height(line, sum(SUMMARY_WIDTHS)))
    for c, h in enumerate(HEADER):
        ws.write_string(3, c, h, f.header)
    for n, row in enumerate(rows, start=1):
        r = 3 + n
        fr = row.counted
        status = status_text(fr) if fr else "未报送"
        ws.write_number(r, 0, n, f.number)
        values = [row.code, row.name, row.returned, Path(fr.path).name if fr else "", status]
        for c, v in enumerate(values, start=1):
            fmt = f.status[v] if c in (3, 5) and v in f.status else f.cell
            ws.write_string(r, c, v, fmt)
        ws.write_number(r, 6, fr.errors if fr else 0, f.cell)
        ws.write_number(r, 7, fr.plain_warnings if fr else 0, f.cell)
        top, note = top_problems(fr, rules) if fr else "", _note(row)
        ws.write_string(r, 8, top, f.cell)
        ws.write_string(r, 9, note, f.cell)
        ws.write_number(r, 10, fr.suggestions if fr else 0, f.cell)
        _fit_row(ws, r, [str(n), *values, "", "", top, note, ""], SUMMARY_WIDTHS)
    _columns(ws, SUMMARY_WIDTHS)
    ws.freeze_panes(4, 0)
    if rows:
        ws.autofilter(3, 0, 3 + len(rows), len(HEADER) - 1)
    _print_setup(ws, landscape=True, repeat_row=3)

    ow = wb.add_worksheet("其他文件")
    for c, h in enumerate(("文件", "结果", "说明")):
        ow.write_string(0, c, h, f.header)
    for r, x in enumerate(others, start=1):
        reason = "；".join(i.message for i in x.issues if i.sheet is None) or \
            ("未填写单位编码" if not x.unit_code else "")
        ow.write_string(r, 0, Path(x.path).name, f.cell)
        shown = "空白未填" if x.blank else STATUS[x.status]
        ow.write_string(r, 1, shown, f.status.get(STATUS[x.status], f.cell))
        ow.write_string(r, 2, reason, f.cell)
        _fit_row(ow, r, [Path(x.path).name, "", reason], (40, 10, 80))
    _columns(ow, (40, 10, 80))
    _print_setup(ow, landscape=True, repeat_row=0)


def _detail_rows(report: Report, rules: RuleSet) -> Iterator[tuple[list[str], float | None]]:
    """Each issue as a row of 问题明细 (suggestions after a file's other issues), with the
    height its wrapped text needs (None: the default height)."""
    titles = {r.code: r.title for r in rules.rules}
    height = lru_cache(maxsize=4096)(text_height)   # names, titles and messages recur
    one_line = text_height("", 10)
    fits = [(w - 1.5) / 2 for w in DETAIL_WIDTHS]   # characters that fit a line whatever they are
    for x in current(report):
        name, code, unit = Path(x.path).name, x.unit_code or "", x.unit_name or ""
        for i in sorted(x.issues, key=lambda i: is_review(i.code)):
            row = [name, code, unit, i.sheet or "", i.cell or "", "审核建议" if is_review(i.code)
                   else "错误" if i.severity == "error" else "警告", i.code,
                   titles.get(i.code, ""), i.message]
            need = max([one_line] + [height(v, w) for v, w, n in zip(row, DETAIL_WIDTHS, fits)
                                     if len(v) > n or "\n" in v])
            yield row, need


def _detail_sheet(wb, f: _Formats, report: Report, rules: RuleSet):
    """The 问题明细 sheet's frame; (sheet number, table name, last cell, rows) to stream in,
    or None when there is no issue."""
    ws = wb.add_worksheet("问题明细")
    count = sum(len(x.issues) for x in current(report))
    streamed = None
    if count:
        table = "问题明细表"
        ws.add_table(0, 0, 1, len(DETAIL) - 1,
                     {"columns": [{"header": h} for h in DETAIL], "name": table,
                      "style": "Table Style Light 9", "autofilter": True})
        streamed = (len(wb.worksheets()), table, f"{col_letters(len(DETAIL) - 1)}{count + 1}",
                    text_rows(_detail_rows(report, rules), f.cell._get_xf_index()))
    else:
        ws.write_string(0, 0, "没有发现问题。", f.note)
    _columns(ws, DETAIL_WIDTHS)
    ws.freeze_panes(1, 0)
    _print_setup(ws, landscape=True, repeat_row=0)
    return streamed


def _rule_sheet(wb, f: _Formats, report: Report, rules: RuleSet) -> None:
    ws = wb.add_worksheet("规则统计")
    files = current(report)
    counts = Counter(i.code for x in files for i in x.issues)
    units = {code: len({x.unit_code or x.path for x in files
                        for i in x.issues if i.code == code}) for code in counts}
    for c, h in enumerate(("代码", "规则", "级别", "问题数", "涉及文件数")):
        ws.write_string(0, c, h, f.header)
    used = [r for r in rules.rules if counts[r.code]]
    used.sort(key=lambda r: (r.review, -counts[r.code], r.code))   # review suggestions last
    for n, rule in enumerate(used, start=1):
        ws.write_string(n, 0, rule.code, f.cell)
        ws.write_string(n, 1, rule.title, f.cell)
        ws.write_string(n, 2, "审核建议" if rule.review else
                        "错误" if rule.severity == "error" else "警告", f.cell)
        ws.write_number(n, 3, counts[rule.code], f.cell)
        ws.write_number(n, 4, units[rule.code], f.cell)
    _columns(ws, (8, 34, 8, 8, 10))
    _print_setup(ws, landscape=False, repeat_row=None)
    if used:
        # below the table, every rule labelled, the whole sheet on one page
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": "问题数", "categories": ["规则统计", 1, 1, len(used), 1],
                          "values": ["规则统计", 1, 3, len(used), 3], "fill": {"color": "#C0504D"},
                          "data_labels": {"value": True, "font": {"name": "宋体", "size": 9}}})
        chart.set_title({"name": "各规则发现的问题数", "name_font": {"name": "宋体", "size": 12}})
        # in a bar chart the y axis holds the categories: every rule, most frequent on top
        chart.set_y_axis({"reverse": True, "interval_unit": 1,
                          "num_font": {"name": "宋体", "size": 9}})
        chart.set_x_axis({"num_font": {"name": "宋体", "size": 9}, "min": 0,
                          "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 480, "height": 60 + 22 * len(used)})
        ws.insert_chart(len(used) + 2, 0, chart, {"x_offset": 4, "y_offset": 4})
        ws.fit_to_pages(1, 1)
