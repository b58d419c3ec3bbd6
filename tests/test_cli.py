"""The command line as a user runs it (typer's runner, real files)."""
from __future__ import annotations

import json

import openpyxl
from support import EXAMPLE_LIST
from typer.testing import CliRunner

from xltool.cli import app
from xltool.template.generate import MANIFEST_NAME

runner = CliRunner()


def test_generate_example(tmp_path):
    result = runner.invoke(app, ["generate", str(EXAMPLE_LIST), "-o", str(tmp_path),
                                 "--year", "2025", "--password", "county-2025"])
    assert result.exit_code == 0, result.output
    assert "已生成 3 份" in result.output and "玉田县林西镇人民政府本级" in result.output
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["password"] == "county-2025"
    assert "保护密码（随机生成" not in result.output
    assert len(list(tmp_path.glob("*.xlsx"))) == 3


def test_generate_blank_prints_the_random_password(tmp_path):
    result = runner.invoke(app, ["generate", "--blank", "-o", str(tmp_path), "--year", "2025",
                                 "--blank-sheets", "3", "--framework", "mof2021"])
    assert result.exit_code == 0, result.output
    password = json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))["password"]
    assert password in result.output
    wb = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    assert wb.sheetnames[:5] == ["填报说明", "部门整体绩效目标", "项目1", "项目2", "项目3"]


def test_bad_list_is_a_chinese_message_not_a_traceback(tmp_path):
    bad = tmp_path / "名单.csv"
    bad.write_text("单位编码,单位名称,项目编码,项目名称,预算数,财政资金,其他资金\n"
                   "484001,林西镇,P1,甲,一万,0,0\n", encoding="utf-8")
    result = runner.invoke(app, ["generate", str(bad), "-o", str(tmp_path / "out"),
                                 "--year", "2025"])
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "名单.csv" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["generate", "-o", str(tmp_path)]).exit_code == 2
    both = runner.invoke(app, ["generate", str(EXAMPLE_LIST), "--blank", "-o", str(tmp_path)])
    assert both.exit_code == 2 and "二者选一" in both.output
    bad_fw = runner.invoke(app, ["generate", "--blank", "-o", str(tmp_path), "--year", "2025",
                                 "--framework", "nonexistent"])
    assert bad_fw.exit_code == 2 and "nonexistent" in bad_fw.output
    assert not list(tmp_path.iterdir())


def test_unwritable_output_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["generate", "--blank", "-o", str(blocker / "sub"),
                                 "--year", "2025"])
    assert result.exit_code == 1 and "无法写入" in result.output
    assert "路径中有一段是文件" in result.output  # the reason in Chinese, not "Not a directory"


def test_year_is_required(tmp_path):
    result = runner.invoke(app, ["generate", "--blank", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "--year" in result.output
    assert not list(tmp_path.iterdir())


def test_frameworks_given_as_files_travel_with_the_workbooks(tmp_path):
    """--framework / --dept-framework 体系.yaml: the returns are checked against exactly that
    framework, on any computer, without the file (it is recorded in each workbook)."""
    from xltool.paths import data_dir
    from xltool.read.reader import read_workbook
    from xltool.template.spec import load_framework

    frameworks = data_dir("templates") / "frameworks"
    own = tmp_path / "县体系.yaml"     # a county's own framework, with an id of its own
    own.write_text((frameworks / "mof2021.yaml").read_text("utf-8")
                   .replace("id: mof2021", "id: county2025")
                   .replace("- {name: 时效指标}", "- {name: 时效指标}\n      - {name: 县级特色指标}"),
                   encoding="utf-8")
    same_id = tmp_path / "改过的seed.yaml"   # a bundled id, but not the bundled content
    same_id.write_text((frameworks / "seed.yaml").read_text("utf-8")
                       .replace("- {name: 成本指标}", "- {name: 成本指标}\n      - {name: 县级成本指标}"),
                       encoding="utf-8")
    out = tmp_path / "下发"
    made = runner.invoke(app, ["generate", str(EXAMPLE_LIST), "-o", str(out), "--year", "2025",
                               "--framework", str(same_id), "--dept-framework", str(own)])
    assert made.exit_code == 0, made.output
    own_fw, same_fw = load_framework(own), load_framework(same_id)
    assert "县级特色指标" in own_fw.children_of("产出指标")
    own.unlink()
    same_id.unlink()
    book = next(out.glob("484001_*.xlsx"))
    read = read_workbook(book)
    assert read.meta_problem is None
    assert (read.framework, read.dept_framework) == (same_fw, own_fw)
    checked = runner.invoke(app, ["check", str(out), "--json", "-"])
    data = json.loads(checked.stdout)
    assert len(data["files"]) == 3
    for f in data["files"]:
        assert f["status"] in ("ok", "warnings"), f
        assert "XT003" not in {i["code"] for i in f["issues"]}
    # bundled frameworks are still recorded by their id
    bundled = tmp_path / "bundled"
    assert runner.invoke(app, ["generate", "--blank", "-o", str(bundled), "--year", "2025",
                               "--framework", "mof2021"]).exit_code == 0
    meta = read_workbook(next(bundled.glob("*.xlsx"))).meta
    assert (meta.framework, meta.dept_framework) == ("mof2021", "mof2021")
