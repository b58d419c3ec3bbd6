"""Generate a batch of township workbooks from a distribution list, plus the county's manifest."""
from __future__ import annotations

import csv
import io
import json
import os
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import write_bytes_atomic
from .distlist import Unit, load_units
from .naming import file_stem
from .protection import check_password
from .settings import CountySettings, apply_lists
from .spec import Framework, TemplateSpec, load_framework, load_spec
from .writer import WorkbookPlan, write_workbook

MANIFEST_NAME = "xltool-manifest.json"
MANIFEST_CSV_NAME = "分发清单.csv"
MANIFEST_SCHEMA = "xltool.manifest/1"
BLANK_STEM = "空白模板_{year}年预算项目绩效目标表"


PARTS = ("both", "projects")
PARTS_HELP = "both：部门整体绩效目标表和项目表；projects：只要项目表"


class GenerateError(Exception):
    """A problem that stops generation before anything is written (Chinese message)."""


@dataclass
class Generated:
    unit_code: str | None
    unit_name: str | None
    file: str
    projects: int
    prefill_digest: str


@dataclass
class Batch:
    out_dir: Path
    year: int
    template_id: str
    template_version: str
    framework: str
    password: str
    password_generated: bool
    generated_at: str
    files: list[Generated] = field(default_factory=list)
    settings: CountySettings | None = None
    settings_file: str | None = None

    def manifest(self) -> dict:
        return {
            "schema": MANIFEST_SCHEMA, "template_id": self.template_id,
            "template_version": self.template_version, "framework": self.framework,
            "year": self.year, "generated_at": self.generated_at,
            "note": "本文件供县财政局留存，含解除保护密码，请勿随表格外发。",
            "password": self.password,
            **({"settings": self.settings.to_dict(), "settings_file": self.settings_file}
               if self.settings is not None else {}),
            "units": [vars(g) for g in self.files],
        }


def previous_manifest(out_dir: Path) -> dict | None:
    """The manifest of an earlier run into this folder, when there is a readable one."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == MANIFEST_SCHEMA else None


def generation_time() -> str:
    """Now (UTC, seconds), or SOURCE_DATE_EPOCH for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit()
              else datetime.now(timezone.utc))
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_password() -> str:
    """A random 12-character password without look-alike characters."""
    alphabet = [c for c in string.ascii_letters + string.digits if c not in "0O1lI"]
    return "".join(secrets.choice(alphabet) for _ in range(12))


def unit_file_name(unit: Unit | None, year: int) -> str:
    if unit is None:
        return file_stem(BLANK_STEM.format(year=year)) + ".xlsx"
    return file_stem(f"{unit.code}_{unit.name}_{year}年预算项目绩效目标表") + ".xlsx"


def _targets(units: list[Unit | None], out_dir: Path, year: int, force: bool) -> list[Path]:
    paths = [out_dir / unit_file_name(u, year) for u in units]
    seen: dict[str, Unit | None] = {}
    for unit, path in zip(units, paths):
        key = path.name.lower()  # Windows file names are case-insensitive
        if key in seen:
            raise GenerateError(f"单位 {unit.code if unit else ''} 与另一单位的文件名相同（{path.name}），"
                                "请检查名单中的单位编码和名称。")
        seen[key] = unit
    existing = [p.name for p in [*paths, out_dir / MANIFEST_NAME] if p.exists()]
    if existing and not force:
        shown = "、".join(existing[:3]) + (" 等" if len(existing) > 3 else "")
        raise GenerateError(f"输出文件夹 {out_dir} 中已有同名文件：{shown}。"
                            "为免覆盖已收回的表格，请换一个输出文件夹，或确认后加 --force 覆盖。")
    return paths


def _manifest_csv(batch: Batch) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["单位编码", "单位名称", "文件名", "项目数", "模板版本"])
    for g in batch.files:
        writer.writerow([g.unit_code or "", g.unit_name or "（空白模板）", g.file, g.projects,
                         f"{batch.template_id} {batch.template_version}"])
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel on Chinese Windows opens it right


def generate(out_dir: str | Path, *, list_path: str | Path | None = None, year: int,
             blank_sheets: int | None = None, spec: TemplateSpec | None = None,
             framework: Framework | None = None, password: str | None = None,
             force: bool = False, parts: str = "both",
             dept_framework: Framework | None = None,
             settings: CountySettings | None = None,
             settings_file: str | Path | None = None) -> Batch:
    """Write one workbook per unit of the list (or one blank template when list_path is None).

    Everything is validated before the first file is written; a bad list raises ListError,
    other refusals GenerateError. parts: "both" (部门整体绩效目标 and the project sheets, when
    the template has the former) or "projects"; dept_framework: the department sheet's
    indicator framework (default: the projects' one).
    """
    spec = spec or load_spec()
    framework = framework or load_framework(spec.framework)
    if parts not in PARTS:
        raise GenerateError(f"--parts 只能是 {' 或 '.join(PARTS)}（{PARTS_HELP}）。")
    if parts == "projects" or spec.dept is None:
        dept_framework = None
    else:
        dept_framework = dept_framework or framework
    record = settings.lists_record() if settings is not None else None
    spec = apply_lists(spec, record)
    if not 2000 <= year <= 2100:
        raise GenerateError(f"年度 {year} 不合理，请填写四位年份，如 2025。")
    blank_sheets = spec.blank_sheets if blank_sheets is None else blank_sheets
    if not 1 <= blank_sheets <= 50:
        raise GenerateError("空白项目表数量应在 1 到 50 之间。")
    out_dir = Path(out_dir)
    previous = previous_manifest(out_dir) if force else None
    if previous and password is None:
        password = previous.get("password")   # workbooks already sent keep working
    if previous and password != previous.get("password"):
        raise GenerateError(f"输出文件夹 {out_dir} 中已有用另一密码生成的表格。为免旧表格的密码"
                            "无人记录，请换一个输出文件夹，或不指定 --password 沿用原密码。")
    generated = password is None
    password = new_password() if password is None else password
    if (problem := check_password(password)) is not None:
        raise GenerateError(problem)
    units: list[Unit | None] = load_units(list_path) if list_path is not None else [None]
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = _targets(units, out_dir, year, force)
    batch = Batch(out_dir=out_dir, year=year, template_id=spec.id,
                  template_version=spec.version, framework=framework.id, password=password,
                  password_generated=generated, generated_at=generation_time(),
                  settings=settings,
                  settings_file=str(settings_file) if settings_file is not None else None)
    for unit, path in zip(units, paths):
        plan = WorkbookPlan(year=year, unit=unit, blank_sheets=blank_sheets, password=password,
                            generated_at=batch.generated_at, dept_framework=dept_framework,
                            settings=record)
        meta = write_workbook(path, spec, framework, plan)
        batch.files.append(Generated(
            unit_code=unit.code if unit else None, unit_name=unit.name if unit else None,
            file=path.name, projects=len(unit.projects) if unit else 0,
            prefill_digest=meta.digest))
    manifest = batch.manifest()
    if previous:  # keep the records of earlier workbooks that were not regenerated now
        fresh = {g.file for g in batch.files}
        kept = [u for u in previous.get("units", []) if u.get("file") not in fresh
                and (out_dir / str(u.get("file"))).is_file()]
        manifest["units"] = kept + manifest["units"]
        batch.files = [Generated(**u) for u in kept] + batch.files
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomic(out_dir / MANIFEST_NAME, text.encode("utf-8"))
    write_bytes_atomic(out_dir / MANIFEST_CSV_NAME, _manifest_csv(batch))
    return batch
