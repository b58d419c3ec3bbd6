"""One export run: check and choose the returns, then write the requested deliverables."""
from __future__ import annotations

import gc
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..check.checker import Expected
from ..check.rules import RuleSet
from ..workers import Workers
from . import document
from .collect import Collected, collect
from .consolidated import ENCODINGS, WORKBOOK_NAME, write_csvs, write_workbook
from .mapping import Mapping, apply, load_mapping
from .model import UnitTargets
from .pdf import PdfError, to_pdf
from .tables import all_tables

DOCS_DIR = "绩效目标文档"


class ExportError(Exception):
    """The export cannot start (Chinese message); nothing has been written."""


@dataclass
class Exported:
    collected: Collected
    files: list[Path] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # non-fatal (e.g. PDF not made)


def _doc_job(job: tuple[UnitTargets, str, bool]) -> str:
    unit, path, toc = job
    document.write(unit, Path(path), toc)
    return path


def export(paths: list[Path], out_dir: Path, *, units: list[Expected] | None = None,
           rules: RuleSet | None = None, include_errors: bool = False, fmt: str = "xlsx",
           encoding: str | None = None, mapping: Path | Mapping | None = None,
           docx: bool = False, pdf: bool = False, toc: bool = False,
           workers: Workers | None = None, progress=None,
           ignore: list[str] | None = None) -> Exported:
    """Check the returns under `paths` and write the deliverables into out_dir (the Word
    documents with docx, pdf or toc: a table of contents on their first page).

    A bad mapping or encoding raises ExportError before anything is written. The encoding is
    the CSV files' (None: UTF-8 with BOM); the workbook has none, so giving one with it is
    refused rather than silently ignored.
    """
    if fmt not in ("xlsx", "csv"):
        raise ExportError(f"不支持的导出格式“{fmt}”，请用 xlsx 或 csv。")
    if encoding is not None and fmt != "csv":
        raise ExportError("--encoding 只用于 CSV 文件（--format csv）。汇总工作簿（xlsx）"
                          "不需要指定编码：请去掉 --encoding，或加上 --format csv 导出 CSV。")
    encoding = encoding or "utf-8"
    if encoding.lower() not in ENCODINGS:
        raise ExportError(f"不支持的编码“{encoding}”，请用 utf-8（默认）或 gbk。")
    chosen = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    with _collector_paused():
        return _export(paths, out_dir, units=units, rules=rules, include_errors=include_errors,
                       fmt=fmt, encoding=encoding, chosen=chosen, docx=docx, pdf=pdf, toc=toc,
                       workers=workers or Workers(1), progress=progress, ignore=ignore)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the run: the run builds about a million objects that
    live to its end (every return's report and targets, the table rows), and the collector
    would walk all of them again and again while they are made (about half the time of
    taking the workers' results in); nothing of the run relies on it."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _export(paths: list[Path], out_dir: Path, *, units: list[Expected] | None,
            rules: RuleSet | None, include_errors: bool, fmt: str, encoding: str,
            chosen: Mapping, docx: bool, pdf: bool, toc: bool, workers: Workers, progress,
            ignore: list[str] | None) -> Exported:
    collected = collect(paths, units=units, rules=rules, include_errors=include_errors,
                        workers=workers, progress=progress, exclude=out_dir, ignore=ignore)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = Exported(collected)
    tables = apply(chosen, all_tables(collected.units))
    if fmt == "xlsx":
        path = out_dir / WORKBOOK_NAME
        write_workbook(path, tables, collected.left_out)
        result.files.append(path)
    else:
        result.files += write_csvs(out_dir, tables, collected.left_out, encoding)
    if docx or pdf or toc:
        folder = out_dir / DOCS_DIR
        folder.mkdir(exist_ok=True)
        jobs = [(u, str(folder / document.document_name(u, u.year)), toc)
                for u in collected.units]
        step = progress("生成文档", len(jobs)) if progress else None
        result.documents = [Path(p) for p in workers.map(_doc_job, jobs, step)]
    if pdf:
        try:
            result.pdfs = _pdfs(result.documents, jobs, out_dir / DOCS_DIR, workers)
        except PdfError as exc:
            result.problems.append(str(exc))
    return result


def _pdfs(documents: list[Path], jobs: list[tuple[UnitTargets, str, bool]], folder: Path,
          workers: Workers) -> list[Path]:
    """The documents as PDF. LibreOffice cannot fill in Word's table-of-contents field (it
    would print the placeholder), so with a TOC the PDFs are made from copies without it: a
    PDF has a bookmark for every heading instead."""
    if not any(toc for _, _, toc in jobs):
        return to_pdf(documents, folder)
    with tempfile.TemporaryDirectory(prefix=".xltool-", dir=folder) as tmp:
        copies = workers.map(_doc_job, [(u, str(Path(tmp) / Path(path).name), False)
                                        for u, path, _ in jobs])
        return to_pdf([Path(p) for p in copies], folder)
