"""One YAML case file per rule code (tests/cases/XTnnn.yaml), run by one parametrised test.

Each case starts from a real workbook (by default the seed's filled return of 484001), applies
the edits it lists, checks it with the default rules and compares the issues of that code
(sheet and cell) with what the case expects. Every rule has at least one failing and one
passing case.
"""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import REPO, convert, set_saved_at

from xltool.check.checker import Expected, check_paths
from xltool.check.checks.previous import load_previous
from xltool.read.books import open_book
from xltool.template.fill import fill_dept, fill_sheet
from xltool.template.meta import Meta
from xltool.check.rules import load_rules

CASES = sorted((Path(__file__).parent / "cases").glob("XT*.yaml"))
BASES = {
    "seed": REPO / "examples/returns/484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx",
    "unit": REPO / "examples/generated/489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表.xlsx",
    "good": REPO / "examples/returns/489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表_规范示例.xlsx",
}
NOT_PROJECTS = ("填报说明", "部门整体绩效目标", "xt_lists", "xt_meta")


def _cases():
    for path in CASES:
        data = yaml.safe_load(path.read_text("utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["code"], case, id=f"{data['code']}-{case['name']}")


def _rewrite_meta(wb, change: dict) -> None:
    ws = wb["xt_meta"]
    meta = Meta.from_rows(ws.iter_rows(values_only=True))
    for key, value in change.items():
        setattr(meta, key, value)
    ws.delete_rows(1, ws.max_row)
    for row in meta.rows():
        ws.append(row)


def _odd_code_base(tmp: Path) -> Path:
    """A pre-filled workbook whose county-assigned project code has an unusual form."""
    from xltool.template.fill import fill_workbook, seed_row
    from xltool.template.generate import generate
    from xltool.template.spec import load_spec
    lst = tmp / "odd.csv"
    lst.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金,资金用途\n"
                   "484001,玉田县林西镇人民政府本级,2025-P-001,乡镇人大工作站,20000,20000,,运转\n",
                   encoding="utf-8")
    batch = generate(tmp / "odd", list_path=lst, year=2025, password="case-2025")
    rows = [seed_row(r, load_spec().lists.units) for r in
            yaml.safe_load((REPO / "examples/seed_2025_484001.yaml").read_text("utf-8"))
            ["projects"][4]["indicators"]]
    dest = tmp / "odd-filled.xlsx"
    fill_workbook(batch.out_dir / batch.files[0].file, dest,
                  cover={"contact": "张三", "phone": "0315-0000000"},
                  projects={"1.乡镇人大工作站": {"plan": [25, 50, 75, 100],
                                           "fields": {"goal": "保障运转"}, "indicators": rows}})
    return dest


def _blank_base(tmp: Path) -> Path:
    from xltool.template.generate import generate
    batch = generate(tmp / "blank", year=2025, password="case-2025")
    return batch.out_dir / batch.files[0].file


def build(case: dict, tmp: Path, name: str = "return.xlsx") -> Path:
    dest = tmp / name
    if "bytes" in case:
        dest.write_bytes(case["bytes"].encode("utf-8"))
        return dest
    kind = case.get("base", "seed")
    base = _blank_base(tmp) if kind == "blank" else _odd_code_base(tmp) if kind == "odd_code" \
        else BASES[kind]
    wb = openpyxl.load_workbook(base)
    projects = [n for n in wb.sheetnames if n not in NOT_PROJECTS]
    for key, value in (case.get("cover") or {}).items():
        wb["填报说明"][{"unit_code": "B3", "unit_name": "B4", "contact": "B5",
                      "phone": "B6"}[key]] = value
    for index, edits in (case.get("sheets") or {}).items():
        ws = wb[projects[index - 1]]
        fill_sheet(ws, edits)
        for ref, fmt in (edits.get("formats") or {}).items():
            ws[ref].number_format = fmt
    if "dept" in case:  # edits of the 部门整体绩效目标 sheet (see fill_dept)
        fill_dept(wb["部门整体绩效目标"], case["dept"])
    if case.get("delete_dept"):
        del wb["部门整体绩效目标"]
    for index, row in (case.get("insert_rows") or {}).items():
        ws = wb[projects[index - 1]]   # openpyxl keeps names in place: drop them, as the
        ws.insert_rows(row)            # reader must then find the form by its labels
        ws.defined_names.clear()
    if "meta" in case:
        _rewrite_meta(wb, case["meta"])
    if case.get("delete_meta"):
        del wb["xt_meta"]
    if case.get("damage_meta"):  # edit a recorded value without fixing the digest
        row = next(r for r in wb["xt_meta"].iter_rows() if r[0].value == "cell")
        row[3].value = "改过的值"
    for old, new in (case.get("rename") or {}).items():
        wb[projects[old - 1]].title = new
    if "add_sheet" in case:
        wb.create_sheet(case["add_sheet"])
    for index, offset in (case.get("move") or {}).items():
        wb.move_sheet(projects[index - 1], offset)
    for hidden in case.get("unhide") or []:
        wb[hidden].sheet_state = "visible"
    for ref, value in (case.get("list_cells") or {}).items():
        wb["xt_lists"][ref] = value
    dest = tmp / case.get("file", name)
    wb.save(dest)
    if "saved_at" in case:   # when the file says it was saved (openpyxl writes "now")
        set_saved_at(dest, case["saved_at"])
    if "convert" in case:
        return convert(dest, case["convert"], tmp / "converted")
    return dest


def _manifest_digest(code: str) -> str:
    manifest = json.loads((REPO / "examples/generated/xltool-manifest.json").read_text("utf-8"))
    return next(u["prefill_digest"] for u in manifest["units"] if u["unit_code"] == code)


def sheet_of(case_sheet, path: Path):
    if case_sheet is None or isinstance(case_sheet, str):
        return case_sheet
    book = open_book(path)   # any format (a case may convert to .xls/.ods)
    names = book.sheet_names
    book.close()
    return [n for n in names if n not in NOT_PROJECTS][case_sheet - 1]


@pytest.mark.parametrize("code, case", list(_cases()))
def test_rule_case(code, case, tmp_path, monkeypatch):
    paths = [build(case, tmp_path)]
    if case.get("poison"):   # the checker itself fails on this file
        def broken(wb, rules):
            raise RuntimeError("poisoned")
        monkeypatch.setattr("xltool.check.checker.check_workbook", broken)
    for i, extra in enumerate(case.get("also") or [], start=2):
        (tmp_path / f"f{i}").mkdir()
        paths.append(build(extra, tmp_path / f"f{i}", f"return{i}.xlsx"))
    units = [Expected(**{**u, "digest": _manifest_digest(u["code"]) if u.get("digest") ==
                         "from_example_manifest" else u.get("digest")})
             for u in case["units"]] if "units" in case else None
    previous = None
    if "previous" in case:   # last year's return, for the rules comparing with it
        (tmp_path / "previous").mkdir()
        previous = load_previous([build(case["previous"], tmp_path / "previous", "last.xlsx")])
    report = check_paths(paths, units=units, previous=previous)
    got = sorted((Path(f.path).name, i.sheet or "", i.cell or "")
                 for f in report.files for i in f.issues if i.code == code)
    want = sorted((e.get("file", paths[0].name), sheet_of(e.get("sheet", 1), paths[0]) or "",
                   e.get("cell") or "") for e in case["expect"])
    assert got == want
    for e in case["expect"]:   # `says`: what the message at that place must say
        if "says" in e:
            where = (e.get("file", paths[0].name), sheet_of(e.get("sheet", 1), paths[0]) or "",
                     e.get("cell") or "")
            said = [i.message for f in report.files for i in f.issues if i.code == code
                    and (Path(f.path).name, i.sheet or "", i.cell or "") == where]
            assert any(e["says"] in m for m in said), said
    for f in report.files:
        for i in f.issues:
            assert i.message and "{" not in i.message


def test_every_rule_has_failing_and_passing_cases():
    codes = {r.code for r in load_rules().rules}
    covered = {}
    for path in CASES:
        data = yaml.safe_load(path.read_text("utf-8"))
        assert path.stem == data["code"]
        covered[data["code"]] = [bool(c["expect"]) for c in data["cases"]]
    assert set(covered) == codes, f"rules without case files: {sorted(codes - set(covered))}"
    for code, kinds in covered.items():
        assert True in kinds and False in kinds, f"{code} needs a failing and a passing case"
