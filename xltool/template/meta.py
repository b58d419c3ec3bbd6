"""The workbook's identity, kept on a very hidden sheet: which template and version it is, which
unit it belongs to, which sheets are project sheets, and what every locked cell held when the
workbook left the county (with a digest, also kept in the county's manifest).

Layout of the sheet: column A a key, column B its value; snapshot rows are
`cell | sheet | A1 ref | value`. Writing and reading of that layout both live here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

SCHEMA = "xltool.meta/1"
_SCALARS = ("schema", "template_id", "template_version", "framework", "year", "unit_code",
            "unit_name", "blank", "generator", "generated_at")


@dataclass
class Meta:
    template_id: str
    template_version: str
    framework: str
    year: int
    unit_code: str | None
    unit_name: str | None
    blank: bool
    generator: str
    generated_at: str
    project_sheets: list[str] = field(default_factory=list)
    # (sheet, A1 ref, value as text) of every non-empty locked cell the writer wrote
    cells: list[tuple[str, str, str]] = field(default_factory=list)
    schema: str = SCHEMA
    # the 部门整体绩效目标 sheet and its indicator framework; None in workbooks without it
    # (template 2025.1, or generated with --parts projects). Written and digested only when set,
    # so identities made before they existed still verify.
    dept_sheet: str | None = None
    dept_framework: str | None = None
    # the county's list settings (extra units and bases, units_open), when it has any
    settings: dict | None = None
    # the digest as read from a returned workbook, once it was found to match the content
    verified_digest: str | None = field(default=None, compare=False, repr=False)

    @property
    def digest(self) -> str:
        """SHA-256 over everything the township must not change."""
        payload = [self.template_id, self.template_version, self.framework, self.year,
                   self.unit_code, self.unit_name, self.project_sheets, sorted(self.cells)]
        if self.dept_sheet is not None:
            payload += [self.dept_sheet, self.dept_framework]
        if self.settings:
            payload.append(json.dumps(self.settings, ensure_ascii=False, sort_keys=True))
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def rows(self) -> list[list[str]]:
        """The sheet content, row by row."""
        out = [["key", "value"]]
        for key in _SCALARS:
            value = getattr(self, key)
            out.append([key, "" if value is None else str(value).lower() if isinstance(value, bool)
                        else str(value)])
        out.append(["project_sheets", json.dumps(self.project_sheets, ensure_ascii=False)])
        if self.dept_sheet is not None:
            out.append(["dept_sheet", self.dept_sheet])
            out.append(["dept_framework", self.dept_framework or ""])
        if self.settings:
            out.append(["settings", json.dumps(self.settings, ensure_ascii=False, sort_keys=True)])
        out.append(["digest", self.digest])
        out += [["cell", sheet, ref, value] for sheet, ref, value in self.cells]
        return out

    @classmethod
    def from_rows(cls, rows) -> "Meta":
        """Parse the sheet content; raises ValueError when it is not ours or is damaged."""
        scalars: dict[str, str] = {}
        cells: list[tuple[str, str, str]] = []
        for row in rows:
            if len(row) >= 4 and row[0] == "cell" and row[1].__class__ is str \
                    and row[2].__class__ is str and row[3].__class__ is str:
                cells.append((row[1], row[2], row[3]))   # the usual row: nothing to convert
                continue
            row = ["" if v is None else str(v) for v in row] + ["", "", ""]
            if row[0] == "cell":
                cells.append((row[1], row[2], row[3]))
            elif row[0] and row[0] != "key":
                scalars[row[0]] = row[1]
        if scalars.get("schema") != SCHEMA:
            raise ValueError(f"unknown identity schema {scalars.get('schema')!r}")
        try:
            meta = cls(
                template_id=scalars["template_id"], template_version=scalars["template_version"],
                framework=scalars["framework"], year=int(float(scalars["year"])),
                unit_code=scalars.get("unit_code") or None,
                unit_name=scalars.get("unit_name") or None,
                blank=scalars.get("blank") == "true", generator=scalars.get("generator", ""),
                generated_at=scalars.get("generated_at", ""),
                project_sheets=json.loads(scalars["project_sheets"]), cells=cells,
                dept_sheet=scalars.get("dept_sheet") or None,
                dept_framework=scalars.get("dept_framework") or None,
                settings=json.loads(scalars["settings"]) if scalars.get("settings") else None)
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"damaged identity: {exc}") from exc
        if scalars.get("digest") != meta.digest:
            raise ValueError("identity digest does not match its content")
        meta.verified_digest = scalars["digest"]
        return meta
