"""A batch always ends with reports that tell the truth: one failing file does not stop it,
zip attachments are opened safely, the county's blanks are not returns, old outputs go."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from support import REPO

from xltool.check.checker import Expected, check_paths
from xltool.cli import app
from xltool.report.outputs import LOG_NAME, MARKER, RETURNS_DIR

RETURNS = REPO / "examples" / "returns"
SEED = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
GENERATED = REPO / "examples" / "generated"
BLANK = GENERATED / "489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表.xlsx"


def _inbox(tmp_path: Path, *files: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in files:
        shutil.copy(f, inbox / f.name)
    return inbox


def test_a_poisoned_file_still_gets_every_report(tmp_path, monkeypatch):
    inbox = _inbox(tmp_path, SEED, BROKEN)
    shutil.copy(SEED, inbox / "poison_林西镇.xlsx")
    from xltool.check import checker
    real = checker.check_workbook

    def poisoned(wb, rules):
        if wb.path.name.startswith("poison"):
            raise ZeroDivisionError("a bug the checker did not foresee")
        return real(wb, rules)
    monkeypatch.setattr(checker, "check_workbook", poisoned)
    out = tmp_path / "报告"
    result = CliRunner().invoke(app, ["check", str(inbox), "-o", str(out), "--jobs", "1", "-q"])
    assert result.exit_code == 1, result.output
    assert (out / "汇总.xlsx").is_file() and (out / "审核结果.json").is_file()
    data = json.loads((out / "审核结果.json").read_text("utf-8"))
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert [i["code"] for i in by_name["poison_林西镇.xlsx"]["issues"]] == ["XT013"]
    assert "县财政局" in by_name["poison_林西镇.xlsx"]["issues"][0]["message"]
    assert by_name[SEED.name]["status"] in ("ok", "warnings")   # review suggestions only
    assert by_name[BROKEN.name]["status"] == "errors"
    log = (out / LOG_NAME).read_text("utf-8")
    assert "ZeroDivisionError" in log and "poison_林西镇.xlsx" in log
    assert (out / RETURNS_DIR).is_dir()


def test_each_run_leaves_only_its_own_outputs(tmp_path):
    inbox = _inbox(tmp_path, BROKEN)
    out = tmp_path / "报告"
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(inbox), "-o", str(out), "-q"]).exit_code == 1
    copies = list((out / RETURNS_DIR).iterdir())
    assert len(copies) == 1
    mine = out / RETURNS_DIR / "乡镇自己放的说明.txt"
    mine.write_text("不是 xltool 写的", encoding="utf-8")
    (inbox / BROKEN.name).unlink()            # the township sent a corrected return
    shutil.copy(SEED, inbox / "489001_改好了.xlsx")
    assert runner.invoke(app, ["check", str(inbox), "-o", str(out), "-q"]).exit_code == 0
    assert not copies[0].exists()             # the old list of problems is gone
    assert mine.exists()                      # what xltool did not write stays
    assert (out / MARKER).read_text("utf-8").splitlines()[0]


def test_headline_counts_only_listed_units(tmp_path):
    inbox = _inbox(tmp_path, SEED, BROKEN)
    units = [Expected("484001", "林西镇"), Expected("484099", "未报的乡")]
    out = tmp_path / "报告"
    from xltool.check.rules import load_rules
    from xltool.report.outputs import write_outputs
    rules = load_rules()
    report = check_paths([inbox], rules=rules, units=units)
    write_outputs(report, out, rules, units)
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["汇总"]
    line = ws["A2"].value
    assert "应报 2 个单位，已报 1 个，未报 1 个" in line
    assert "名单外单位 1 个" in line
    states = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(5, ws.max_row + 1)}
    assert states == {"484001": "已报送", "484099": "未报送", "489001": "名单外"}


def test_newest_falls_back_to_modification_time_and_says_so(tmp_path):
    from xltool.check.report import FileReport
    from xltool.report.summary import UnitRow, _note, saved_time
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(b"x")
    b.write_bytes(b"y")
    fa, fb = FileReport(str(a)), FileReport(str(b), saved_at="2020-01-01T00:00:00")
    assert saved_time(fa)[1] is False and saved_time(fb)[1] is True
    note = _note(UnitRow("1", "x", "已报送", fa, [fb]))
    assert "按文件修改时间" in note


class _GbkInfo(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):   # what Windows' "send to compressed folder" writes
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _gbk_zip(dest: Path, members: dict[str, bytes]) -> Path:
    """A zip as Chinese Windows writes it: GBK names, no UTF-8 flag."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = _GbkInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    with zipfile.ZipFile(dest) as zf:   # really written without the flag
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())
    return dest


