"""Mapping files: which tables and columns an export writes, under which names, with which codes.

A budget system's import template differs by province; a mapping file (YAML) says, per table,
the output name and the columns in order — each an xltool column, optionally renamed, and
optionally with its values recoded (符号 ≥ → the system's code). A mapping is checked in full
before anything is written; every problem is reported in Chinese.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..paths import data_dir
from .model import number_text
from .tables import Column, Table, table_columns

DEFAULT_MAPPING = "default.yaml"


class MappingError(Exception):
    """A mapping file that cannot be used (Chinese message naming the file)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnMap(Strict):
    column: str                       # an xltool column of the table
    header: str | None = None         # its name in the output (default: the same)
    map: dict[str, str] | None = None  # value -> code
    default: str | None = None        # for values not in map (default: unchanged)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value):
        return {"column": value} if isinstance(value, str) else value


class TableMap(Strict):
    name: str | None = None           # sheet name / CSV file name (default: the table's)
    columns: list[ColumnMap] = Field(min_length=1)


class Mapping(Strict):
    title: str | None = None
    description: str | None = None
    tables: dict[str, TableMap] = Field(min_length=1)


def _problems(mapping: Mapping) -> list[str]:
    known = table_columns()
    problems = []
    for table, tm in mapping.tables.items():
        if table not in known:
            problems.append(f"没有名为“{table}”的表。可用的表：{'、'.join(known)}。")
            continue
        headers = []
        for c in tm.columns:
            if c.column not in known[table]:
                problems.append(f"表“{table}”中没有“{c.column}”列。可用的列："
                                f"{'、'.join(known[table])}。")
            headers.append(c.header or c.column)
        dup = sorted({h for h in headers if headers.count(h) > 1})
        if dup:
            problems.append(f"表“{table}”的输出列名重复：{'、'.join(dup)}。")
    names = [tm.name or t for t, tm in mapping.tables.items()]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(f"输出表名重复：{'、'.join(dup)}。")
    bad = [n for n in names if any(ch in n for ch in '\\/:*?"<>|[]') or not n.strip()
           or len(n) > 31]
    if bad:
        problems.append(f"输出表名不能为空、超过 31 个字或含有 \\ / : * ? \" < > | [ ]："
                        f"{'、'.join(bad)}。")
    return problems


def _where(loc: tuple) -> str:
    return " → ".join(str(x) for x in loc if x not in ("function-after", "str"))


def load_mapping(path: str | Path | None = None) -> Mapping:
    """A mapping file (default: the bundled one with xltool's own columns)."""
    path = Path(path) if path else data_dir("mappings") / DEFAULT_MAPPING
    bundled = data_dir("mappings") / path.name
    if not path.exists() and path.name == str(path) and bundled.exists():
        path = bundled   # a bare name: one of the mappings shipped with xltool
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        shipped = "、".join(sorted(p.name for p in data_dir("mappings").glob("*.yaml")))
        raise MappingError(f"找不到映射文件：{path}。请写出映射文件的路径；xltool 自带的映射文件"
                           f"可以只写文件名：{shipped}。")
    except UnicodeDecodeError:
        raise MappingError(f"映射文件 {path} 不是 UTF-8 编码，请用记事本“另存为 UTF-8”后重试。")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise MappingError(f"映射文件 {path} {where}格式有误（不是有效的 YAML），请对照示例修改。")
    except OSError as exc:
        raise MappingError(f"无法读取映射文件 {path}：{exc.strerror or exc}。")
    if not isinstance(data, dict):
        raise MappingError(f"映射文件 {path} 应以 tables: 开头，列出要导出的表和列，请对照示例修改。")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        lines = [f"{_where(e['loc'])}：{_message(e)}" for e in exc.errors()]
        raise MappingError(f"映射文件 {path} 有误：\n  " + "\n  ".join(lines))
    problems = _problems(mapping)
    if problems:
        raise MappingError(f"映射文件 {path} 有 {len(problems)} 处问题，未导出任何文件：\n  "
                           + "\n  ".join(problems))
    return mapping


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "不认识的设置项（可用：tables、name、columns、column、header、map、default）"
    if kind == "missing":
        return "缺少这一项"
    if kind in ("too_short",):
        return "至少要列出一项"
    if kind.endswith("_type") or kind == "model_type":
        return "格式不对（应为文字、列表或键值对，请对照示例）"
    return error.get("msg", "")


def apply(mapping: Mapping, tables: list[Table]) -> list[Table]:
    """The tables the mapping asks for, in its order, with its columns and codes."""
    by_name = {t.name: t for t in tables}
    out = []
    for table, tm in mapping.tables.items():
        src = by_name[table]
        index = {c.name: i for i, c in enumerate(src.columns)}
        picks = [(index[c.column], c) for c in tm.columns]
        columns = []
        for i, c in picks:
            base = src.columns[i]
            kind = "text" if c.map is not None or c.default is not None else base.kind
            columns.append(Column(c.header or c.column, kind, base.width))
        idx = [i for i, _ in picks]
        if any(c.map is not None or c.default is not None for _, c in picks):
            rows = [[_recode(row[i], c) for i, c in picks] for row in src.rows]
        elif idx == list(range(len(src.columns))):   # the columns as they are (the default)
            rows = list(src.rows)
        else:
            rows = [[row[i] for i in idx] for row in src.rows]
        out.append(Table(tm.name or table, columns, rows))
    return out


def _recode(value: object, c: ColumnMap) -> object:
    if c.map is None and c.default is None:
        return value
    text = "" if value is None else number_text(value) if isinstance(value, Decimal) \
        else str(value)
    if c.map is not None and text in c.map:
        return c.map[text]
    return c.default if c.default is not None else text
