"""What a good performance target looks like: judgements on one indicator or one goal text.

Pure functions on an indicator's Reading (see indicators.interpret) and on plain text, shared
by the review checks of the project sheets and of Part 1. They follow 财预〔2021〕101号 and the
budget systems' indicator-library rules: costs are amounts, quantities count things, timeliness
is a time or a rate of being on time, satisfaction is a percentage, yes/no questions are
answered 是/否, and the basis is one of the five standard bases.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ...values import PERCENT_UNIT, clean_text
from .indicators import Reading

AMOUNT_UNITS = {"元": Decimal(1), "万元": Decimal(10000)}
TIME_UNITS = ("天", "月", "年", "小时", "日", "周", "工作日", "分钟")
NOT_COUNTS = (PERCENT_UNIT, "元", "万元", "分")   # score points are not counts either
YES_NO = ("是", "否")
ON_TIME_WORDS = ("及时", "按时", "准时", "按期", "如期", "限时", "时限", "时效")
QUESTION = re.compile(r"是否|有无|有没有")

# nearest standard basis: keywords, checked in order
_BASIS_HINTS = (
    ("历史标准", ("历史", "往年", "上年", "以前年度", "去年", "近三年", "近年")),
    ("行业标准", ("行业", "国家", "国标", "省", "规范", "技术标准", "文件")),
    ("预算支出标准", ("预算", "定额", "支出标准", "成本", "资金", "经费")),
    ("计划标准", ("计划", "规划", "方案", "任务", "目标", "实际", "需求", "测算", "安排")),
)


def is_amount(r: Reading) -> bool:
    return r.number is not None and r.unit in AMOUNT_UNITS


def amount_in_yuan(r: Reading) -> Decimal | None:
    return r.number * AMOUNT_UNITS[r.unit] if is_amount(r) else None


def is_count(r: Reading) -> bool:
    """A quantitative value in a unit that counts things (次, 个, 人, 亩, 吨, …)."""
    return r.number is not None and r.unit is not None and r.unit not in NOT_COUNTS \
        and not r.qualitative


def is_percent(r: Reading) -> bool:
    return r.number is not None and r.unit == PERCENT_UNIT


def is_question(text: str) -> bool:
    """A 三级指标 phrased as a yes/no question (是否发生安全事故, 有无违规)."""
    return bool(QUESTION.search(clean_text(text)))


def is_on_time_rate(r: Reading, *texts: str) -> bool:
    """A percentage of things done on time: the name says 及时/按时… and 率."""
    names = "".join(clean_text(t) for t in texts)
    return is_percent(r) and "率" in names and any(w in names for w in ON_TIME_WORDS)


def is_time(r: Reading) -> bool:
    return r.number is not None and r.unit in TIME_UNITS


def is_yes_no(r: Reading) -> bool:
    return r.qualitative and r.word in YES_NO


def target_text(r: Reading) -> str:
    """How a target reads: ≥95百分比, ≤20000元, 定性 优."""
    if r.number is None:
        return f"{r.operator or ''}{r.word or ''}"
    number = format(r.number, "f")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return f"{r.operator or ''}{number}{'%' if r.unit == PERCENT_UNIT else r.unit or ''}"


def nearest_basis(text: str, bases: list[str], cost: bool = False) -> str:
    """The standard basis closest to what was written (for the suggestion in a message)."""
    text = clean_text(text)
    for basis in bases:
        if basis in text or (len(text) >= 2 and text in basis):
            return basis
    if cost and "预算支出标准" in bases:
        return "预算支出标准"
    for basis, words in _BASIS_HINTS:
        if basis in bases and any(w in text for w in words):
            return basis
    return "其他标准" if "其他标准" in bases else bases[-1]


# ---- numbers named in a goal text ----
_GOAL_UNITS = ("平方公里", "平方米", "万人次", "人次", "万元", "千米", "公里", "百分点", "工作日",
               "小时", "%", "个", "次", "人", "户", "元", "天", "日", "月", "年", "项", "件", "亩",
               "吨", "台", "套", "场", "期", "所", "村", "家", "座", "处", "条", "名", "批", "篇",
               "册", "份", "辆", "间", "米", "公顷", "株", "棵", "盏", "块", "口", "眼", "万")
_GOAL_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(_GOAL_UNITS) + ")")
_ENUMERATION = re.compile(r"(^|[；;。：:!！?？\s])[(（]?\d{1,2}[.．、)）]")   # 1. 2、 (3)
_DATE_AFTER_MONTH = ("底", "末", "初", "份", "前", "中", "上旬", "中旬", "下旬", "起", "至", "到")


def goal_numbers(text: str) -> list[tuple[str, Decimal, str]]:
    """Quantities a goal text names: ("12个", 12, "个"), ("90%", 90, "%"). Enumerations (1.),
    years (2025年) and dates (3月底, 6月30日) are not quantities."""
    text = clean_text(text).replace("％", "%").replace(",", "")
    text = _ENUMERATION.sub(lambda m: m.group(1) + " ", text)
    found = []
    for m in _GOAL_NUMBER.finditer(text):
        number, unit = Decimal(m.group(1)), m.group(2)
        after = text[m.end():]
        before = text[:m.start()]
        if before and (before[-1].isdigit() or before[-1] == "."):
            continue
        if unit == "年" and (1900 <= number <= 2100 or after.startswith("度")):
            continue
        if unit == "月" and (number <= 12 and (after.startswith(_DATE_AFTER_MONTH)
                                               or re.match(r"\d", after))):
            continue
        if unit in ("日", "号") and re.search(r"月$", before):
            continue
        found.append((m.group(0).replace(" ", ""), number, unit))
    return found


def carries(r: Reading, number: Decimal, unit: str) -> bool:
    """Does the indicator carry this number of a goal (万元 in the goal may be 元 in it)?"""
    if r.number is None:
        return False
    if r.number == number:
        return True
    if unit == "万元" and r.unit == "元":
        return r.number == number * 10000
    if unit == "元" and r.unit == "万元":
        return r.number * 10000 == number
    return False