def test_zip_attachments_are_checked_member_by_member(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _gbk_zip(inbox / "东河镇附件.zip", {
        "绩效目标/东河镇_有错误.xlsx": BROKEN.read_bytes(),
        "林西镇_已填.xlsx": SEED.read_bytes(),
        "说明.txt": "附件说明".encode("gbk"),
        "../越界.xlsx": SEED.read_bytes(),
        "/绝对路径.xlsx": SEED.read_bytes(),
        "套娃.zip": b"PK\x05\x06" + b"\0" * 18,
    })
    before = set(tmp_path.rglob("*"))
    report = check_paths([inbox])
    names = {f.path.replace("\\", "/").split("inbox/", 1)[1]: f for f in report.files}
    assert names["东河镇附件.zip/绩效目标/东河镇_有错误.xlsx"].status == "errors"
    assert names["东河镇附件.zip/林西镇_已填.xlsx"].status in ("ok", "warnings")
    refused = [f for f in report.files if f.status == "unreadable"]
    assert len(refused) == 3
    assert all(f.issues[0].code == "XT000" for f in refused)
    assert any("套" in f.issues[0].message for f in refused)
    assert set(tmp_path.rglob("*")) == before   # nothing extracted next to the returns


def test_zip_bomb_is_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "炸弹.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("大.xlsx", b"\0" * (80 * 1024 * 1024))
    report = check_paths([inbox])
    assert [f.status for f in report.files] == ["unreadable"]
    assert "异常大" in report.files[0].issues[0].message


def test_county_blanks_are_not_returns(tmp_path):
    inbox = _inbox(tmp_path, SEED, BLANK)
    units = [Expected("484001", "林西镇"), Expected("489002", "西岭乡")]
    report = check_paths([inbox], units=units)
    blank = next(f for f in report.files if "489002" in f.path)
    assert blank.blank and [i.code for i in blank.issues] == ["XT015"]
    assert report.missing_units == [{"unit_code": "489002", "unit_name": "西岭乡"}]


def test_recorded_issue_lists_are_removed_by_the_next_run(tmp_path):
    """Files recorded after write_outputs (the --pdf issue lists) go with the next run; a file
    of the same folder that xltool did not record stays."""
    from xltool.check.rules import load_rules
    from xltool.report.outputs import record_outputs, write_outputs
    rules = load_rules()
    out = tmp_path / "报告"
    report = check_paths([SEED], rules=rules)
    write_outputs(report, out, rules, None)
    lists = out / "问题清单"
    lists.mkdir()
    old, kept = lists / "旧_问题清单.pdf", lists / "别人放的.pdf"
    old.write_bytes(b"%PDF-1.4")
    kept.write_bytes(b"%PDF-1.4")
    record_outputs(out, [old, tmp_path / "outside.pdf"])
    assert "问题清单/旧_问题清单.pdf" in (out / MARKER).read_text("utf-8")
    assert "outside.pdf" not in (out / MARKER).read_text("utf-8")
    write_outputs(report, out, rules, None)
    assert not old.exists() and kept.exists()


def test_a_mistake_in_the_reader_is_the_checkers_error_not_a_damaged_file(tmp_path, monkeypatch):
    """A bug in xltool's own reading code must not tell a township its file is damaged."""
    inbox = _inbox(tmp_path, SEED)
    shutil.copy(SEED, inbox / "poison_林西镇.xlsx")
    from xltool.read import reader
    real_read, real_project = reader._read, reader._read_project
    poisoned = []

    def read(path, book):
        poisoned[:] = [path.name.startswith("poison")]
        return real_read(path, book)

    def read_project(grid, names, spec, prefilled, layout):
        if poisoned[0]:   # a mistake inside the reader: it gets None where a grid belongs
            return real_project(None, names, spec, prefilled, layout)
        return real_project(grid, names, spec, prefilled, layout)
    monkeypatch.setattr(reader, "_read", read)
    monkeypatch.setattr(reader, "_read_project", read_project)
    report = check_paths([inbox])
    by_name = {Path(f.path).name: f for f in report.files}
    assert [i.code for i in by_name["poison_林西镇.xlsx"].issues] == ["XT013"]
    assert "AttributeError" in by_name["poison_林西镇.xlsx"].internal_error
    assert by_name[SEED.name].status in ("ok", "warnings")
