"""The county's own settings (县设置.yaml), kept next to the distribution list.

What a county may decide without touching files inside the package: extra units of measure
(计量单位) and bases (指标值确定依据) for the dropdowns, whether a unit outside the list is
refused by the dropdown or only warned about, the satisfaction threshold, and rules it does not
use. Keys are Chinese because the people who edit the file read Chinese:

    计量单位:
      增加: [个百分点, 座, 处, 条, 米, 立方米, 辆]
      列表外的单位: 提醒        # 禁止（默认）或 提醒
    指标值确定依据:
      增加: [县级标准]
    满意度门槛: 85
    不用的规则: [XT106]

Generating records the settings in the manifest and the list parts in each workbook's identity,
so checking reads every workbook with the lists it was given, and applies the threshold and the
rules of the manifest (or of `--settings`).
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SETTINGS_NAME = "县设置.yaml"
UNIT_RULE_CHECK = "unit_known"
THRESHOLD_CHECK = "satisfaction_threshold"


class SettingsError(Exception):
    """The settings file cannot be used (Chinese message naming the file)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              defer_build=True)   # built when a settings file is first read


def _clean(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            raise ValueError("列表中有空白项")
        if text not in out:
            out.append(text)
    return out


class UnitSettings(_Model):
    added: list[str] = Field(default_factory=list, alias="增加")
    outside: Literal["禁止", "提醒"] = Field("禁止", alias="列表外的单位")

    _clean = field_validator("added", mode="before")(
        lambda v: _clean([str(x) for x in v]) if isinstance(v, list) else v)


class BasisSettings(_Model):
    added: list[str] = Field(default_factory=list, alias="增加")

    _clean = field_validator("added", mode="before")(
        lambda v: _clean([str(x) for x in v]) if isinstance(v, list) else v)


class CountySettings(_Model):
    units: UnitSettings = Field(default_factory=UnitSettings, alias="计量单位")
    bases: BasisSettings = Field(default_factory=BasisSettings, alias="指标值确定依据")
    threshold: Decimal | None = Field(None, alias="满意度门槛", ge=0, le=100)
    disabled_rules: list[str] = Field(default_factory=list, alias="不用的规则")

    @field_validator("disabled_rules", mode="before")
    @classmethod
    def _codes(cls, v):
        return [str(c).strip().upper() for c in v] if isinstance(v, list) else v

    # ---- what goes into each workbook's identity: the lists only ----
    def lists_record(self) -> dict | None:
        """The list settings a workbook carries (None when the template's lists are used)."""
        if not (self.units.added or self.bases.added or self.units.outside != "禁止"):
            return None
        return {"units": self.units.added, "bases": self.bases.added,
                "units_open": self.units.outside == "提醒"}

    def to_dict(self) -> dict:
        return json.loads(self.model_dump_json(by_alias=True, exclude_none=True))

    @property
    def units_open(self) -> bool:
        return self.units.outside == "提醒"


def load_settings(path: str | Path) -> CountySettings:
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text("utf-8-sig")) or {}
    except FileNotFoundError:
        raise SettingsError(f"找不到县设置文件：{path}。") from None
    except UnicodeDecodeError:
        raise SettingsError(f"县设置文件 {path} 不是 UTF-8 编码。请用记事本打开，"
                            "“另存为”时把编码选为 UTF-8。") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行附近" if mark is not None else ""
        raise SettingsError(f"县设置文件 {path} {where}格式有误。请对照使用说明中的示例检查"
                            "冒号、缩进（用空格，不用 Tab）和方括号。") from None
    except OSError as exc:
        raise SettingsError(f"无法读取县设置文件 {path}：{exc.strerror}。") from None
    if not isinstance(data, dict):
        raise SettingsError(f"县设置文件 {path} 的内容应是“项目: 值”的形式，请对照使用说明中的示例。")
    return settings_from_dict(data, path)


def settings_from_dict(data: dict, path: str | Path = "县设置") -> CountySettings:
    try:
        return CountySettings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"])
            if e["type"] == "extra_forbidden":
                problems.append(f"“{where}”不是可用的设置项")
            elif e["type"] == "literal_error":
                problems.append(f"“{where}”只能写 禁止 或 提醒")
            elif "less_than" in e["type"] or "greater_than" in e["type"]:
                problems.append(f"“{where}”应在 0 到 100 之间")
            else:
                problems.append(f"“{where}”的值不对")
        raise SettingsError(f"县设置文件 {path} 有误：{'；'.join(problems)}。可用的设置项："
                            "计量单位（增加、列表外的单位）、指标值确定依据（增加）、满意度门槛、"
                            "不用的规则。") from None


def settings_beside(list_path: str | Path | None) -> Path | None:
    """县设置.yaml in the folder of the distribution list, when there is one."""
    if list_path is None:
        return None
    candidate = Path(list_path).parent / SETTINGS_NAME
    return candidate if candidate.is_file() else None


def apply_lists(spec, record: dict | None):
    """The template spec with the county's list settings (as recorded in a workbook)."""
    if not record:
        return spec
    key = (id(spec), json.dumps(record, ensure_ascii=False, sort_keys=True))
    if key not in _APPLIED:
        _APPLIED[key] = (spec, _applied(spec, record))   # keeps spec alive: its id stays its own
    return _APPLIED[key][1]


_APPLIED: dict = {}


def _applied(spec, record: dict):
    lists = spec.lists
    units = lists.units + [u for u in record.get("units", []) if u not in lists.units]
    bases = lists.bases + [b for b in record.get("bases", []) if b not in lists.bases]
    new_lists = lists.model_copy(update={"units": units, "bases": bases,
                                         "units_open": bool(record.get("units_open"))})
    return spec.model_copy(update={"lists": new_lists})


def apply_rules(rules, settings: CountySettings | None):
    """The rule set with the county's threshold and unit policy; disabled rules are left to
    the caller's ignore list (they keep their codes, so reports stay comparable)."""
    if settings is None:
        return rules
    data = rules.model_dump()
    for rule in data["rules"]:
        if rule["check"] == THRESHOLD_CHECK and settings.threshold is not None:
            rule["params"] = {**rule["params"], "threshold": settings.threshold}
        if rule["check"] == UNIT_RULE_CHECK and settings.units_open:
            rule["severity"] = "warning"
    return type(rules).model_validate(data)


SETTINGS_TEMPLATE = """\
# 县设置：本县自定的填报选项。请与分发名单放在同一个文件夹里；
# 生成填报表时自动使用（也可以用 --settings 指定），并记入 xltool-manifest.json，
# 审核时（--units 下发/xltool-manifest.json）按同样的设置审核。
# 改动后请重新生成填报表。以 # 开头的行是说明，不起作用。

计量单位:
  # 在内置的计量单位之外，本县还允许的单位：
  增加: [个百分点, 座, 处, 条, 米, 立方米, 辆]
  # 填报人填写下拉列表以外的单位时：禁止（不能输入）或 提醒（可以输入，审核时提示核实）
  列表外的单位: 禁止

指标值确定依据:
  # 下拉列表中增加的依据（依据本来就可以直接填写，这里只是方便选择）：
  增加: []

# 满意度指标低于这个百分比时，审核结果中提示警告（内置为 90）：
满意度门槛: 90

# 本县不用的审核规则（规则代码见使用说明），例如 [XT106]：
不用的规则: []
"""
