"""`xltool check -o DIR`: annotated copies, the 汇总 workbook, the JSON, parallel runs."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from support import REPO, set_saved_at, xml_of
from typer.testing import CliRunner

from xltool.report.annotate import ANNOTATION_SHEET, AUTHOR, annotate
from xltool.check.checker import Expected, check_paths
from xltool.report.outputs import (JSON_NAME, MARKER, RETURNS_DIR, SUGGESTIONS_DIR, SUMMARY_NAME,
                                   write_outputs)
from xltool.cli import app
from xltool.check.rules import load_rules

RETURNS = REPO / "examples" / "returns"
SEED = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
UNITS = REPO / "examples" / "distribution.csv"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The example returns checked into a report folder, originals hashed before and after."""
    base = tmp_path_factory.mktemp("reports")
    inbox = base / "收回"
    inbox.mkdir()
    for src in (SEED, BROKEN):
        shutil.copy(src, inbox / src.name)
    (inbox / "~$489001_锁定文件.xlsx").write_bytes(b"\x00lock")
    (inbox / "说明.txt").write_text("附件说明", encoding="utf-8")
    (inbox / ".隐藏.xlsx").write_bytes(b"hidden")
    before = {p.name: _sha(p) for p in inbox.iterdir()}
    out = base / "报告"
    result = CliRunner().invoke(app, ["check", str(inbox), "--units", str(UNITS), "-o", str(out),
                                      "--jobs", "2", "-q", "--suggestion-copies"])
    after = {p.name: _sha(p) for p in inbox.iterdir()}
    return inbox, out, result, before, after


def test_originals_untouched_and_skips(run):
    inbox, out, result, before, after = run
    assert result.exit_code == 1, result.output
    assert before == after
    data = json.loads((out / JSON_NAME).read_text("utf-8"))
    assert sorted(Path(f["path"]).name for f in data["files"]) == sorted([SEED.name, BROKEN.name])
    assert data["missing_units"] == [{"unit_code": "489002", "unit_name": "示例县西岭乡人民政府本级"}]
    said = result.output.replace("\n", "")
    assert "标注副本 1 份" in said and "只有审核建议（没有错误和警告）的表格 1 份" in said
    assert SUGGESTIONS_DIR in said and "不必退回" in said


