"""Load and validate the distribution list (分发名单) of units and their budget projects."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path


FEN = Decimal("0.01")
REQUIRED = ("单位编码", "单位名称", "项目编码", "项目名称", "预算数", "财政资金", "其他资金")
OPTIONAL = ("资金用途", "基本支出")  # 基本支出: the unit's, on any of its rows
PROJECT_COLUMNS = ("项目编码", "项目名称", "预算数", "财政资金", "其他资金", "资金用途")
PROJECT_REQUIRED = ("项目编码", "项目名称", "预算数", "财政资金")
EXAMPLE_MARK = "（示例，请删除本行）"   # the example row of the list template
_AMOUNT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|[+-]?\.\d+")
_UNREADABLE = "无法作为分发名单读取（{reason}）。请在 Excel 中打开名单，另存为 .xlsx 或 .csv（UTF-8）格式后重试"


@dataclass(frozen=True)
class Project:
    code: str
    name: str
    total: Decimal
    fiscal: Decimal
    other: Decimal
    purpose: str | None


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    projects: tuple[Project, ...]
    basic: Decimal | None = None      # 基本支出, when the list has that column

    @property
    def dept_total(self) -> Decimal | None:
        """预算总额 of the 部门整体绩效目标 sheet: the sum of the unit's projects on the list."""
        return sum((p.total for p in self.projects), Decimal("0.00")) if self.projects else None


class ListError(Exception):
    """The distribution list cannot be used; `problems` lists every reason, in Chinese."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  {i}. {p}" for i, p in enumerate(self.problems, 1))
        super().__init__(f"分发名单“{self.path}”有 {len(self.problems)} 处问题，请改正后重新导入：\n{lines}")


def _text(value: object) -> str:
    """Cell text with surrounding whitespace (incl. full-width spaces and newlines) removed."""
    return "" if value is None else str(value).strip()


def _code(value: object) -> str:
    """A code; numbers from Excel (484001 or 484001.0) become '484001'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return _text(value)


def _amount(value: object) -> Decimal:
    """An amount rounded to the fen; raises ValueError if the value is not a number."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", _text(value)).strip()
        text = text.removeprefix("¥").removesuffix("元").strip()
        if not _AMOUNT.fullmatch(text):
            raise ValueError(value)
        number = Decimal(text.replace(",", ""))
    try:
        rounded = number.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # NaN, infinity or too many digits
        raise ValueError(value) from exc
    return rounded.copy_abs() if rounded == 0 else rounded


def _read_xlsx(path: Path) -> list[tuple]:
    from openpyxl import load_workbook  # imported when a list is an .xlsx

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some programs write wrong dimensions; read every row
        return [tuple(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _read_csv(path: Path) -> list[tuple]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))]


def _read_rows(path: Path) -> list[tuple]:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise ListError(path, [_UNREADABLE.format(reason=f"不支持“{path.suffix or '无扩展名'}”格式")])
    if not path.is_file():
        raise ListError(path, [f"找不到文件“{path}”，请检查路径是否正确"])
    if suffix != ".csv" and path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0":
        raise ListError(path, [_UNREADABLE.format(
            reason="文件设置了打开密码（已加密），或其实是旧版 .xls 文件；请去掉密码后另存为 .xlsx")])
    try:
        return _read_xlsx(path) if suffix != ".csv" else _read_csv(path)
    except Exception as exc:  # corrupt or disguised files raise many different errors
        raise ListError(path, [_UNREADABLE.format(reason="文件已损坏或不是真正的表格文件")]) from exc


def _column_name(cell: object) -> str:
    """A header as a column name: no spaces, no unit note such as 预算数（元）."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(cell)))
    return re.sub(r"\([^()]*\)$", "", name)


def _header_index(rows: list[tuple]) -> int:
    """The header row: the first of the first ten rows that names 单位编码 (a title may be above)."""
    for i, row in enumerate(rows[:10]):
        if "单位编码" in {_column_name(c) for c in row}:
            return i
    return 0


def _header(row: tuple, number: int = 1) -> tuple[dict[str, int], list[str]]:
    """Column index of each known column name, and problems with the header row."""
    columns: dict[str, int] = {}
    problems: list[str] = []
    for i, cell in enumerate(row):
        name = _column_name(cell)
        if name in REQUIRED + OPTIONAL:
            if name in columns:
                problems.append(f"第 {number} 行：表头中“{name}”列出现了不止一次")
            columns.setdefault(name, i)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(f"第 {number} 行：表头缺少必需的列：{'、'.join(missing)}"
                        f"（表头须包含：{'、'.join(REQUIRED)}）")
    return columns, problems


