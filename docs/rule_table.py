"""Rewrite the rule table of docs/使用说明.md from the bundled rules (run after adding a rule):

    python docs/rule_table.py

tests/test_guide.py fails while the table in the guide differs from what this writes.
"""
from __future__ import annotations

import re
import string
import sys
from pathlib import Path

GUIDE = Path(__file__).resolve().parent / "使用说明.md"
START, END = "<!-- 规则表开始：由 docs/rule_table.py 生成，请勿手改 -->", "<!-- 规则表结束 -->"
FAMILIES = {"XT0": "文件和表格结构", "XT1": "是否填全", "XT2": "资金支出计划", "XT3": "预算数",
            "XT4": "指标层级", "XT5": "指标值、符号和计量单位", "XT6": "重复和整批",
            "XT7": "部门整体绩效目标", "XT8": "审核建议"}


def _readable(message: str) -> str:
    """A message template as people read it: placeholders become 〔…〕, {cell} 〔单元格〕."""
    out = []
    for text, name, _, _ in string.Formatter().parse(message):
        out.append(text.replace("|", "｜"))
        if name is not None:
            out.append("〔单元格〕" if name == "cell" else "〔工作表〕" if name == "sheet" else "〔…〕")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def table(rules) -> str:
    lines, family = [], None
    for rule in sorted(rules.rules, key=lambda r: r.code):
        if rule.code[:3] != family:
            family = rule.code[:3]
            if lines:
                lines.append("")
            lines += [f"**{family}xx {FAMILIES.get(family, '其他')}**", "",
                      "| 代码 | 级别 | 规则 | 提示（〔…〕处为实际内容） |", "|---|---|---|---|"]
        level = "错误" if rule.severity == "error" else "警告"
        lines.append(f"| {rule.code} | {level} | {rule.title} | {_readable(rule.message)} |")
    return "\n".join(lines)


def section(rules) -> str:
    return f"{START}\n{table(rules)}\n{END}"


def current_section(text: str) -> str:
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end]


def main() -> int:
    sys.path.insert(0, str(GUIDE.parent.parent))
    from xltool.check.rules import load_rules
    text = GUIDE.read_text("utf-8")
    GUIDE.write_text(text.replace(current_section(text), section(load_rules())), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
