"""The bundled returns: the seed has no error but exactly its documented review suggestions, the
broken one its documented mistakes (before and after LibreOffice re-saves it), the well-written
one nothing at all; and the CLI's JSON is the library's report."""
from __future__ import annotations

import json
import subprocess
import sys

import yaml
from support import REPO, convert
from typer.testing import CliRunner

from xltool.check.checker import check_paths
from xltool.cli import app
from xltool.report.render import report_json

RETURNS = REPO / "examples" / "returns"
SEED = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
EXPECTED = yaml.safe_load((RETURNS / "489001_有错误_预期问题.yaml").read_text("utf-8"))
BROKEN = RETURNS / EXPECTED["file"]
SEED_REVIEW = yaml.safe_load((RETURNS / "预期审核建议_484001_已填.yaml").read_text("utf-8"))
GOOD = RETURNS / "489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表_规范示例.xlsx"


def _found(path):
    report = check_paths([path])
    (f,) = report.files
    return f, sorted((i.code, i.sheet, i.cell) for i in f.issues)


def _documented():
    return sorted((e["code"], e["sheet"], e["cell"]) for e in EXPECTED["issues"])


def _seed_review():
    return sorted((e["code"], e["sheet"], e["cell"]) for e in SEED_REVIEW["issues"])


def test_seed_example_has_no_errors_and_its_review_suggestions():
    f, issues = _found(SEED)
    assert SEED_REVIEW["file"] == SEED.name
    assert f.errors == SEED_REVIEW["errors"] == 0 and f.status == "warnings"
    assert issues == _seed_review()
    assert {i.code[:3] for i in f.issues} == {"XT8"}
    sheets = {i.sheet for i in f.issues}
    assert len(sheets) == 6   # every one of the five projects gets review suggestions, Part 1 too
    assert (f.unit_code, f.unit_name) == ("484001", "玉田县林西镇人民政府本级")


def test_well_written_example_has_no_issue_at_all():
    f, issues = _found(GOOD)
    assert f.status == "ok" and issues == []
    assert f.unit_code == "489002"


def test_broken_example_reports_each_documented_mistake_at_its_cell():
    f, issues = _found(BROKEN)
    assert f.status == "errors"
    assert issues == _documented()
    assert len(EXPECTED["issues"]) >= 12


def test_broken_example_after_libreoffice_round_trip(tmp_path):
    src = tmp_path / BROKEN.name
    src.write_bytes(BROKEN.read_bytes())
    saved = convert(src, "xlsx", tmp_path / "saved")
    assert _found(saved)[1] == _documented()
    for example in (SEED, GOOD):
        copy = tmp_path / example.name
        copy.write_bytes(example.read_bytes())
        assert _found(convert(copy, "xlsx", tmp_path / f"saved-{example.stem[:6]}"))[1] == \
            _found(example)[1]


def test_examples_are_what_make_returns_builds(tmp_path):
    """examples/make_returns.py rebuilds the returns; they check the same as the committed ones."""
    work = tmp_path / "repo"
    (work / "examples").mkdir(parents=True)
    for name in ("make_returns.py", "seed_2025_484001.yaml"):
        (work / "examples" / name).write_bytes((REPO / "examples" / name).read_bytes())
    (work / "examples" / "generated").symlink_to(REPO / "examples" / "generated")
    (work / "examples" / "returns").mkdir()
    (work / "xltool").symlink_to(REPO / "xltool")
    (work / "templates").symlink_to(REPO / "templates")
    (work / "rules").symlink_to(REPO / "rules")
    subprocess.run([sys.executable, str(work / "examples" / "make_returns.py")], check=True,
                   capture_output=True)
    for committed in (SEED, BROKEN, GOOD):
        rebuilt = work / "examples" / "returns" / committed.name
        assert _found(rebuilt)[1] == _found(committed)[1]


def test_cli_json_is_the_library_report():
    result = CliRunner().invoke(app, ["check", str(RETURNS), "--json", "-"])
    assert result.exit_code == 1  # the broken example has errors
    assert json.loads(result.stdout) == json.loads(report_json(check_paths([RETURNS])))
    data = json.loads(result.stdout)
    assert data["schema"] == "xltool.check/1"
    for f in data["files"]:
        assert set(f) >= {"path", "unit_code", "unit_name", "status", "issues"}
        for i in f["issues"]:
            assert set(i) >= {"code", "severity", "sheet", "cell", "message"}


def test_cli_exit_codes_and_missing_units(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(GOOD), "--json", "-"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["files"][0]["status"] == "ok"
    warned = runner.invoke(app, ["check", str(SEED), "--json", "-"])   # review suggestions only
    assert warned.exit_code == 0 and json.loads(warned.stdout)["files"][0]["status"] == "warnings"
    manifest = REPO / "examples" / "generated" / "xltool-manifest.json"
    res = runner.invoke(app, ["check", str(SEED), "--units", str(manifest), "--json", "-"])
    assert json.loads(res.stdout)["missing_units"] == [
        {"unit_code": "489001", "unit_name": "示例县东河镇人民政府本级"},
        {"unit_code": "489002", "unit_name": "示例县西岭乡人民政府本级"}]
    lst = runner.invoke(app, ["check", str(SEED), "--units",
                              str(REPO / "examples" / "distribution.csv"), "--json", "-"])
    assert json.loads(lst.stdout)["missing_units"] == json.loads(res.stdout)["missing_units"]
    assert runner.invoke(app, ["check", str(tmp_path / "nope.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["check", str(SEED), "--select", "XT999"]).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["check", str(empty)]).exit_code == 2
    sel = runner.invoke(app, ["check", str(BROKEN), "--select", "XT2", "--json", "-"])
    assert {i["code"] for i in json.loads(sel.stdout)["files"][0]["issues"]} == {"XT201", "XT202",
                                                                                   "XT203"}
    ign = runner.invoke(app, ["check", str(BROKEN), "--ignore", "XT1,XT2,XT3,XT4,XT5,XT0,XT7",
                              "--json", "-"])
    assert {i["code"] for i in json.loads(ign.stdout)["files"][0]["issues"]} == {"XT601", "XT811", "XT815"}


def test_bad_file_in_a_batch_does_not_stop_the_rest(tmp_path):
    (tmp_path / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    report = check_paths([tmp_path])
    status = {f.path.split("/")[-1]: f.status for f in report.files}
    assert status == {"坏文件.xlsx": "unreadable", "旧格式.xls": "unreadable",
                      SEED.name: "warnings"}   # review suggestions only
    messages = [i.message for f in report.files for i in f.issues]
    assert any("损坏" in m for m in messages) and any("加密" in m or ".xls" in m for m in messages)
    assert report.failed


def test_rules_command_lists_every_code():
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0
    for code in ("XT001", "XT101", "XT203", "XT302", "XT402", "XT506", "XT603"):
        assert code in result.stdout


def test_rules_command_groups_review_suggestions_apart():
    result = CliRunner().invoke(app, ["rules"])
    heading = result.stdout.index("审核建议（XT8xx")
    assert result.stdout.index("XT606") < heading < result.stdout.index("XT801")
    assert all(result.stdout.index(code) > heading for code in ("XT807", "XT813"))