def load_units(path: str | Path) -> list[Unit]:
    """Read and validate a distribution list; units in order of first appearance.

    Raises ListError listing every problem found; nothing is returned partially.
    """
    path = Path(path)
    rows = _read_rows(path)
    start = _header_index(rows)
    columns, problems = _header(rows[start] if rows else (), start + 1)
    if problems:
        raise ListError(path, problems)

    units: dict[str, tuple[str, int]] = {}          # code -> (name, first row)
    projects: dict[str, list[Project]] = {}
    project_rows: dict[str, int] = {}                # project code -> first row
    basic: dict[str, tuple[Decimal, int]] = {}       # unit code -> (基本支出, its row)
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        cells = {name: row[i] if i < len(row) else None for name, i in columns.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        where = f"第 {number} 行"
        unit_code, unit_name = _code(cells["单位编码"]), _text(cells["单位名称"])
        if not unit_code:
            problems.append(f"{where}：单位编码为空")
        if not unit_name:
            problems.append(f"{where}：单位名称为空")
        if unit_name.startswith(EXAMPLE_MARK):
            problems.append(f"{where}：这是名单模板中的示例行，请删除整行后再生成")
            continue
        if unit_code and unit_name:
            known_name, first = units.setdefault(unit_code, (unit_name, number))
            projects.setdefault(unit_code, [])
            if known_name != unit_name:
                problems.append(f"{where}：单位编码 {unit_code} 的单位名称“{unit_name}”"
                                f"与第 {first} 行的“{known_name}”不一致")

        if _text(cells.get("基本支出")) and unit_code:
            try:
                amount = _amount(cells["基本支出"])
            except ValueError:
                problems.append(f"{where}：基本支出“{_text(cells['基本支出'])}”不是有效的金额")
            else:
                if amount < 0:
                    problems.append(f"{where}：基本支出 {amount} 不能为负数")
                known, first = basic.setdefault(unit_code, (amount, number))
                if known != amount:
                    problems.append(f"{where}：单位 {unit_code} 的基本支出 {amount} 与第 {first} 行"
                                    f"的 {known} 不一致（每个单位只有一个基本支出）")
        if not any(_text(cells.get(name)) for name in PROJECT_COLUMNS):
            continue  # a unit without projects
        missing = [name for name in PROJECT_REQUIRED if not _text(cells[name])]
        if missing:
            problems.append(f"{where}：项目信息不完整，缺少{'、'.join(missing)}")
        code = _code(cells["项目编码"])
        if isinstance(cells["项目编码"], (int, float)) and len(code) > 15:
            problems.append(f"{where}：项目编码 {code} 以数字形式保存，超过 15 位的数字会被 Excel "
                            "改动；请把“项目编码”列设为文本后重新输入")
        if code and code in project_rows:
            problems.append(f"{where}：项目编码 {code} 与第 {project_rows[code]} 行重复")
        elif code:
            project_rows[code] = number

        amounts: dict[str, Decimal] = {}
        for name in ("预算数", "财政资金", "其他资金"):
            raw = cells[name]
            if not _text(raw):
                if name == "其他资金":
                    amounts[name] = Decimal("0.00")
                continue
            try:
                amounts[name] = _amount(raw)
            except ValueError:
                problems.append(f"{where}：{name}“{_text(raw)}”不是有效的金额")
                continue
            if amounts[name] < 0:
                problems.append(f"{where}：{name} {amounts[name]} 不能为负数")
        if missing or len(amounts) < 3:
            continue
        total, fiscal, other = amounts["预算数"], amounts["财政资金"], amounts["其他资金"]
        if fiscal + other != total:
            problems.append(f"{where}：财政资金 {fiscal} + 其他资金 {other} = {fiscal + other}，"
                            f"与预算数 {total} 不相等")
        purpose = _text(cells.get("资金用途")) or None
        if unit_code in projects:
            projects[unit_code].append(Project(code, _text(cells["项目名称"]), total, fiscal,
                                               other, purpose))

    if not units and not problems:
        problems.append("名单中没有任何单位：表头下面没有数据行")
    if problems:
        raise ListError(path, problems)
    return [Unit(code, name, tuple(projects[code]), basic[code][0] if code in basic else None)
            for code, (name, _) in units.items()]
