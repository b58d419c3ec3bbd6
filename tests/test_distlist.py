"""Tests for loading and validating the distribution list (分发名单)."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from xltool.template.distlist import ListError, Project, Unit, load_units

HEADER = ["单位编码", "单位名称", "项目编码", "项目名称", "预算数", "财政资金", "其他资金", "资金用途"]
LINXI = "玉田县林西镇人民政府本级"
P1 = "13022925P00JXC419936N"
P2 = "13022925P00JXC419937N"

CSV_TEXT = (
    "单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金,资金用途\r\n"
    f"484001,{LINXI},{P1},安保、环保、安全生产、应急、食药监管,20000,20000,0,日常运转\r\n"
    f"484001,{LINXI},{P2},农村环境整治,\"15,000.50\",\"10,000\",5000.50,\r\n"
    "484002,玉田县鸦鸿桥镇人民政府本级,,,,,,\r\n"
)
EXPECTED = [
    Unit("484001", LINXI, (
        Project(P1, "安保、环保、安全生产、应急、食药监管", Decimal("20000.00"),
                Decimal("20000.00"), Decimal("0.00"), "日常运转"),
        Project(P2, "农村环境整治", Decimal("15000.50"), Decimal("10000.00"),
                Decimal("5000.50"), None),
    )),
    Unit("484002", "玉田县鸦鸿桥镇人民政府本级", ()),
]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    text = "".join(",".join("" if v is None else str(v) for v in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    return path


def row(unit="484001", name=LINXI, code=P1, pname="安保、环保、安全生产、应急、食药监管",
        total="20000", fiscal="20000", other="0", purpose=None) -> list:
    return [unit, name, code, pname, total, fiscal, other, purpose]


def refusal(path: Path) -> ListError:
    with pytest.raises(ListError) as info:
        load_units(path)
    assert info.value.path == path
    assert str(path) in str(info.value)
    return info.value


def problems_of(path: Path) -> list[str]:
    return refusal(path).problems


# --- reading ---------------------------------------------------------------------------

def test_xlsx_happy_path(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [
        [" 单位名称\u3000", "其他资金", "备注", "单位编码", "项目编码", "项目名称", "预算数",
         "财政资金", "资金用途"],
        [LINXI, 0, "无关列", 484001, P1, "安保、环保、安全生产、应急、食药监管", 20000, 20000.0,
         " 日常运转\n"],
        [None, None, None, None, None, None, None, None, None],
        [f"\u3000{LINXI}\n", 5000.5, None, 484001.0, P2, "农村环境整治", 15000.5, 10000, None],
        ["玉田县鸦鸿桥镇人民政府本级", None, None, "484002", None, None, None, None, None],
    ])
    assert load_units(path) == EXPECTED
    assert load_units(str(path))[1].projects == ()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_encodings_give_identical_results(tmp_path, encoding):
    path = tmp_path / f"名单-{encoding}.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert load_units(path) == EXPECTED


def test_amount_formats(tmp_path):
    path = write_xlsx(tmp_path / "金额.xlsx", [HEADER,
        row(code="A1", total="20,000", fiscal="１５，０００．００", other="￥5,000元"),
        row(code="A2", total=" ¥1,234,567.891 ", fiscal="1234567.885", other=None),
        row(code="A3", total=Decimal("0.1"), fiscal=0.1, other=""),
    ])
    projects = load_units(path)[0].projects
    assert [(p.total, p.fiscal, p.other) for p in projects] == [
        (Decimal("20000.00"), Decimal("15000.00"), Decimal("5000.00")),
        (Decimal("1234567.89"), Decimal("1234567.89"), Decimal("0.00")),
        (Decimal("0.10"), Decimal("0.10"), Decimal("0.00")),
    ]
    assert str(projects[1].other) == "0.00"


# --- refusals --------------------------------------------------------------------------

def test_missing_column(tmp_path):
    path = write_xlsx(tmp_path / "缺列.xlsx", [
        ["单位编码", "单位名称", "项目编码", "项目名称", "预算数", "其他资金"],
        ["484001", LINXI, P1, "安保", 20000, 0],
    ])
    [problem] = problems_of(path)
    missing = problem.split("（")[0]
    assert "第 1 行" in missing and "财政资金" in missing and "单位编码" not in missing


def test_duplicate_project_code_names_both_rows(tmp_path):
    path = write_xlsx(tmp_path / "重复.xlsx", [HEADER, row(), row(unit="484002", name="鸦鸿桥镇")])
    [problem] = problems_of(path)
    assert "第 3 行" in problem and "第 2 行" in problem and P1 in problem


def test_non_numeric_budget(tmp_path):
    path = write_csv(tmp_path / "金额错.csv", [HEADER, row(total="两万")])
    [problem] = problems_of(path)
    assert "第 2 行" in problem and "预算数" in problem and "“两万”" in problem


def test_negative_amount(tmp_path):
    path = write_xlsx(tmp_path / "负数.xlsx", [HEADER, row(total=-100, fiscal=-100)])
    problems = problems_of(path)
    assert len(problems) == 2 and all("第 2 行" in p and "负数" in p for p in problems)


def test_fiscal_plus_other_must_equal_total(tmp_path):
    path = write_xlsx(tmp_path / "不平.xlsx", [HEADER, row(total=20000, fiscal=15000, other=4999.99)])
    [problem] = problems_of(path)
    assert "第 2 行" in problem
    assert all(n in problem for n in ("20000.00", "15000.00", "4999.99"))


def test_conflicting_unit_name(tmp_path):
    path = write_xlsx(tmp_path / "单位名.xlsx", [HEADER, row(), row(code=P2, name="林西镇政府")])
    [problem] = problems_of(path)
    assert "第 3 行" in problem and "第 2 行" in problem and "林西镇政府" in problem


def test_partial_project_row(tmp_path):
    path = write_xlsx(tmp_path / "不完整.xlsx", [HEADER, row(pname=None, total=None)])
    [problem] = problems_of(path)
    assert "第 2 行" in problem and "项目名称" in problem and "预算数" in problem


def test_blank_unit_fields(tmp_path):
    path = write_xlsx(tmp_path / "空单位.xlsx", [HEADER, row(unit=None), row(code=P2, name=" ")])
    problems = problems_of(path)
    assert any("第 2 行" in p and "单位编码" in p for p in problems)
    assert any("第 3 行" in p and "单位名称" in p for p in problems)


def test_all_problems_are_reported(tmp_path):
    path = write_xlsx(tmp_path / "多处.xlsx", [HEADER,
        row(),
        row(code=P1, total="abc"),
        row(code=P2, name="别的名字", total=100, fiscal=50, other=0),
    ])
    error = refusal(path)
    assert len(error.problems) == 4
    text = str(error)
    assert "4 处问题" in text and "第 3 行" in text and "第 4 行" in text
    assert "重复" in text and "“abc”" in text and "不一致" in text and "不相等" in text


def test_empty_list(tmp_path):
    path = write_xlsx(tmp_path / "空.xlsx", [HEADER, [None] * 8])
    [problem] = problems_of(path)
    assert "没有任何单位" in problem


@pytest.mark.parametrize("name, data", [
    ("损坏.xlsx", os.urandom(2048)),
    ("伪装.xlsx", "单位编码,单位名称\n484001,林西镇\n".encode()),
    ("名单.txt", "单位编码,单位名称\n".encode()),
    ("名单.xls", b"\xd0\xcf\x11\xe0" + bytes(508)),
])
def test_not_a_list_file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    [problem] = problems_of(path)
    assert ".xlsx" in problem and ".csv" in problem


def test_missing_file(tmp_path):
    [problem] = problems_of(tmp_path / "不存在.xlsx")
    assert "找不到" in problem


def test_title_row_and_unit_notes_in_headers(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年预算项目分发名单"])
    ws.append(["单位编码", "单位名称", "项目编码", "项目名称", "预算数（元）", "财政资金(元)",
               "其他资金 （元）"])
    ws.append(["484001", "玉田县林西镇人民政府本级", "13022925P00JXC419936N", "安保", 20000,
               20000, None])
    ws.append(["484001", "玉田县林西镇人民政府本级", "P2", "乙", "一万", 0, 0])
    path = tmp_path / "titled.xlsx"
    wb.save(path)
    with pytest.raises(ListError) as exc:
        load_units(path)
    assert exc.value.problems == [exc.value.problems[0]] and "第 4 行" in exc.value.problems[0]
    ws.delete_rows(4)
    wb.save(path)
    (unit,) = load_units(path)
    assert unit.projects[0].total == Decimal("20000.00")


def test_long_numeric_project_code_is_refused(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位编码", "单位名称", "项目编码", "项目名称", "预算数", "财政资金", "其他资金"])
    ws.append([484001, "林西镇", 130229250001234567, "甲", 1, 1, 0])
    path = tmp_path / "numeric.xlsx"
    wb.save(path)
    with pytest.raises(ListError, match="15 位"):
        load_units(path)


def test_encrypted_list_is_named_as_such(tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(ListError, match="打开密码"):
        load_units(path)
