"""`check -o DIR --pdf`: a printable 问题清单 per returned file with issues."""
from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

from xltool.cli import app

runner = CliRunner()
ARGS = ["check", "examples/returns", "--units", "examples/generated/xltool-manifest.json", "-q"]


def test_pdf_issue_list_for_each_file_with_issues(tmp_path):
    result = runner.invoke(app, [*ARGS, "-o", str(tmp_path), "--pdf", "--suggestion-copies"])
    assert result.exit_code == 1, result.output
    pdfs = sorted((tmp_path / "问题清单").glob("*.pdf"), key=lambda p: not p.name.startswith("489001"))
    # the seed has review suggestions (XT8xx) only: asked for, it gets its list too
    assert sorted(p.name for p in pdfs) == [
        "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填_问题清单.pdf",
        "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误_问题清单.pdf"]
    assert "PDF 问题清单 2 份" in result.output
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True,
                          text=True).stdout
    flat = text.replace(" ", "").replace("\n", "")
    report = json.loads((tmp_path / "审核结果.json").read_text("utf-8"))
    issues = next(f for f in report["files"] if "489001" in f["path"])["issues"]
    assert "489001示例县东河镇人民政府本级预算项目绩效目标表审核问题清单" in flat
    for issue in issues:   # every message, wrapped but whole
        assert issue["message"].replace(" ", "") in flat, issue["message"]
    info = subprocess.run(["pdfinfo", str(pdfs[0])], capture_output=True, text=True).stdout
    assert "(A4)" in info and "x 841.89 pts" in info   # A4 portrait


def test_without_libreoffice_a_chinese_message_and_the_other_reports(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = runner.invoke(app, [*ARGS, "-o", str(tmp_path / "out"), "--pdf"],
                           env={"PATH": str(empty)})
    assert result.exit_code == 1
    assert "没有找到 LibreOffice，无法生成 PDF 问题清单。请先安装 LibreOffice" in result.output
    assert (tmp_path / "out" / "汇总.xlsx").is_file()
    assert not list((tmp_path / "out").glob("问题清单/*.pdf"))


def test_pdf_needs_a_report_folder():
    result = runner.invoke(app, [*ARGS, "--pdf"])
    assert result.exit_code == 2 and "--pdf 要和 -o 一起使用" in result.output


def test_returns_with_suggestions_only_get_a_pdf_only_when_asked(tmp_path):
    """Like the annotated copies: what is sent back gets a list; suggestions are in 汇总."""
    result = runner.invoke(app, [*ARGS, "-o", str(tmp_path), "--pdf"])
    assert result.exit_code == 1, result.output
    assert [p.name for p in (tmp_path / "问题清单").glob("*.pdf")] == [
        "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误_问题清单.pdf"]
    said = result.output.replace("\n", "")
    assert "PDF 问题清单 1 份" in said
    assert "如需这些表格的标注副本和 PDF 问题清单，请加 --suggestion-copies" in said
