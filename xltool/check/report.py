"""The check report: the library's result, and exactly what `xltool check --json` prints.

Keys of schema xltool.check/1 are a contract with other tools: keys may be added, never change
meaning.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

SCHEMA = "xltool.check/1"
REVIEW_PREFIX = "XT8"   # review suggestions (审核建议): the quality of targets, not completeness


def is_review(code: str) -> bool:
    return code.startswith(REVIEW_PREFIX)
Status = Literal["ok", "warnings", "errors", "unreadable"]


@dataclass
class Issue:
    code: str
    severity: Literal["error", "warning"]
    sheet: str | None
    cell: str | None
    message: str


@dataclass
class FileReport:
    path: str
    unit_code: str | None = None
    unit_name: str | None = None
    status: Status = "ok"
    issues: list[Issue] = field(default_factory=list)
    template: str | None = None   # "xt-project 2025.1", when known
    saved_at: str | None = None   # when the file says it was last saved
    annotated: str | None = None  # the annotated copy written for it (check -o)
    format: str | None = None     # xlsx | xls | ods: how the file came back
    internal_error: str | None = None  # the checker's own failure on this file (traceback)
    local: str | None = None      # where a member of a .zip was read from (a private copy)
    blank: bool = False           # the county's generated form, nothing filled: not a return
    superseded_by: str | None = None  # a newer return of the same unit, which counts instead

    def settle(self, unreadable: bool = False) -> None:
        """Set the status from the issues."""
        severities = {i.severity for i in self.issues}
        self.status = ("unreadable" if unreadable else "errors" if "error" in severities
                       else "warnings" if "warning" in severities else "ok")

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warnings(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)

    @property
    def plain_warnings(self) -> int:
        """Warnings that are not review suggestions."""
        return self.warnings - self.suggestions

    @property
    def suggestions(self) -> int:
        """Review suggestions (XT8xx) among the issues, whatever their severity."""
        return sum(is_review(i.code) for i in self.issues)

    @property
    def review_only(self) -> bool:
        """Every issue is a review suggestion: nothing is missing or malformed."""
        return bool(self.issues) and all(is_review(i.code) for i in self.issues)


def counts_text(f: FileReport) -> str:
    """错误 x 个，警告 y 个（，审核建议 z 条）: review suggestions apart from the warnings."""
    text = f"错误 {f.errors} 个，警告 {f.plain_warnings} 个"
    return text + (f"，审核建议 {f.suggestions} 条" if f.suggestions else "")


def saved_moment(saved_at: str | None, path: str) -> tuple[str, bool]:
    """When a file was last saved, as comparable text (UTC, seconds), and whether that comes
    from the file's own document properties (True) or only from its modification time."""
    moment = None
    if saved_at:
        try:
            moment = datetime.fromisoformat(saved_at.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    own = moment is not None
    if moment is None:
        try:
            moment = datetime.fromtimestamp(Path(path).stat().st_mtime, timezone.utc)
        except (OSError, ValueError, OverflowError):
            return "", False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"), own


def newest_first(items: list, saved_at, path) -> list:
    """Returns of one unit, the one that counts first: the newest by the file's own saved time
    (.xlsx core properties, .xls SummaryInformation, .ods meta.xml), else its modification
    time; then by name. `saved_at(item)` and `path(item)` say what an item has."""
    return sorted(items, key=lambda x: (saved_moment(saved_at(x), path(x))[0],
                                        Path(path(x)).name), reverse=True)


def is_ours(f: FileReport) -> bool:
    """A return of a unit: readable, our template, a unit, something filled in."""
    return f.status != "unreadable" and f.template is not None and bool(f.unit_code) \
        and not f.blank


def mark_superseded(files: list[FileReport]) -> None:
    """Where a unit returned several files, the older ones are superseded by the newest."""
    by_unit: dict[str, list[FileReport]] = {}
    for f in files:
        if is_ours(f):
            by_unit.setdefault(f.unit_code, []).append(f)
    for group in by_unit.values():
        counted, *others = newest_first(group, lambda f: f.saved_at, lambda f: f.path)
        counted.superseded_by = None
        for f in others:
            f.superseded_by = counted.path


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)
    missing_units: list[dict] = field(default_factory=list)   # {"unit_code", "unit_name"}
    rules: str = "default"

    @property
    def failed(self) -> bool:
        return any(f.status in ("errors", "unreadable") for f in self.files)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "files": [{k: v for k, v in asdict(f).items() if k != "local"} for f in self.files],
            "missing_units": self.missing_units,
            "summary": {
                "files": len(self.files),
                **{s: sum(f.status == s for f in self.files)
                   for s in ("ok", "warnings", "errors", "unreadable")},
                "issues": sum(len(f.issues) for f in self.files),
                "review_suggestions": sum(f.suggestions for f in self.files),
                "missing_units": len(self.missing_units),
            },
            "rules": self.rules,
        }
