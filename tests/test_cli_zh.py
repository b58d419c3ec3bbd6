"""The command line speaks Chinese: help pages, usage errors, --version, narrow terminals."""
from __future__ import annotations

import re

import openpyxl
import pytest
from support import EXAMPLE_LIST
from typer.testing import CliRunner

from xltool import __version__
from xltool.cli import app
from xltool.cli_zh import width, wrap

runner = CliRunner()
NARROW = {"COLUMNS": "80"}
# English a user could meet in typer's or click's own frame
ENGLISH = re.compile(r"Usage|Options|Arguments|Commands|Show this|Error|Missing|Invalid|"
                     r"No such|Try |required|default|Possible|Got unexpected|integer|"
                     r"argument|\[OPTIONS\]|<path>|<int|list\[")
COMMANDS = [name for name in ("generate", "check", "rules", "export", "serve")
            if name in {c.name for c in app.registered_commands}]


def run(*args: str):
    return runner.invoke(app, list(args), env=NARROW)


@pytest.mark.parametrize("args", [["--help"], ["-h"]] + [[c, "--help"] for c in COMMANDS])
def test_help_pages_are_chinese_and_fit_80_columns(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法：xltool")
    assert not ENGLISH.search(result.output), result.output
    assert "显示本帮助并退出。" in result.output
    assert all(width(line) <= 80 for line in result.output.splitlines()), result.output


def test_every_option_has_chinese_help():
    from typer.main import get_command
    group = get_command(app)
    for name, command in group.commands.items():
        assert re.search(r"[\u4e00-\u9fff]", command.help or ""), name
        for param in command.params:
            assert re.search(r"[\u4e00-\u9fff]", param.help or ""), (name, param.name)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"xltool {__version__}"


@pytest.mark.parametrize("args, expected", [
    (["check"], "缺少参数“文件或文件夹...”"),
    (["check", "收回", "--jobs", "abc"], "选项 --jobs 的值不对，这里应填整数，例如：--jobs 2。"),
    (["generate", "名单.csv", "-o", "下发", "--year", "二〇二五"], "例如：--year 2025。"),
    (["check", "收回", "--bogus"], "没有选项 --bogus。"),
    (["check", "收回", "-o"], "选项 -o 后面要写上一个值，例如：--out 审核报告。"),
    (["chekc"], "没有“chekc”这个命令。可用的命令：generate、check、rules"),
])
def test_usage_errors_are_chinese_sentences_saying_what_to_type(args, expected):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output and not ENGLISH.search(result.output), result.output
    assert re.search(r"用法：xltool \S+", result.output)
    assert "--help”查看帮助。" in result.output


def test_generate_without_output_folder_says_what_to_add():
    result = run("generate", "名单.csv", "--year", "2025")
    assert result.exit_code == 2
    assert "请用 -o 指定输出文件夹，例如：xltool generate 名单.xlsx -o 下发 --year 2025。" \
        in result.output


def test_a_missing_argument_gets_an_example_command():
    result = run("check")
    assert "例如：xltool check 收回/。" in result.output


@pytest.mark.parametrize("text, columns, lines", [
    ("请运行 xltool check 收回/ --units 下发/xltool-manifest.json 查看。", 30,
     ["请运行 xltool check 收回/", "--units", "下发/xltool-manifest.json 查", "看。"]),
    ("满意度目标为 80%，低于 90%，请确认。", 16, ["满意度目标为", "80%，低于 90%，", "请确认。"]),
    ("（必填）一二三", 6, ["（必", "填）一", "二三"]),
])
def test_wrap_never_breaks_ascii_words_and_keeps_punctuation(text, columns, lines):
    assert wrap(text, columns) == lines


def test_check_report_lines_fit_80_columns_and_keep_file_names_whole(tmp_path):
    result = run("check", "examples/returns", "--units", "examples/generated/xltool-manifest.json")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    name = "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
    assert any(line.strip() == name for line in lines)
    assert all(width(line) <= 80 for line in lines if name not in line), result.output


def test_quiet_lists_each_file_but_not_every_issue():
    """In a batch the issues are in 汇总 and the annotated copies; -q keeps the terminal to one
    line per file (thousands of issue lines took longer to print than the check)."""
    full = run("check", "examples/returns")
    quiet = run("check", "examples/returns", "-q")
    assert full.exit_code == quiet.exit_code == 1
    assert "XT302" in full.output and "XT302" not in quiet.output
    assert "有错误" in quiet.output and "需要退回修改" in quiet.output
    assert len(quiet.output.splitlines()) < len(full.output.splitlines()) / 3


def test_generate_lists_whole_file_names(tmp_path):
    result = run("generate", str(EXAMPLE_LIST), "-o", str(tmp_path), "--year", "2025")
    assert result.exit_code == 0, result.output
    for path in tmp_path.glob("*.xlsx"):
        assert any(line.strip() == path.name for line in result.output.splitlines())


def test_empty_folder_lists_every_unit_as_not_sent_and_writes_the_reports(tmp_path):
    returns = tmp_path / "收回"
    returns.mkdir()
    result = run("check", str(returns), "--units", "examples/generated/xltool-manifest.json",
                 "-o", str(tmp_path / "审核报告"))
    assert result.exit_code == 0, result.output
    assert "没有收到任何报回的表格。" in result.output
    assert "未报送的单位（3 个）" in result.output
    ws = openpyxl.load_workbook(tmp_path / "审核报告" / "汇总.xlsx").worksheets[0]
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    statuses = [r for r in rows if r and any(v == "未报送" for v in r)]
    assert {str(r[1]) for r in statuses} >= {"484001", "489001", "489002"} or len(statuses) == 3
    assert (tmp_path / "审核报告" / "审核结果.json").is_file()


def test_empty_folder_without_a_list_says_what_to_add(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert "没有找到要审核的表格文件" in result.output and "--units" in result.output
