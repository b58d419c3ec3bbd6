"""One export run: check and choose the returns, then write the requested deliverables."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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


def _doc_job(job: tuple[UnitTargets, str]) -> str:
    unit, path = job
    document.write(unit, Path(path))
    return path


def export(paths: list[Path], out_dir: Path, *, units: list[Expected] | None = None,
           rules: RuleSet | None = None, include_errors: bool = False, fmt: str = "xlsx",
           encoding: str = "utf-8", mapping: Path | Mapping | None = None, docx: bool = False,
           pdf: bool = False, workers: Workers | None = None, progress=None,
           ignore: list[str] | None = None) -> Exported:
    """Check the returns under `paths` and write the deliverables into out_dir.

    A bad mapping or encoding raises ExportError before anything is written.
    """
    if fmt not in ("xlsx", "csv"):
        raise ExportError(f"不支持的导出格式“{fmt}”，请用 xlsx 或 csv。")
    if encoding.lower() not in ENCODINGS:
        raise ExportError(f"不支持的编码“{encoding}”，请用 utf-8（默认）或 gbk。")
    chosen = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    workers = workers or Workers(1)
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
    if docx or pdf:
        folder = out_dir / DOCS_DIR
        folder.mkdir(exist_ok=True)
        jobs = [(u, str(folder / document.document_name(u, u.year))) for u in collected.units]
        step = progress("生成文档", len(jobs)) if progress else None
        result.documents = [Path(p) for p in workers.map(_doc_job, jobs, step)]
    if pdf:
        try:
            result.pdfs = to_pdf(result.documents, out_dir / DOCS_DIR)
        except PdfError as exc:
            result.problems.append(str(exc))
    return result
