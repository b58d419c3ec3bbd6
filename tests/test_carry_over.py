"""`generate --carry-over`: new workbooks pre-filled from the latest returns."""
from __future__ import annotations

import hashlib
import json
import re
import shutil

import yaml
from support import EXAMPLE_LIST, REPO
from typer.testing import CliRunner

from xltool.check.checker import check_paths
from xltool.cli import app
from xltool.export.carry import carry_over
from xltool.export.model import unit_targets
from xltool.read.reader import read_workbook
from xltool.template.generate import generate

runner = CliRunner()
RETURNS = REPO / "examples" / "returns"
SEED_DATA = yaml.safe_load((REPO / "examples" / "seed_2025_484001.yaml").read_text("utf-8"))


def test_carry_over_from_last_years_returns(tmp_path):
    # next year's list: one budget changed, one project replaced by a new one
    lines = EXAMPLE_LIST.read_text("utf-8-sig").splitlines()
    lines = [ln.replace("残疾人保障金,81000.00,81000.00", "残疾人保障金,90000.00,90000.00")
             .replace("13022925P00JXC419934F,乡镇人大工作站", "13022926P00JXC500001A,乡镇便民服务站")
             for ln in lines]
    new_list = tmp_path / "2026名单.csv"
    new_list.write_text("\n".join(lines) + "\n", encoding="utf-8")
    returns = tmp_path / "收回"
    shutil.copytree(RETURNS, returns)
    for good in returns.glob("*_规范示例.xlsx"):   # the seed and the broken return are the subject
        good.unlink()
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in returns.iterdir()}
    out = tmp_path / "下发2026"
    result = runner.invoke(app, ["generate", str(new_list), "-o", str(out), "--year", "2026",
                                 "--password", "county-2026", "--carry-over", str(returns)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in returns.iterdir()}
    text = re.sub(r"\s+", "", result.output)
    assert "预填2个单位的6个项目" in text and "2份部门整体绩效目标" in text
    assert "未能对应预填4项" in text and "以及2个单位的联系人和联系电话" in text
    again = generate(tmp_path / "again", list_path=new_list, year=2026, password="county-2026")
    unmatched = {(u.unit_code, u.project.split()[0] if u.project else "", u.reason[:6])
                 for u in carry_over(again, [returns]).unmatched}
    assert unmatched == {("484001", "13022926P00JXC500001A", "以前报回的表"),   # new project
                         ("484001", "13022925P00JXC419934F", "新名单中没有"),   # dropped
                         ("489001", "联系人", "以前报回的表"),        # its return has no 联系人
                         ("489002", "", "没有找到该单")}                     # never returned

    new = out / "484001_玉田县林西镇人民政府本级_2026年预算项目绩效目标表.xlsx"
    targets = unit_targets(read_workbook(new), file=new.name, status="ok")
    by_code = {p.code: p for p in targets.projects}
    for seed in SEED_DATA["projects"][:4]:
        p = by_code[seed["code"]]
        assert [i.printed for i in p.indicators] == [r[4] for r in seed["indicators"]]
        assert [(i.tier1, i.tier2, i.tier3, i.description, i.basis) for i in p.indicators] == \
            [(r[0], r[1], r[2], r[3], r[5]) for r in seed["indicators"]]
        assert p.goal == seed["goal"] and [int(v) for v in p.plan] == seed["plan"]
    assert by_code["13022925P00JXC4196067"].total == 90000          # the county's new value
    assert (targets.contact, targets.phone) == ("林西镇财政所", "0315-0000000")   # the cover
    other = unit_targets(read_workbook(out / "489001_示例县东河镇人民政府本级_2026年预算项目绩效目标表.xlsx"),
                         file="", status="ok")
    assert (other.contact, other.phone) == ("", "0315-1111111")     # only what was given
    dept, seed_dept = targets.dept, SEED_DATA["dept"]               # Part 1 carried too
    assert (dept.goal, dept.measures) == (seed_dept["goal"], seed_dept["measures"])
    assert [(a.name, a.goal) for a in dept.areas] == [(a["name"], a["goal"])
                                                      for a in seed_dept["areas"]]
    assert [(i.area, i.indicator.tier3) for i in dept.indicators] == \
        [(a["name"], r[2]) for a in seed_dept["areas"] for r in a["indicators"]]
    fresh = by_code["13022926P00JXC500001A"]
    assert fresh.indicators == () and fresh.goal == "" and fresh.plan == (None,) * 4
    # the carried workbook is still the county's own: identity intact, digest as recorded
    manifest = json.loads((out / "xltool-manifest.json").read_text("utf-8"))
    digest = next(u["prefill_digest"] for u in manifest["units"] if u["unit_code"] == "484001")
    assert read_workbook(new).meta.digest == digest
    report = check_paths([out])
    errors = [i for f in report.files if f.unit_code == "484001" for i in f.issues
              if i.severity == "error"]
    assert errors and {i.sheet for i in errors} == {"5.乡镇便民服务站"}   # only the new project


def test_carry_over_needs_an_existing_folder(tmp_path):
    result = runner.invoke(app, ["generate", str(EXAMPLE_LIST), "-o", str(tmp_path / "o"),
                                 "--year", "2026", "--carry-over", str(tmp_path / "无")])
    assert result.exit_code == 2 and "--carry-over" in result.output
    assert not (tmp_path / "o").exists()
