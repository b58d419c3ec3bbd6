"""Build the example returns from the generated workbooks (run from the repository root):

    python examples/make_returns.py

- returns/484001_…_已填.xlsx: the seed (seed_2025_484001.yaml) filled in as the township did in
  2025: Part 1 部门整体绩效目标 (six areas, 62 indicators) and the five projects; it must pass the
  checker with no errors, with exactly the review suggestions listed in
  returns/预期审核建议_484001_已填.yaml.
- returns/489001_…_有错误.xlsx: a return with the typical mistakes listed in
  returns/489001_有错误_预期问题.yaml, each with the issue the checker must report.
- returns/489002_…_规范示例.xlsx: well-written targets (amounts for costs, counts for
  quantities, times or on-time rates for timeliness, standard bases, goals whose numbers are
  indicators); it must pass with no issue at all, review suggestions (XT8xx) included.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import math  # noqa: E402

from xltool.template.fill import dept_row, fill_workbook, seed_row  # noqa: E402
from xltool.template.spec import load_spec  # noqa: E402

GENERATED = ROOT / "examples" / "generated"
RETURNS = ROOT / "examples" / "returns"
STEM = "_2025年预算项目绩效目标表"


def _lines(text: str, width: float) -> int:
    """Lines `text` takes wrapped in `width` column units (a CJK character of 10 pt 宋体 takes
    about 1.75 units as LibreOffice and Excel render it)."""
    def units(part: str) -> float:
        return sum(1.75 if ord(ch) > 0x2E80 else 1 for ch in part)
    return sum(max(1, math.ceil(units(part) / max(width - 1, 1))) for part in text.split("\n"))


def dept_data(seed: dict, units: list[str]) -> dict:
    """The 部门整体绩效目标 sheet filled from the seed's Part 1, rows widened for long text as a
    person filling it in would (Excel does not grow merged cells by itself)."""
    d = load_spec().dept
    widths = d.column_widths
    full = sum(widths.values())
    goal_width = full - widths[d.areas.first_col]
    tier3_width = widths["D"]
    areas = [[a["name"], a["goal"]] for a in seed["areas"]]
    rows = [dept_row(a["name"], r, units) for a in seed["areas"] for r in a["indicators"]]
    heights = {d.fields["goal"].range.row1 + 1: 14 * _lines(seed["goal"], full) + 6,
               d.fields["measures"].range.row1 + 1: 14 * _lines(seed["measures"], full) + 6}
    for i, (_, text) in enumerate(areas):
        heights[d.areas.first_row + i] = max(d.areas.row_height or 15,
                                             14 * _lines(text, goal_width) + 6)
    for i, row in enumerate(rows):
        heights[d.indicators.first_row + i] = max(15, 14 * _lines(row[3], tier3_width) + 4)
    return {"fields": {"goal": seed["goal"], "measures": seed["measures"]}, "areas": areas,
            "indicators": rows, "row_heights": heights}


def seed_return() -> Path:
    seed = yaml.safe_load((ROOT / "examples" / "seed_2025_484001.yaml").read_text("utf-8"))
    units = load_spec().lists.units
    projects = {}
    for i, p in enumerate(seed["projects"], start=1):
        sheet = f"{i}.{p['name']}"
        projects[sheet] = {"plan": p["plan"], "fields": {"goal": p["goal"]},
                           "indicators": [seed_row(r, units) for r in p["indicators"]]}
    dest = RETURNS / f"484001_玉田县林西镇人民政府本级{STEM}_已填.xlsx"
    fill_workbook(GENERATED / f"484001_玉田县林西镇人民政府本级{STEM}.xlsx", dest,
                  cover={"contact": "林西镇财政所", "phone": "0315-0000000"}, projects=projects,
                  dept=dept_data(seed["dept"], units))
    return dest


def broken_return() -> Path:
    p1 = {
        "plan": [30, 20, 80, 90],                       # goes down at 6月底; 12月底 not 100
        "fields": {"goal": None},                       # 绩效目标 left empty
        "indicators": [
            ["产出指标", "数量指标", "清运垃圾量", "全年清运生活垃圾", "≥", 1200, "吨", "计划标准"],
            ["产出指标", "社会效益指标", "保洁覆盖率", "保洁覆盖村庄比例", "≥", 95, "百分比",
             "计划标准"],                               # 二级 not under 产出指标
            ["产出指标", "质量指标", "垃圾无害化处理率", "无害化处理比例", "≥", "九十五", "百分比",
             "行业标准"],                               # value in words
            ["产出指标", "时效指标", "及时清运率", "24小时内清运比例", "≥", 120, "百分比",
             "计划标准"],                               # a percentage over 100
            ["产出指标", "成本指标", "保洁员人均成本", "每人每次成本", "≤", 150, "人/次",
             "预算支出标准"],                            # unit typed by hand
            ["效益指标", "社会效益指标", None, "村容村貌改善", "定性", "优", None,
             "其他标准"],                               # 三级指标 missing
            ["效益指标", "生态效益指标", "保洁覆盖率", "覆盖率", "≥", 90, "%", "历史标准"],
                                                        # same 三级 as row 2
            ["满意度指标", "服务对象满意度指标", "村民满意度", "抽样调查", "≥", 80, "百分比",
             "历史标准"],                               # satisfaction below 90%
        ],
    }
    p2 = {
        "plan": ["25%", "50", 0.75, "一百"],             # 12月底 in words
        "fields": {"goal": "1.保障基层党组织活动正常开展"},
        "cells": {"C4": 50000},                         # pre-filled budget changed
        "indicators": [
            ["产出", "数量指标", "开展活动次数", "全年组织活动", "≥", 12, "次", "计划标准"],
                                                        # 一级 typed by hand
            ["产出指标", "质量指标", "活动质量", "活动评价", "定性", "好", None, "其他标准"],
                                                        # qualitative value not in list
            ["效益指标", "社会效益指标", "党员参与率", "参与比例", "≤", "≥95%", "百分比",
             "历史标准"],                               # operator contradicts the value
        ],                                              # and no 满意度指标 at all
    }
    dept = {
        "fields": {"goal": "做好各项工作，保障正常运转。",         # 总体绩效目标 too short
                   "measures": None},                          # 工作保障措施 left empty
        "areas": [["党政综合", "保障机关正常运转，做好党建、纪检、宣传等工作。"],
                  ["经济发展", None],                           # area without its goal
                  ["党政综合", "做好党建工作。"],                # area name twice
                  ["社会事务", "做好民政、社会保障工作。"]],      # area without any indicator
        "indicators": [
            ["党政综合", "产出指标", "数量指标", "机关运转保障率", "≥", 90, "百分比", None],
            ["党政综合", "产出指标", "数量指标", "机关运转保障率", "≥", 90, "百分比", None],
                                                        # the same row twice (warning)
            ["经济发展", "产出指标", "数量指标", "农业项目完成率", "≥", 120, "百分比", None],
                                                        # a percentage over 100
            ["经济发展", "效益指标", "社会效益指标", "农业产业发展", "定性", "很好", None, None],
                                                        # qualitative value not in the list
            ["经济建设", "产出指标", "质量指标", "工业项目验收合格率", "≥", 95, "百分比", None],
                                                        # 所属分项 not an area above
            ["党政综合", "产出指标", None, "档案管理规范率", "≥", 95, "百分比", None],
                                                        # 二级指标 missing
            ["党政综合", "满意度指标", "服务对象满意度指标", "群众满意度", "≥", 80, "百分比",
             None],                                     # satisfaction below 90% (warning)
        ],
    }
    dest = RETURNS / f"489001_示例县东河镇人民政府本级{STEM}_有错误.xlsx"
    fill_workbook(GENERATED / f"489001_示例县东河镇人民政府本级{STEM}.xlsx", dest,
                  cover={"phone": "0315-1111111"},       # contact (联系人) left empty
                  projects={"1.农村人居环境整治": p1, "2.基层党组织活动经费": p2}, dept=dept)
    return dest


GOOD_PROJECTS = [
    {"code": "13992925P00XLX200001C", "name": "农村生活垃圾清运", "budget": 120000,
     "purpose": "全乡12个村生活垃圾收集、清运及保洁员补助",
     "goal": "全年清运12个村的生活垃圾不少于1500吨，垃圾日产日清；村庄保洁覆盖率达到100%，"
             "村民满意度达到90%以上。",
     "indicators": [
         ["产出指标", "数量指标", "清运生活垃圾量", "全年清运并转运至县处理场的生活垃圾总量，以过磅单为准",
          "≥", 1500, "吨", "计划标准"],
         ["产出指标", "数量指标", "保洁覆盖村数", "配备保洁员并开展日常保洁的行政村个数",
          "=", 12, "村", "计划标准"],
         ["产出指标", "质量指标", "村庄保洁覆盖率", "开展日常保洁的村占全乡行政村的比例",
          "=", 100, "百分比", "计划标准"],
         ["产出指标", "时效指标", "垃圾清运时限", "垃圾从收集点产生到清运完毕的最长时间",
          "≤", 24, "小时", "行业标准"],
         ["产出指标", "成本指标", "垃圾清运及保洁成本", "全年垃圾清运费和保洁员补助合计",
          "≤", 120000, "元", "预算支出标准"],
         ["效益指标", "生态效益指标", "生活垃圾无害化处理率", "进入县处理场无害化处理的垃圾占清运总量的比例",
          "≥", 95, "百分比", "行业标准"],
         ["效益指标", "社会效益指标", "群众反映垃圾问题次数", "全年12345热线及乡政府接到的垃圾问题投诉次数",
          "≤", 5, "次", "历史标准"],
         ["满意度指标", "服务对象满意度指标", "村民满意度", "每村随机抽取不少于10户村民问卷调查的满意比例",
          "≥", 90, "百分比", "其他标准"],
     ]},
    {"code": "13992925P00XLX200002D", "name": "基层党组织活动经费", "budget": 36000,
     "purpose": "各村党支部开展主题党日活动和党员培训",
     "goal": "组织全乡12个村党支部全年开展主题党日活动不少于144次，培训党员不少于300人次，"
             "党员满意度达到95%以上。",
     "indicators": [
         ["产出指标", "数量指标", "主题党日活动次数", "各村党支部全年开展主题党日活动次数合计，以活动记录为准",
          "≥", 144, "次", "计划标准"],
         ["产出指标", "数量指标", "党员培训人次", "全年参加乡党委集中培训的党员人次",
          "≥", 300, "人次", "计划标准"],
         ["产出指标", "数量指标", "覆盖村党支部数", "开展主题党日活动的村党支部个数",
          "=", 12, "个", "计划标准"],
         ["产出指标", "质量指标", "党员参训率", "参加集中培训的党员占全乡党员的比例",
          "≥", 90, "百分比", "历史标准"],
         ["产出指标", "时效指标", "活动经费拨付及时率", "活动开展后30天内拨付经费的笔数占全部笔数的比例",
          "≥", 98, "百分比", "计划标准"],
         ["产出指标", "成本指标", "每次活动经费标准", "每个村党支部每次主题党日活动的经费上限",
          "≤", 250, "元", "预算支出标准"],
         ["效益指标", "社会效益指标", "基层党组织考核达标村数", "年度党建考核达到“好”等次的村个数",
          "≥", 10, "个", "历史标准"],
         ["满意度指标", "服务对象满意度指标", "党员满意度", "年底向参加活动的党员发放问卷的满意比例",
          "≥", 95, "百分比", "其他标准"],
     ]},
    {"code": "13992925P00XLX200003E", "name": "乡镇人大工作站", "budget": 20000,
     "purpose": "保障乡人大工作站运转和代表活动",
     "goal": "保障乡人大工作站全年正常运转，组织人大代表视察调研4次、召开代表座谈会2次，"
             "代表建议按期答复率达到100%。",
     "indicators": [
         ["产出指标", "数量指标", "代表视察调研次数", "组织乡人大代表集中视察、调研的次数",
          "≥", 4, "次", "计划标准"],
         ["产出指标", "数量指标", "代表座谈会次数", "召开人大代表座谈会的次数，以会议记录为准",
          "≥", 2, "次", "计划标准"],
         ["产出指标", "质量指标", "是否发生违反财经纪律问题", "审计、巡察中发现的工作站经费使用问题",
          "定性", "否", None, "其他标准"],
         ["产出指标", "时效指标", "代表建议按期答复率", "在规定期限内答复的代表建议占全部建议的比例",
          "=", 100, "百分比", "行业标准"],
         ["产出指标", "成本指标", "工作站运转经费", "全年工作站办公、活动及代表培训经费合计",
          "≤", 20000, "元", "预算支出标准"],
         ["效益指标", "社会效益指标", "代表参加活动人次", "人大代表参加视察、调研、座谈的人次合计",
          "≥", 60, "人次", "历史标准"],
         ["满意度指标", "服务对象满意度指标", "人大代表满意度", "年底向全体代表发放问卷的满意比例",
          "≥", 90, "百分比", "其他标准"],
     ]},
]


GOOD_DEPT = {
    "fields": {
        "goal": "2025年西岭乡政府围绕乡村振兴，做好党建、人居环境和社会事务工作：全乡12个村生活垃圾"
                "日产日清，村党支部全年开展主题党日活动144次，群众满意度达到90%以上。",
        "measures": "成立由乡党委书记任组长的领导小组，按月调度重点工作；严格执行财务制度，资金专款专用；"
                    "年底组织绩效自评并公开结果。"},
    "areas": [["党政综合", "加强基层党组织建设，保障机关正常运转。"],
              ["社会事务", "做好民政救助和农村人居环境整治。"]],
    "indicators": [
        ["党政综合", "产出指标", "数量指标", "主题党日活动次数", "≥", 144, "次", "计划标准"],
        ["党政综合", "产出指标", "质量指标", "党员参训率", "≥", 90, "百分比", "历史标准"],
        ["党政综合", "效益指标", "社会效益指标", "党建考核达标村数", "≥", 10, "个", "历史标准"],
        ["社会事务", "产出指标", "数量指标", "保洁覆盖村数", "=", 12, "村", "计划标准"],
        ["社会事务", "产出指标", "时效指标", "救助资金发放时限", "≤", 15, "天", "行业标准"],
        ["社会事务", "效益指标", "社会效益指标", "群众反映垃圾问题次数", "≤", 5, "次", "历史标准"],
        ["社会事务", "满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "百分比", "其他标准"],
    ],
}


def good_return() -> Path:
    projects = {}
    for i, p in enumerate(GOOD_PROJECTS, start=1):
        projects[f"项目{i}"] = {
            "plan": [20, 50, 80, 100],
            "fields": {"project_code": p["code"], "project_name": p["name"],
                       "budget_total": p["budget"], "budget_fiscal": p["budget"],
                       "purpose": p["purpose"], "goal": p["goal"]},
            "indicators": p["indicators"]}
    dest = RETURNS / f"489002_示例县西岭乡人民政府本级{STEM}_规范示例.xlsx"
    fill_workbook(GENERATED / f"489002_示例县西岭乡人民政府本级{STEM}.xlsx", dest,
                  cover={"contact": "王芳", "phone": "0315-2222222"}, projects=projects,
                  dept=GOOD_DEPT)
    return dest


if __name__ == "__main__":
    RETURNS.mkdir(exist_ok=True)
    for path in (seed_return(), broken_return(), good_return()):
        print(path.relative_to(ROOT))