def test_returns_with_suggestions_only_get_a_copy_only_when_asked(tmp_path):
    """By default only what is sent back gets a copy; the suggestions are in the summary."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    for src in (SEED, BROKEN):
        shutil.copy(src, inbox / src.name)
    out = tmp_path / "报告"
    result = CliRunner().invoke(app, ["check", str(inbox), "-o", str(out), "-q"])
    assert result.exit_code == 1, result.output
    data = json.loads((out / JSON_NAME).read_text("utf-8"))
    seed = next(f for f in data["files"] if f["path"].endswith(SEED.name))
    assert seed["status"] == "warnings" and not seed.get("annotated")
    assert not (out / SUGGESTIONS_DIR).exists() and len(list((out / RETURNS_DIR).glob("*"))) == 1
    said = result.output.replace("\n", "")
    assert "只有审核建议（没有错误和警告）的表格 1 份" in said and "--suggestion-copies" in said


def test_annotated_copy_marks_exactly_the_issue_cells(run):
    inbox, out, *_ = run
    data = json.loads((out / JSON_NAME).read_text("utf-8"))
    broken = next(f for f in data["files"] if f["path"].endswith(BROKEN.name))
    seed = next(f for f in data["files"] if f["path"].endswith(SEED.name))
    # the seed has review suggestions only: a county does not send it back for them, so its
    # copy (to improve the targets, if the county wishes) is kept apart from the ones to return
    assert sorted((out / RETURNS_DIR).glob("*.xlsx")) == [Path(broken["annotated"])]
    assert sorted((out / SUGGESTIONS_DIR).glob("*.xlsx")) == [Path(seed["annotated"])]
    assert openpyxl.load_workbook(seed["annotated"]).sheetnames[0] == ANNOTATION_SHEET
    recorded = (out / MARKER).read_text("utf-8").splitlines()[1:]
    assert sorted(recorded) == sorted([f"{RETURNS_DIR}/{Path(broken['annotated']).name}",
                                       f"{SUGGESTIONS_DIR}/{Path(seed['annotated']).name}"])
    wb = openpyxl.load_workbook(broken["annotated"])
    assert wb.sheetnames[0] == ANNOTATION_SHEET and wb.active.title == ANNOTATION_SHEET
    commented = {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
                 for c in row if c.comment is not None and c.comment.author == AUTHOR}
    expected = {(i["sheet"], re.split(":", i["cell"])[0]) for i in broken["issues"] if i["cell"]}
    assert commented == expected
    for i in broken["issues"]:
        if not i["cell"]:
            continue
        ws = wb[i["sheet"]]
        first = ws[i["cell"].split(":")[0]]
        assert i["message"] in first.comment.text
        colour = first.fill.fgColor.rgb
        assert colour.endswith("FFC7CE" if any(
            j["severity"] == "error" for j in broken["issues"]
            if (j["sheet"], j["cell"]) == (i["sheet"], i["cell"])) else "F4B183")


def test_issue_list_links_resolve(run):
    inbox, out, *_ = run
    wb = openpyxl.load_workbook(next((out / RETURNS_DIR).glob("489001*.xlsx")))
    ws = wb[ANNOTATION_SHEET]
    links = [c.hyperlink.location for row in ws.iter_rows(min_row=4) for c in row if c.hyperlink]
    data = json.loads((out / JSON_NAME).read_text("utf-8"))
    broken = next(f for f in data["files"] if f["path"].endswith(BROKEN.name))
    assert len(links) == sum(1 for i in broken["issues"] if i["cell"]) == 36
    for location in links:
        sheet, ref = location.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        assert sheet in wb.sheetnames and re.fullmatch(r"[A-Z]+\d+", ref)


def test_annotated_copy_keeps_protection_validations_identity(run):
    inbox, out, *_ = run
    copy = next((out / RETURNS_DIR).glob("489001*.xlsx"))
    wb = openpyxl.load_workbook(copy)
    assert wb.security is not None and wb.security.lockStructure
    for name in ("1.农村人居环境整治", "2.基层党组织活动经费"):
        ws = wb[name]
        assert ws.protection.sheet
        kinds = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
        assert kinds["B10:B29"] == 'INDIRECT("xt_t2_"&MATCH($A10,xt_tier1,0))'
    assert wb["xt_meta"].sheet_state == "veryHidden"
    again = check_paths([copy]).files[0]
    original = check_paths([BROKEN]).files[0]
    assert [(i.code, i.sheet, i.cell, i.message) for i in again.issues] == \
        [(i.code, i.sheet, i.cell, i.message) for i in original.issues]


def test_reannotating_restores_fixed_cells(tmp_path):
    report = check_paths([BROKEN]).files[0]
    first = tmp_path / "first.xlsx"
    annotate(BROKEN, first, report)
    fixed = [i for i in report.issues if (i.sheet, i.cell) != ("1.农村人居环境整治", "B8")]
    report.issues = fixed
    second = tmp_path / "second.xlsx"
    annotate(first, second, report)
    ws = openpyxl.load_workbook(second)["1.农村人居环境整治"]
    assert ws["B8"].comment is None
    assert ws["B8"].fill.fgColor.rgb.endswith("FFF2CC")  # the input shading is back
    assert ws["C7"].fill.fgColor.rgb.endswith("FFC7CE")
    assert openpyxl.load_workbook(second).sheetnames.count(ANNOTATION_SHEET) == 1


def test_summary_counts_equal_the_json(run):
    inbox, out, *_ = run
    data = json.loads((out / JSON_NAME).read_text("utf-8"))
    wb = openpyxl.load_workbook(out / SUMMARY_NAME)
    ws = wb["汇总"]
    header = [c.value for c in ws[4]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=5)]
    by_code = {r["单位编码"]: r for r in rows}
    assert list(by_code) == ["484001", "489001", "489002"]
    for f in data["files"]:
        row = by_code[f["unit_code"]]
        review = [i for i in f["issues"] if i["code"].startswith("XT8")]
        assert row["错误数"] == sum(i["severity"] == "error" for i in f["issues"])
        assert row["警告数"] == sum(i["severity"] == "warning" for i in f["issues"]) - len(review)
        assert row["审核建议"] == len(review)
        assert row["文件"] == Path(f["path"]).name
    assert by_code["484001"]["审核建议"] == 129 and by_code["484001"]["错误数"] == 0
    assert (by_code["484001"]["审核结果"], by_code["489001"]["审核结果"]) == ("有审核建议", "有错误")
    # completeness problems first: the broken return's main problems are errors, not suggestions
    assert "XT811" not in by_code["489001"]["主要问题"]
    assert by_code["489002"]["报送情况"] == "未报送"
    assert "XT" in by_code["489001"]["主要问题"]
    detail = list(wb["问题明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == data["summary"]["issues"] == sum(len(f["issues"]) for f in data["files"])
    broken_levels = [r[5] for r in detail if r[1] == "489001"]
    first = broken_levels.index("审核建议")   # suggestions come after every error and warning
    assert set(broken_levels[first:]) == {"审核建议"} and len(broken_levels[first:]) == 4
    assert {r[5] for r in detail if r[1] == "484001"} == {"审核建议"}
    assert data["summary"]["review_suggestions"] == 129 + 4
    stats = {r[0]: r[3] for r in wb["规则统计"].iter_rows(min_row=2, values_only=True)}
    assert sum(stats.values()) == data["summary"]["issues"]
    assert "<c:barChart>" in xml_of(out / SUMMARY_NAME, "xl/charts/chart1.xml")


def test_jobs_do_not_change_the_result(tmp_path):
    runner = CliRunner()
    one = runner.invoke(app, ["check", str(RETURNS), "--json", "-", "--jobs", "1"])
    two = runner.invoke(app, ["check", str(RETURNS), "--json", "-", "--jobs", "2"])
    assert one.stdout == two.stdout and json.loads(one.stdout)["files"]


def test_running_twice_gives_the_same_content(tmp_path):
    units = [Expected("484001", "玉田县林西镇人民政府本级")]
    cells = []
    for n in (1, 2):
        report = check_paths([RETURNS], units=units)
        outputs, problems = write_outputs(report, tmp_path / f"r{n}", load_rules(), units)
        assert problems == []
        wb = openpyxl.load_workbook(outputs.summary)
        cells.append([[c.value for c in row] for ws in wb for row in ws.iter_rows()])
    assert cells[0] == cells[1]


def test_duplicate_returns_newest_counts_and_text_stays_text(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name, saved, goal in (("早的.xlsx", datetime(2025, 3, 1), None),
                              ("晚的.xlsx", datetime(2025, 3, 5), "=HYPERLINK(\"http://x\")")):
        wb = openpyxl.load_workbook(SEED)
        ws = wb["1.安保、环保、安全生产、应急、食药监管"]
        ws["A10"] = "=1+1" if goal else "产出指标"  # a formula where 一级 belongs
        wb.properties.modified = saved
        wb.save(inbox / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["check", str(inbox), "-o", str(out), "-q"])
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(out / SUMMARY_NAME)
    rows = list(wb["汇总"].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 1 and rows[0][4] == "晚的.xlsx"
    assert "以文件保存时间最新的一份为准" in rows[0][9] and "早的.xlsx" in rows[0][9]
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"):
        assert "<f>" not in xml_of(out / SUMMARY_NAME, part)
    copy = next((out / RETURNS_DIR).glob("晚的*.xlsx"))
    sheet_xml = xml_of(copy, "xl/worksheets/sheet1.xml")
    assert "<f>" not in sheet_xml  # messages quoting "=1+1" are text in 问题清单


def test_an_earlier_report_folder_is_not_checked_again(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(BROKEN, inbox / BROKEN.name)
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(inbox), "-o", str(inbox / "报告"), "-q"]).exit_code == 1
    again = runner.invoke(app, ["check", str(inbox), "--json", "-"])
    assert [Path(f["path"]).name for f in json.loads(again.stdout)["files"]] == [BROKEN.name]
    same = runner.invoke(app, ["check", str(inbox), "-o", str(inbox)])
    assert same.exit_code == 2 and "报告文件夹" in same.output


def test_unit_comes_from_the_identity_not_the_cover(tmp_path):
    wb = openpyxl.load_workbook(SEED)
    wb["填报说明"]["B3"] = "489001"
    changed = tmp_path / "484001_改了单位编码.xlsx"
    wb.save(changed)
    report = check_paths([changed], units=[Expected("484001", "玉田县林西镇人民政府本级"),
                                           Expected("489001", "示例县东河镇人民政府本级")])
    (f,) = report.files
    assert f.unit_code == "484001"
    assert ("XT005", "填报说明", "B3") in {(i.code, i.sheet, i.cell) for i in f.issues}
    assert report.missing_units == [{"unit_code": "489001", "unit_name": "示例县东河镇人民政府本级"}]


def test_xls_return_is_said_to_have_no_copy_and_lines_fit_a_narrow_terminal(tmp_path):
    """A return saved as .xls is checked by its content but cannot be patched into an annotated
    copy: the closing lines and 汇总 say so; in a 60-column terminal no line is broken inside
    a number and its measure word (only a long path may run over)."""
    import os
    import subprocess
    import sys

    from support import convert
    from xltool.textwidth import width

    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(convert(BROKEN, "xls", tmp_path / "lo"), inbox / "489001_东河镇.xls")
    shutil.copy(SEED, inbox / SEED.name)
    out = tmp_path / "报告"
    result = subprocess.run([sys.executable, "-m", "xltool.cli", "check", str(inbox), "-o",
                             str(out), "-q"], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "COLUMNS": "60"})
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("共审核")) + 1:]
    assert all(width(line) <= 60 for line in lines if str(out) not in line), result.stdout
    said = "".join(lines)
    assert "标注副本 0 份在" in said and not list(out.glob(f"{RETURNS_DIR}/*.xlsx"))
    assert any("另有 1 份表格报回的是 .xls 文件，没有标注副本" in line for line in lines)
    assert any(line.startswith("只有审核建议（没有错误和警告）的表格 1 份") for line in lines)
    ws = openpyxl.load_workbook(out / SUMMARY_NAME)["汇总"]
    header = [c.value for c in ws[4]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=5)]
    note = next(r["备注"] for r in rows if r["单位编码"] == "489001")
    assert "报回的是 .xls 文件" in note and "不能生成标注副本" in note
    seed = next(r["备注"] for r in rows if r["单位编码"] == "484001")
    assert "标注副本" not in (seed or "")


def test_a_copy_that_fails_is_reported_and_not_claimed(tmp_path, monkeypatch):
    """The copies are made while the summary and the JSON are written; a copy that could not
    be made is a problem to tell, and the JSON report does not point to it."""
    from xltool.report import outputs

    def boom(src, dest, report):
        raise ValueError("broken package")

    monkeypatch.setattr(outputs, "annotate", boom)
    rules = load_rules()
    report = check_paths([BROKEN], rules=rules)
    written, problems = write_outputs(report, tmp_path / "报告", rules, None)
    assert problems == [f"{BROKEN.name}：无法生成标注副本（ValueError）"]
    assert written.annotated == [] and report.files[0].annotated is None
    data = json.loads(written.json.read_text("utf-8"))
    assert data["files"][0]["annotated"] is None and written.json_text == written.json.read_text(
        "utf-8")
    assert (tmp_path / "报告" / MARKER).read_text("utf-8").splitlines()[1:] == []


def test_copies_made_are_recorded_when_the_summary_cannot_be_written(tmp_path):
    """汇总.xlsx open in Excel (here: a folder in its place) stops the run with an error, but
    the annotated copies already made are recorded, so the next run removes them."""
    out = tmp_path / "报告"
    (out / SUMMARY_NAME).mkdir(parents=True)
    rules = load_rules()
    report = check_paths([BROKEN], rules=rules)
    with pytest.raises(OSError):
        write_outputs(report, out, rules, None)
    copy = out / RETURNS_DIR / f"{BROKEN.stem}_审核标注.xlsx"
    assert copy.is_file()
    assert (out / MARKER).read_text("utf-8").splitlines()[1:] == [f"{RETURNS_DIR}/{copy.name}"]


def test_json_on_stdout_and_in_a_file_with_a_report_folder_are_the_report_folders(tmp_path):
    """With -o, `--json -` and `--json FILE` give exactly the 审核结果.json of the folder (the
    report is turned into JSON once), annotated copies included."""
    out = tmp_path / "报告"
    runner = CliRunner()
    shown = runner.invoke(app, ["check", str(RETURNS), "-o", str(out), "--json", "-"])
    assert shown.exit_code == 1
    folder = (out / JSON_NAME).read_text("utf-8")
    assert shown.stdout == folder and json.loads(folder)["files"][0]["path"]
    assert any(f["annotated"] for f in json.loads(folder)["files"])
    saved = runner.invoke(app, ["check", str(RETURNS), "-o", str(out), "--json",
                                str(tmp_path / "r.json"), "-q"])
    assert saved.exit_code == 1
    assert (tmp_path / "r.json").read_text("utf-8") == (out / JSON_NAME).read_text("utf-8")


def test_a_recheck_with_the_old_files_still_in_the_folder(tmp_path):
    """The round's second check: a unit's first return is still in 收回 beside the one it sent
    again, which was saved later but sorts first by name. Only the newest counts: the old one
    gets no copy in 退回修改, is left out of 问题明细, 规则统计 and the count of files to send
    back, and the warning about two files is on the old one."""
    inbox = tmp_path / "收回"
    inbox.mkdir()
    old, new = inbox / "东河镇_第一次.xlsx", inbox / "东河镇_修改后.xlsx"
    for path, saved in ((old, "2025-03-01T09:00:00Z"), (new, "2025-03-05T09:00:00Z")):
        shutil.copy(BROKEN, path)
        set_saved_at(path, saved)
    assert new.name < old.name   # so the name alone would pick the old one
    report = check_paths([inbox])
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name[old.name].superseded_by == str(new)
    assert by_name[new.name].superseded_by is None
    twice = [(Path(f.path).name, i.message) for f in report.files for i in f.issues
             if i.code == "XT605"]
    assert [name for name, _ in twice] == [old.name] and new.name in twice[0][1]

    out = tmp_path / "报告"
    result = CliRunner().invoke(app, ["check", str(inbox), "-o", str(out), "-q"],
                                terminal_width=100)
    assert sorted(p.name for p in (out / RETURNS_DIR).glob("*.xlsx")) == \
        [f"{new.stem}_审核标注.xlsx"]
    said = result.output.replace("\n", "")
    assert "共审核 2 个文件，其中 1 个需要退回修改" in said and "1 个是同单位较早的文件" in said
    summary = openpyxl.load_workbook(out / SUMMARY_NAME, read_only=True)
    detail_files = {row[0] for row in summary["问题明细"].iter_rows(min_row=2, values_only=True)}
    assert detail_files == {new.name}
    stats = {row[0]: row[3] for row in summary["规则统计"].iter_rows(min_row=2, values_only=True)
             if row[0]}
    assert stats == dict(Counter(i.code for i in by_name[new.name].issues))
