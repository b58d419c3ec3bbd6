"""A printable 问题清单 per returned file, as PDF (`check -o DIR --pdf`), for townships that
cannot open the annotated workbook: a small A4 workbook per file, turned into PDF by
LibreOffice in one batch with its own profile."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from xlsxwriter import Workbook

from ..atomic import write_bytes_atomic
from ..check.report import FileReport, Report, counts_text, is_review
from ..check.rules import RuleSet
from ..template.naming import file_stem
from ..template.writer import text_height
from .outputs import review_only

PDF_DIR = "问题清单"
PDF_SUFFIX = "_问题清单"
HEADER = ("序号", "工作表", "单元格", "级别", "问题")
WIDTHS = (5, 16, 8, 6, 62)
WINDOWS_SOFFICE = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                   r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")
NO_OFFICE = ("没有找到 LibreOffice，无法生成 PDF 问题清单。请先安装 LibreOffice（可从其官方网站"
             "下载，安装时选默认选项），再重新运行；其余报告已照常生成。")


class PdfError(Exception):
    """PDF output is not possible here (Chinese message)."""


def find_soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((p for p in WINDOWS_SOFFICE if os.path.isfile(p)), None)


def _write_list(path: Path, f: FileReport, created: datetime) -> None:
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                              "strings_to_urls": False})
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True}
    title = wb.add_format({**base, "font_name": "黑体", "font_size": 14, "bold": True})
    plain = wb.add_format(base)
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                          "align": "center"})
    cell = wb.add_format({**base, "border": 1})
    centre = wb.add_format({**base, "border": 1, "align": "center"})
    severity = {"error": wb.add_format({**base, "border": 1, "align": "center",
                                        "font_color": "#C00000", "bold": True}),
                "warning": wb.add_format({**base, "border": 1, "align": "center",
                                          "font_color": "#7F6000"})}
    ws = wb.add_worksheet("问题清单")
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    unit = " ".join(x for x in (f.unit_code, f.unit_name) if x) or "（单位不明）"
    last = len(HEADER) - 1
    ws.merge_range(0, 0, 0, last, f"{unit} 预算项目绩效目标表 审核问题清单", title)
    ws.set_row(0, 24)
    lines = [f"文件：{Path(f.path).name}",
             f"审核时间：{created:%Y-%m-%d %H:%M}；{counts_text(f)}。"
             "错误必须改正；警告请核实，确认无误可不改" + ("；审核建议供参考，不是必须修改。"
                                                         if f.suggestions else "。"),
             "请在原表格中逐条改正后，按原文件格式重新报送。"]
    for r, text in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, last, text, plain)
        ws.set_row(r, text_height(text, sum(WIDTHS)))
    top = len(lines) + 2
    for c, h in enumerate(HEADER):
        ws.write_string(top, c, h, head)
    for n, issue in enumerate(f.issues, start=1):
        r = top + n
        ws.write_number(r, 0, n, centre)
        ws.write_string(r, 1, issue.sheet or "整个文件", cell)
        ws.write_string(r, 2, issue.cell or "", centre)
        ws.write_string(r, 3, "审核建议" if is_review(issue.code) else
                        "错误" if issue.severity == "error" else "警告", severity[issue.severity])
        ws.write_string(r, 4, issue.message, cell)
        need = max(text_height(issue.message, WIDTHS[4]), text_height(issue.sheet or "", WIDTHS[1]))
        if need > 15:
            ws.set_row(r, need)
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.repeat_rows(top)
    ws.set_footer("&C&\"宋体\"&9第 &P 页，共 &N 页")
    wb.close()


def write_issue_pdfs(report: Report, out_dir: Path, rules: RuleSet, created: datetime,
                     suggestion_copies: bool = False) -> list[Path]:
    """One PDF per file with issues, in out_dir/问题清单/; a file with review suggestions only
    gets one with suggestion_copies, as it gets an annotated copy. Raises PdfError when
    LibreOffice is missing or fails. Each PDF is moved into place only when complete."""
    files = [f for f in report.files if f.issues and (suggestion_copies or not review_only(f))]
    if not files:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(NO_OFFICE)
    target = out_dir / PDF_DIR
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="xltool-pdf-") as tmp:
        work = Path(tmp)
        names: dict[str, str] = {}
        for i, f in enumerate(files):
            stem = f"list{i:05d}"
            names[stem] = file_stem(Path(f.path).stem + PDF_SUFFIX) + ".pdf"
            _write_list(work / f"{stem}.xlsx", f, created)
        profile = (work / "profile").resolve().as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(work / "pdf"), *sorted(str(p) for p in work.glob("*.xlsx"))]
        try:
            subprocess.run(cmd, capture_output=True, timeout=120 + 10 * len(files),
                           env={**os.environ, "HOME": str(work)}, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"LibreOffice 生成 PDF 失败（{type(exc).__name__}）。其余报告已照常"
                           "生成；可稍后重试，或把标注副本发给乡镇。") from exc
        missing = []
        for stem, name in names.items():
            pdf = work / "pdf" / f"{stem}.pdf"
            if not pdf.is_file():
                missing.append(name)
                continue
            write_bytes_atomic(target / name, pdf.read_bytes())
            written.append(target / name)
        if missing:
            raise PdfError(f"LibreOffice 没有生成这些 PDF：{'、'.join(missing)}。其余报告已照常生成。")
    return written
