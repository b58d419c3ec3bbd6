"""Receiving returns: store the bytes, record them, check them in a job process, keep the
results; and the county's downloads (汇总, 催报). Nothing here decides what is right or wrong
in a workbook: that is the checker's."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter import Workbook

from ..atomic import atomic_path
from ..check.rules import load_rules
from .jobs import (JobFailed, check_job, clear, export_job, run_isolated, safe_name,
                   summary_job)
from .store import Store, now

STATUS = {"ok": "通过", "warnings": "仅警告", "errors": "有错误", "unreadable": "有错误"}
REVIEW = {"approved": "已审核通过", "returned": "退回"}
TIMEOUT = 60.0            # seconds for one uploaded file
TIMEOUT_PER_FILE = 10.0   # and for each further file of a batch


@dataclass
class Round:
    """What `xltool generate` wrote: the folder, its manifest and year."""
    folder: Path
    manifest: Path
    year: int | None
    units: list[dict]


class Intake:
    def __init__(self, store: Store, round_: Round, jobs: int = 2, timeout: float = TIMEOUT):
        self.store, self.round = store, round_
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(max(1, jobs))

    # -- receiving --------------------------------------------------------------------------
    def receive(self, unit_code: str | None, kind: str, name: str, tmp: Path) -> int:
        """Store the file, then commit its row: acknowledged means on disk."""
        sha, size = self.store.put_file(tmp)
        return self.store.add_upload(unit_code, kind, name, sha, size)

    def process(self, upload_ids: list[int]) -> list[int]:
        """Check received uploads (one batch, like the CLI) and record the results."""
        uploads = [self.store.upload(i) for i in upload_ids]
        items = [(u["name"], str(self.store.blob_path(u["sha256"]))) for u in uploads]
        work = Path(tempfile.mkdtemp(prefix="job-", dir=self.store.work))
        try:
            try:
                with self._slots:
                    results = run_isolated(check_job, {
                        "items": items, "work": str(work), "manifest": str(self.round.manifest)},
                        self.timeout + TIMEOUT_PER_FILE * (len(items) - 1))
                grouped = self._group(uploads, work, results)
            except JobFailed as exc:
                if len(uploads) > 1:   # a batch: find the file at fault, check each alone
                    clear(work)
                    return [i for u in upload_ids for i in self.process([u])]
                grouped = {uploads[0]["id"]: [self._failed(uploads[0], str(exc))]}
            ids = []
            for u in uploads:
                ids += self.store.finish_upload(u["id"], [self._row(u, r)
                                                           for r in grouped[u["id"]]])
            return ids
        finally:
            clear(work)

    def _group(self, uploads, work: Path, results) -> dict[int, list[dict]]:
        """Results back to their upload (a zip gives several); each under work/f<n>/."""
        grouped: dict[int, list[dict]] = {u["id"]: [] for u in uploads}
        for r in results:
            rel = Path(r["path"]).relative_to(work)
            r["member"] = "zip" in rel.parts[1:]
            grouped[uploads[int(rel.parts[0][1:])]["id"]].append(r)
        return grouped

    def _failed(self, upload, reason: str) -> dict:
        """The outcome of a file whose check could not finish: the rule set's 'unreadable'."""
        why = (f"{reason}。请确认上传的是本单位的填报表（.xlsx/.xls/.ods），必要时在 Excel 或 WPS "
               "中打开后另存为 .xlsx 再上传")
        issues = [{"code": r.code, "severity": r.severity, "sheet": None, "cell": None,
                   "message": r.render(None, None, {"reason": why})}
                  for r in load_rules().selected() if r.check == "unreadable"]
        report = {"path": upload["name"], "unit_code": None, "unit_name": None,
                  "status": "unreadable", "issues": issues, "template": None,
                  "saved_at": None, "annotated": None, "format": None}
        return {"name": upload["name"], "path": None, "report": report, "annotated": None,
                "contact": None, "phone": None}

    def _row(self, upload, r: dict) -> dict:
        report = r["report"]
        sha = self.store.put_file(Path(r["path"]))[0] if r.get("member") else upload["sha256"]
        annotated = self.store.put_file(Path(r["annotated"]))[0] if r["annotated"] else None
        file_unit = report.get("unit_code")
        known = file_unit is not None and self.store.unit(file_unit) is not None
        note = None
        if upload["kind"] == "bulk":
            unit, counted = (file_unit, True) if known else (None, False)
        else:
            unit = upload["unit_code"]
            counted = upload["kind"] == "submit"
            if file_unit is not None and file_unit != unit:
                counted = False
                note = (f"这不是本单位的填报表（表内单位：{report.get('unit_name') or file_unit}），"
                        "未计为报送。请上传本单位的表格。")
        errors = sum(i["severity"] == "error" for i in report["issues"])
        warnings = sum(i["severity"] == "warning" for i in report["issues"])
        return {"unit_code": unit, "counted": counted, "kind": upload["kind"],
                "name": r["name"], "sha256": sha, "status": report["status"],
                "errors": errors, "warnings": warnings, "report": report,
                "annotated": annotated, "contact": r["contact"], "phone": r["phone"],
                "note": note}

    def recover(self) -> None:
        """Uploads acknowledged before a crash but not yet checked: check them now."""
        for u in self.store.pending_uploads():
            self.process([u["id"]])

    # -- the county's views and downloads ---------------------------------------------------
    def dashboard(self) -> list[dict]:
        latest = self.store.latest_counted()
        rows = []
        for u in self.store.units():
            r = latest.get(u["code"])
            rows.append({"code": u["code"], "name": u["name"],
                         "state": STATUS[r["status"]] if r else "未报送",
                         "at": r["received_at"] if r else None,
                         "errors": r["errors"] if r else None,
                         "warnings": r["warnings"] if r else None,
                         "review": REVIEW.get(r["review"]) if r else None,
                         "return_id": r["id"] if r else None})
        return rows

    def _latest_files(self, work: Path) -> list[str]:
        """Each unit's latest counted return, copied into work/ under a safe name."""
        files = []
        for n, r in enumerate(self.store.latest_counted().values()):
            folder = work / f"u{n}"
            folder.mkdir()
            target = folder / safe_name(r["name"])
            shutil.copyfile(self.store.blob_path(r["sha256"]), target)
            files.append(str(target))
        return files

    def summary(self, dest: Path) -> None:
        """汇总.xlsx over each unit's latest counted return, like `check -o` on that folder."""
        self._deliver(summary_job, dest, lambda work: {"dest": str(work / "汇总.xlsx")})

    def export(self, dest: Path) -> None:
        """The consolidated workbook of `xltool export` over the same returns."""
        self._deliver(export_job, dest, lambda work: {"out": str(work / "export")})

    def _deliver(self, fn, dest: Path, extra) -> None:
        work = Path(tempfile.mkdtemp(prefix="out-", dir=self.store.work))
        try:
            files = self._latest_files(work)
            with self._slots:
                made = run_isolated(fn, {"files": files, "manifest": str(self.round.manifest),
                                         **extra(work)},
                                    self.timeout + TIMEOUT_PER_FILE * len(files))
            with atomic_path(dest) as tmp:
                os.replace(made, tmp)
        finally:
            clear(work)

    def reminders(self, dest: Path) -> int:
        """催报 list: units without a counted return, or whose latest was sent back."""
        latest = self.store.latest_counted()
        contacts = self.store.latest_contact()
        rows = []
        for u in self.store.units():
            r = latest.get(u["code"])
            if r is None:
                why = "未报送"
            elif r["review"] == "returned":
                why = "已退回，待重新报送"
            elif r["status"] in ("errors", "unreadable"):
                why = "有错误，待修改后重新报送"
            else:
                continue
            c = contacts.get(u["code"])
            rows.append([u["code"], u["name"], why, c["contact"] if c else "",
                         c["phone"] if c else "", r["received_at"] if r else ""])
        with atomic_path(dest) as tmp:
            wb = Workbook(tmp)
            ws = wb.add_worksheet("催报名单")
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
            cell = wb.add_format({"border": 1})
            year = f"{self.round.year}年" if self.round.year else ""
            ws.write(0, 0, f"{year}预算项目绩效目标表 催报名单（{now()}）",
                     wb.add_format({"bold": True, "font_size": 14}))
            for c, title in enumerate(["单位编码", "单位名称", "情况", "联系人", "联系电话",
                                       "最近报送时间"]):
                ws.write_string(2, c, title, head)
            for r_, row in enumerate(rows, start=3):
                for c, value in enumerate(row):
                    ws.write_string(r_, c, "" if value is None else str(value), cell)
            ws.set_column(0, 0, 12)
            ws.set_column(1, 1, 36)
            ws.set_column(2, 2, 26)
            ws.set_column(3, 5, 18)
            ws.autofilter(2, 0, 2 + len(rows), 5)
            wb.close()
        return len(rows)

