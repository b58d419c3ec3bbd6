"""The user guide (docs/使用说明.md) and the Markdown tables people read."""
from __future__ import annotations

import re
import runpy

import pytest
from support import REPO

from xltool.check.rules import load_rules

GUIDE = REPO / "docs" / "使用说明.md"
rule_table = runpy.run_path(str(REPO / "docs" / "rule_table.py"))


def test_guide_lists_every_rule_code_as_the_rules_say():
    text = GUIDE.read_text("utf-8")
    rules = load_rules()
    assert rule_table["current_section"](text) == rule_table["section"](rules), \
        "the rule table in docs/使用说明.md is stale: run `python docs/rule_table.py`"
    for rule in rules.rules:
        assert re.search(rf"^\| {rule.code} \| (错误|警告) \| {re.escape(rule.title)} \|", text,
                         re.M), rule.code


def test_guide_pictures_exist_and_commands_are_real():
    text = GUIDE.read_text("utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 6
    for picture in pictures:
        path = GUIDE.parent / picture
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
    for option in ("--list-template", "--units", "--pdf", "--settings", "--year"):
        assert option in text


@pytest.mark.parametrize("doc", ["README.md", "examples/README.md", "docs/使用说明.md"])
def test_markdown_tables_render(doc):
    """Every table: a header row, then a separator row, then rows of as many cells; no blank
    line inside a table (it would split it and show the rest as plain text)."""
    lines = (REPO / doc).read_text("utf-8").splitlines()
    in_code = False
    groups: list[list[str]] = []
    previous_table_line = False
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("|"):
            if groups and groups[-1] and previous_table_line:
                groups[-1].append(line)
            else:
                groups.append([line])
            previous_table_line = True
        else:
            previous_table_line = False
    assert groups
    for rows in groups:
        assert len(rows) >= 3, rows[0]
        assert re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", rows[1]), rows[:2]
        cells = [len(re.findall(r"(?<!\\)\|", row)) for row in rows]
        assert len(set(cells)) == 1, rows

