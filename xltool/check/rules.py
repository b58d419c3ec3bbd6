"""Rule sets (rules/*.yaml): which checks run, under which stable code, how severe, saying what.

A rule names a registered check, gives it parameters, a severity and a Chinese message
template. Loading validates all of it: unknown keys, unknown checks, bad parameters, duplicate
codes and placeholders the check does not provide are errors.
"""
from __future__ import annotations

import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .checks import CHECKS, CheckDef
from .report import is_review
from ..paths import data_dir
from ..modelcache import load_model

ALWAYS_KEYS = {"sheet", "cell"}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    code: str = Field(pattern=r"^XT\d{3}$")
    check: str
    severity: Literal["error", "warning"]
    title: str            # one line, for `xltool rules`
    message: str          # str.format template: {sheet}, {cell} and the check's keys
    params: dict = Field(default_factory=dict)
    _params: BaseModel = PrivateAttr()

    @model_validator(mode="after")
    def _consistent(self) -> "Rule":
        definition = CHECKS.get(self.check)
        if definition is None:
            raise ValueError(f"{self.code}: unknown check {self.check!r}; known: "
                             f"{', '.join(sorted(CHECKS))}")
        self._params = definition.params.model_validate(self.params)
        used = {name for _, name, _, _ in string.Formatter().parse(self.message) if name}
        unknown = used - definition.keys - ALWAYS_KEYS
        if unknown:
            raise ValueError(f"{self.code}: message uses {sorted(unknown)}, which check "
                             f"{self.check} does not provide (it gives {sorted(definition.keys)})")
        return self

    @property
    def review(self) -> bool:
        """A review suggestion (审核建议, XT8xx) rather than a completeness or format rule."""
        return is_review(self.code)

    @property
    def definition(self) -> CheckDef:
        return CHECKS[self.check]

    @property
    def parsed_params(self) -> BaseModel:
        return self.__pydantic_private__["_params"]   # as self._params, without __getattr__

    def render(self, sheet: str | None, cell: str | None, data: dict) -> str:
        return self.message.format(sheet=sheet or "", cell=cell or "", **data)


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: str
    title: str
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_codes(self) -> "RuleSet":
        codes = [r.code for r in self.rules]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate rule codes: {', '.join(dupes)}")
        return self

    def selected(self, select: list[str] | None = None,
                 ignore: list[str] | None = None) -> list[Rule]:
        """Rules kept by --select / --ignore (codes or prefixes such as XT2)."""
        def hit(code: str, patterns: list[str]) -> bool:
            return any(code.startswith(p.strip().upper()) for p in patterns if p.strip())
        rules = self.rules
        if select:
            rules = [r for r in rules if hit(r.code, select)]
        if ignore:
            rules = [r for r in rules if not hit(r.code, ignore)]
        return rules

    def unknown_codes(self, patterns: list[str]) -> list[str]:
        return [p for p in patterns
                if p.strip() and not any(r.code.startswith(p.strip().upper()) for r in self.rules)]


def load_rules(path: str | Path | None = None) -> RuleSet:
    """A rule set; default: the bundled rules/default.yaml."""
    path = Path(path) if path else data_dir("rules") / "default.yaml"
    return load_model(RuleSet, path)
