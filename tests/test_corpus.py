"""A corpus of returns made the way township clerks make them: LibreOffice removes the
protection, inserts rows and columns, merges cells, copies a sheet, types values, and saves as
.xlsx, .xls or .ods. Each return has the issues a correct checker reports, written out here by
hand; the same edits saved in the three formats give the same (code, sheet, cell) lists.

All files are made in one LibreOffice run per test session (tests/clerk.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from clerk import Job, edit_many
from support import REPO

from xltool.check.checker import check_paths
from xltool.read.books import open_book

RETURNS = REPO / "examples" / "returns"
SEED = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
BLANK = REPO / "examples/generated/489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表.xlsx"
PW = ("unprotect", "example-2025")
TRIPLE = ("xlsx", "xls", "ods")
P1, P2 = 2, 3   # the first two project sheets (after 填报说明 and 部门整体绩效目标)
DEPT = 1

# name: (base, formats, edits, expected [(code, sheet index (0 = 填报说明) or name, cell)])
SCENARIOS: dict[str, tuple] = {
    "resaved": ("seed", TRIPLE, [], []),
    "protection_removed": ("seed", ("xlsx",), [PW], []),
    "tier1_merged_as_published": ("seed", TRIPLE, [
        PW, ("clear", P1, "A11:A13"), ("merge", P1, "A10:A13"),
        ("clear", P1, "A15"), ("merge", P1, "A14:A15")], []),
    "percent_cell_95": ("seed", TRIPLE, [PW, ("fmt", P1, "F10", "0%"), ("num", P1, "F10", 0.95)],
                        []),
    "fraction_with_unit_percent": ("seed", TRIPLE, [PW, ("num", P1, "F16", 0.95)],
                                   [("XT109", P1, "F16")]),
    "satisfaction_equals_100_percent": ("seed", TRIPLE, [
        PW, ("text", P1, "E16", "="), ("fmt", P1, "F16", "0%"), ("num", P1, "F16", 1)], []),
    "value_95_percent_unit_empty": ("seed", TRIPLE, [
        PW, ("fmt", P1, "F11", "0%"), ("num", P1, "F11", 0.95), ("clear", P1, "G11"),
        ("text", P1, "F12", "95%"), ("clear", P1, "G12")], []),
    "spare_rows_marked_na": ("seed", ("xlsx", "xls"), [
        PW, *[("text", P1, f"{c}18", "/") for c in "ABCDEFGH"],
        ("text", P1, "A19", "无"), ("text", P1, "B19", "—"), ("text", P1, "E19", "-")], []),
    "note_in_spare_row": ("seed", TRIPLE, [PW, ("text", P1, "D20", "以下空白")],
                          [("XT110", P1, "D20")]),
    "formula_noise": ("seed", TRIPLE, [PW, ("num", P1, "E7", 100.0000001),
                                       ("num", P2, "F10", 95.00000001)], []),
    "huge_numbers": ("seed", TRIPLE, [PW, ("num", P1, "F11", 1e20),
                                      ("text", P1, "F12", "1234567890123456789012")],
                     [("XT503", P1, "F11"), ("XT503", P1, "F12")]),
    "row_inserted_above_budget": ("seed", TRIPLE, [PW, ("insrow", P1, 3)], [("XT014", P1, "A5")]),
    "rows_and_columns_inserted": ("seed", TRIPLE, [PW, ("inscol", P1, 0), ("insrow", 0, 1)],
                                  [("XT014", 0, "A4"), ("XT014", P1, "B1")]),
    # a .xls/.ods keeps no sheet-scoped names: the identity's cells place the 部门整体 tables
    "dept_row_inserted_above_goal": ("seed", TRIPLE, [PW, ("insrow", DEPT, 3)],
                                     [("XT014", DEPT, "A5")]),
    "dept_row_inserted_above_indicators": ("seed", TRIPLE, [PW, ("insrow", DEPT, 8)],
                                           [("XT014", DEPT, "A19")]),
    "row_inserted_on_cover_contact_moves": ("seed", ("xlsx",), [PW, ("insrow", 0, 4)],
                                            [("XT014", 0, "A6")]),
    "row_inserted_at_top_of_indicators": ("seed", ("xlsx", "ods"), [PW, ("insrow", P1, 9)], []),
    "indicator_row_deleted": ("seed", ("xlsx",), [PW, ("delrow", P1, 12)], []),
    "sheet_copied": ("seed", ("ods",), [PW, ("copysheet", P1, "项目副本", 3)],
                     [("XT007", "项目副本", None)]),
    "prefilled_budget_changed": ("seed", ("xls",), [PW, ("num", P1, "C4", 30000)],
                                 [("XT005", P1, "C4"), ("XT302", P1, "C4")]),
    "plan_typed_as_percentages": ("seed", ("ods",), [
        PW, *[("fmt", P2, f"{c}7", "0%") for c in "BCDE"],
        *[("num", P2, f"{c}7", v) for c, v in zip("BCDE", (0.25, 0.5, 0.75, 1))]], []),
    "contact_removed": ("seed", ("xlsx",), [PW, ("clear", 0, "B5")], [("XT106", 0, "B5")]),
    "broken_resaved": ("broken", TRIPLE, [], "broken"),
    "county_blank_lying_in_folder": ("blank", ("xls",), [], [("XT015", None, None)]),
    # two returns of one unit, the second saved at least a second later (see test_newest…)
    "saved_first": ("seed", ("xls", "ods"), [], []),
    "saved_later": ("seed", ("xls", "ods"), [("wait", 1500), ("text", P1, "D10", "新版描述")], []),
}
BASES = {"seed": SEED, "broken": BROKEN, "blank": BLANK}


def _broken_expected() -> list[tuple]:
    data = yaml.safe_load((RETURNS / "489001_有错误_预期问题.yaml").read_text("utf-8"))
    return [(i["code"], i["sheet"], i["cell"]) for i in data["issues"]
            if not i["code"].startswith("XT8")]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[tuple[str, str], Path]:
    work = tmp_path_factory.mktemp("corpus")
    bases = {}
    for key, src in BASES.items():   # ASCII paths for the macro's job list
        bases[key] = work / f"{key}.xlsx"
        shutil.copy(src, bases[key])
    jobs = {(name, fmt): Job(bases[base], work / "out" / f"{name}.{fmt}", list(edits))
            for name, (base, formats, edits, _) in SCENARIOS.items() for fmt in formats}
    (work / "out").mkdir()
    log = edit_many(list(jobs.values()), work / "lo")
    failed = [line for line in log if not line.startswith("ok ")]
    assert not failed, failed
    return {key: job.dest for key, job in jobs.items()}


def _sheet(book_sheets: list[str], sheet):
    return book_sheets[sheet] if isinstance(sheet, int) else sheet


def _issues(path: Path) -> list[tuple]:
    report = check_paths([path])
    # XT8xx are review suggestions (what good targets look like), not what this corpus is about
    return sorted((i.code, i.sheet or "", i.cell or "") for i in report.files[0].issues
                  if not i.code.startswith("XT8"))


@pytest.fixture(scope="session")
def results(corpus) -> dict[tuple[str, str], list[tuple]]:
    return {key: _issues(path) for key, path in corpus.items()}


def test_corpus_is_large_enough(corpus):
    assert len(corpus) >= 40
    assert {p.suffix for p in corpus.values()} == {".xlsx", ".xls", ".ods"}


@pytest.mark.parametrize("name, fmt", [(n, f) for n, s in SCENARIOS.items() for f in s[1]])
def test_each_return_gets_the_issues_a_correct_checker_reports(corpus, results, name, fmt):
    path = corpus[(name, fmt)]
    book = open_book(path)
    sheets = book.sheet_names
    book.close()
    expected = SCENARIOS[name][3]
    if expected == "broken":
        expected = _broken_expected()
    want = sorted((code, _sheet(sheets, sheet) or "", cell or "") for code, sheet, cell in expected)
    assert results[(name, fmt)] == want


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if len(s[1]) > 1])
def test_every_format_gives_the_same_answer(results, name):
    formats = SCENARIOS[name][1]
    first = results[(name, formats[0])]
    for fmt in formats[1:]:
        assert results[(name, fmt)] == first, fmt


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_newest_file_counts_for_xls_and_ods(corpus, tmp_path, fmt):
    """Two returns of one unit: the one saved later counts, by the saved time the .xls/.ods
    carries in its document properties (the names sort the other way round)."""
    from xltool.report.summary import unit_rows
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(corpus[("saved_later", fmt)], inbox / f"a_新.{fmt}")
    shutil.copy(corpus[("saved_first", fmt)], inbox / f"b_旧.{fmt}")
    report = check_paths([inbox])
    assert all(f.saved_at for f in report.files)
    row = unit_rows(report, None)[0]
    assert Path(row.counted.path).name == f"a_新.{fmt}"
    assert Path(row.others[0].path).name == f"b_旧.{fmt}"
