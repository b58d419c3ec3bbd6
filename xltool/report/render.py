"""Rendering a report for people (a rich table, in Chinese) and for programs (JSON)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from ..atomic import write_bytes_atomic
from ..check.report import Report, is_review
from ..check.rules import RuleSet
from ..textwidth import wrap

if TYPE_CHECKING:   # rich is imported only when people read the output
    from rich.console import Console

STATUS = {"ok": "[green]通过[/]", "warnings": "[yellow]有警告[/]", "errors": "[red]有错误[/]",
          "unreadable": "[red]无法打开[/]"}
SEVERITY = {"error": "[red]错误[/]", "warning": "[yellow]警告[/]"}
REVIEW = "[blue]建议[/]"   # review suggestions (XT8xx), listed after errors and warnings


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def write_json(report: Report, path: Path | None, text: str | None = None) -> None:
    """To stdout (path None) or atomically to a file; `text`: report_json(report), when the
    caller has it already."""
    text = report_json(report) if text is None else text
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, text.encode("utf-8"))


def _lines(console: Console, text: str, indent: int, style: str = "") -> None:
    """Text wrapped to the console by display width, never inside a number, code or name."""
    for line in wrap(text, max(20, console.width - indent)):
        console.print(" " * indent + line, style=style or None, markup=False, highlight=False,
                      soft_wrap=True)


def print_report(report: Report, console: Console, details: bool = True) -> None:
    """Each file with its outcome, then (with details) its issues; lines fit the terminal (80
    columns and up) and file names are never broken by us."""
    console.print(f"[bold]审核结果[/]（共 {len(report.files)} 个文件）", highlight=False)
    if not report.files:
        _lines(console, "没有收到任何报回的表格。", 2)
    for f in report.files:
        unit = " ".join(x for x in (f.unit_code, f.unit_name) if x) or "（单位不明）"
        status = "[blue]有审核建议[/]" if f.status == "warnings" and f.review_only \
            else STATUS[f.status]
        counts = f"错误 {f.errors} 个，警告 {f.plain_warnings} 个"   # (counts_text, shorter: a
        if f.suggestions:                                          # line of 80 columns)
            counts += f"，建议 {f.suggestions} 条"
        if f.superseded_by:
            counts += f"（已有同单位更新的文件 {Path(f.superseded_by).name}，本文件不计入）"
        console.print(f"  {status}  {unit}  {counts}", highlight=False, soft_wrap=True)
        console.print(f"      {Path(f.path).name}", markup=False, highlight=False, soft_wrap=True)
    for f in report.files if details else ():
        if not f.issues:
            continue
        console.print()
        console.print(Path(f.path).name, style="bold", markup=False, highlight=False,
                      soft_wrap=True)
        for i in sorted(f.issues, key=lambda i: is_review(i.code)):   # suggestions last
            where = "!".join(x for x in (i.sheet, i.cell) if x) or "整个文件"
            level = REVIEW if is_review(i.code) else SEVERITY[i.severity]
            console.print(f"  {level} {i.code}  ", end="", highlight=False)
            console.print(where, markup=False, highlight=False, soft_wrap=True)
            _lines(console, i.message, 6)
    if report.missing_units:
        console.print()
        units = "、".join(f"{u['unit_code']} {u['unit_name']}" for u in report.missing_units)
        _lines(console, f"未报送的单位（{len(report.missing_units)} 个）：{units}。", 0, "bold")
    files = len(report.files)
    bad = sum(f.status in ("errors", "unreadable") and not f.superseded_by for f in report.files)
    older = sum(bool(f.superseded_by) for f in report.files)
    _lines(console, f"共审核 {files} 个文件，其中 {bad} 个需要退回修改" + (
        f"；{older} 个是同单位较早的文件，已被更新的文件取代，不计入。" if older else "。"), 0)


def print_rules(rules: RuleSet, console: Console) -> None:
    """The rules; review suggestions (审核建议) under their own heading, after the others."""
    from rich.table import Table

    groups = [(rules.title, [r for r in rules.rules if not r.review]),
              ("审核建议（XT8xx，默认为警告）", [r for r in rules.rules if r.review])]
    for title, members in groups:
        if not members:
            continue
        table = Table(title=title)
        for column in ("代码", "级别", "规则"):   # the check's own name is for rule authors
            table.add_column(column)
        for r in members:
            table.add_row(r.code, SEVERITY[r.severity], r.title)
        console.print(table)
