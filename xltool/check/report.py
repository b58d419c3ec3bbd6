"""The check report: the library's result, and exactly what `xltool check --json` prints.

Keys of schema xltool.check/1 are a contract with other tools: keys may be added, never change
meaning.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    def suggestions(self) -> int:
        """Review suggestions (XT8xx) among the issues, whatever their severity."""
        return sum(is_review(i.code) for i in self.issues)

    @property
    def review_only(self) -> bool:
        """Every issue is a review suggestion: nothing is missing or malformed."""
        return bool(self.issues) and all(is_review(i.code) for i in self.issues)


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
