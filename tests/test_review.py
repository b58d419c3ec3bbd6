"""Review suggestions (审核建议, XT8xx): the judgements on text, the rule set around them, and
`check --previous` comparing with last year's returns from the command line."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal

import openpyxl
import pytest
import yaml
from support import REPO
from typer.testing import CliRunner

from xltool.check.checker import check_paths
from xltool.check.checks.targets import goal_numbers, is_question, nearest_basis
from xltool.check.rules import load_rules
from xltool.cli import app

RETURNS = REPO / "examples" / "returns"
SEED = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
GOOD = RETURNS / "489002_示例县西岭乡人民政府本级_2025年预算项目绩效目标表_规范示例.xlsx"
BASES = ["计划标准", "历史标准", "行业标准", "预算支出标准", "其他标准"]


@pytest.mark.parametrize("text, numbers", [
    ("全年清运12个村的生活垃圾不少于1500吨", ["12个", "1500吨"]),
    ("群众满意度达到90%以上", ["90%"]),
    ("满意度达到９０％以上", ["90%"]),
    ("1.用于安保、环保、安全生产等相关工作的支出", []),
    ("1.2025年全年开展检查", []),
    ("（1）开展培训3期；（2）6月底前完成", ["3期"]),
    ("10月15日前完成验收，3月份启动", []),
    ("投入1.5万元购置设备", ["1.5万元"]),
    ("在30天内办结", ["30天"]),
    ("保障人大工作站的相关工作开展", []),
])
def test_goal_numbers(text, numbers):
    assert [t for t, _, _ in goal_numbers(text)] == numbers


def test_goal_numbers_values():
    assert goal_numbers("完成12个村")[0][1:] == (Decimal(12), "个")


@pytest.mark.parametrize("text, cost, suggested", [
    ("根据实际情况测算", False, "计划标准"),
    ("按实际需求测算", False, "计划标准"),
    ("按实际需求测算", True, "预算支出标准"),
    ("预算安排", False, "预算支出标准"),
    ("上年完成情况", False, "历史标准"),
    ("国家规范", False, "行业标准"),
    ("计划", False, "计划标准"),
    ("领导要求", False, "其他标准"),
])
def test_nearest_basis(text, cost, suggested):
    assert nearest_basis(text, BASES, cost) == suggested


@pytest.mark.parametrize("text, question", [
    ("是否有安全事故发生", True), ("检查是否及时", True), ("有无违规使用资金", True),
    ("安全事故发生次数", False), ("检查及时率", False),
])
def test_is_question(text, question):
    assert is_question(text) is question


def test_review_rules_are_warnings_of_their_own_range_and_documented():
    rules = [r for r in load_rules().rules if r.review]
    assert [r.code for r in rules] == [f"XT8{n:02d}" for n in range(1, 21)]
    assert {r.severity for r in rules} == {"warning"}
    guide = (REPO / "docs" / "审核建议.md").read_text("utf-8")
    for r in rules:
        assert f"### {r.code}" in guide, r.code
    section = guide.split("### ")[1:]
    assert all("- 好的写法" in s and "- 不好的写法" in s for s in section)


def test_a_county_can_raise_or_switch_off_review_rules(tmp_path):
    data = yaml.safe_load((REPO / "rules" / "default.yaml").read_text("utf-8"))
    for rule in data["rules"]:
        if rule["code"] == "XT801":
            rule["severity"] = "error"
    raised = tmp_path / "严格.yaml"
    raised.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    strict = runner.invoke(app, ["check", str(SEED), "--rules", str(raised), "--json", "-"])
    assert strict.exit_code == 1
    issues = json.loads(strict.stdout)["files"][0]["issues"]
    assert {i["severity"] for i in issues if i["code"] == "XT801"} == {"error"}
    off = runner.invoke(app, ["check", str(SEED), "--ignore", "XT8", "--json", "-"])
    assert off.exit_code == 0 and json.loads(off.stdout)["files"][0]["issues"] == []


def test_check_previous_from_the_command_line(tmp_path):
    """Last year's folder holds the accepted return; this year one target went down and the
    goals were copied."""
    last = tmp_path / "2024收回"
    last.mkdir()
    shutil.copy(GOOD, last / GOOD.name)
    inbox = tmp_path / "2025收回"
    inbox.mkdir()
    wb = openpyxl.load_workbook(GOOD)
    wb["项目1"]["F10"] = 1400          # 清运生活垃圾量: 1500 吨 last year
    wb["项目2"]["B8"] = "组织12个村党支部开展主题党日活动不少于144次，培训党员不少于300人次，满意度95%以上。"
    wb.save(inbox / GOOD.name)
    runner = CliRunner()
    plain = runner.invoke(app, ["check", str(inbox), "--json", "-"])
    # the goal still says 1500吨: that is this year's own inconsistency (XT810)
    assert {i["code"] for i in json.loads(plain.stdout)["files"][0]["issues"]} == {"XT810"}
    result = runner.invoke(app, ["check", str(inbox), "--previous", str(last), "--json", "-"])
    assert result.exit_code == 0, result.output
    found = sorted((i["code"], i["sheet"], i["cell"])
                   for i in json.loads(result.stdout)["files"][0]["issues"])
    assert found == [("XT810", "项目1", "B8"), ("XT812", "项目1", "F10"), ("XT813", "项目1", "B8"),
                     ("XT813", "项目3", "B8")]
    message = next(i["message"] for i in json.loads(result.stdout)["files"][0]["issues"]
                   if i["code"] == "XT812")
    assert "≥1400吨" in message and "≥1500吨" in message
    missing = runner.invoke(app, ["check", str(inbox), "--previous", str(tmp_path / "没有")])
    assert missing.exit_code == 2 and "找不到" in missing.output
    empty = tmp_path / "空"
    empty.mkdir()
    none = runner.invoke(app, ["check", str(inbox), "--previous", str(empty)])
    assert none.exit_code == 2 and "上年" in none.output


def test_previous_with_several_files_of_a_unit_uses_the_newest(tmp_path):
    import time

    from xltool.check.checks.previous import load_previous
    older, newer = tmp_path / "旧.xlsx", tmp_path / "新.xlsx"   # by name, 旧 would win
    for path, amount in ((older, 2000), (newer, 1500)):
        wb = openpyxl.load_workbook(GOOD)   # openpyxl stamps the save time: save them 1 s apart
        wb["项目1"]["F10"] = amount
        wb.save(path)
        time.sleep(1.1)
    previous = load_previous([older, newer])
    report = check_paths([GOOD], previous=previous, select=["XT812"])
    assert report.files[0].issues == []   # the newest (1500) counts, not the older 2000
