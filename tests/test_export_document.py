"""The published document: the seed's text reproduced from the seed return, and its layout."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from support import REPO
from typer.testing import CliRunner

from xltool.cli import app
from xltool.export.document import text_in_reading_order

runner = CliRunner()
RETURNS = REPO / "examples" / "returns"
SEED_RETURN = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN_RETURN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
SEED_NAME = "000_f25de82381349b1b.txt"
SEED_AREA_GOAL = yaml.safe_load((REPO / "examples" / "seed_2025_484001.yaml").read_text(
    "utf-8"))["dept"]["areas"][0]["goal"]


def seed_text() -> str:
    """The published 2025 document of 林西镇: ../shared/seeds/ beside the repository root (as
    in CI; a checkout in a nested folder looks further up)."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "seeds" / SEED_NAME
        if candidate.is_file():
            return candidate.read_text("utf-8")
    raise AssertionError(f"seed document {SEED_NAME} not found in ../shared/seeds/")


# Two places where the published text breaks its own pattern "…：优" with "；优" (a typing
# slip in the county's document); the return holds the value 优, and the document prints it the
# regular way. These are the only differences allowed besides whitespace.
SEED_SLIPS = {"保障农业顺利开展；优": "保障农业顺利开展：优",
              "国有资产做好管理工作；优": "国有资产做好管理工作：优"}


def normalised(text: str) -> str:
    """Whitespace removed; the seed's extraction marks bookmarks as [bookmark: …]."""
    return re.sub(r"\s+", "", re.sub(r"\[bookmark: [^\]]*\]", "", text))


def seed_expected() -> str:
    text = seed_text()
    for slip, regular in SEED_SLIPS.items():
        assert text.count(slip) == 1, slip
        text = text.replace(slip, regular)
    return normalised(text)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("收回")
    shutil.copy(SEED_RETURN, folder)
    out = tmp_path_factory.mktemp("汇编")
    result = runner.invoke(app, ["export", str(folder), "-o", str(out), "--docx", "--pdf", "-q"])
    assert result.exit_code == 0, result.output
    return out


def document_of(out: Path) -> Path:
    (doc,) = (out / "绩效目标文档").glob("*.docx")
    return doc


def test_golden_document_reproduces_the_seed(exported):
    """Part 1 and Part 2, every word and number, in the seed's reading order."""
    doc = document_of(exported)
    assert doc.name == "484001_玉田县林西镇人民政府本级_2025年绩效目标.docx"
    assert normalised(text_in_reading_order(doc)) == seed_expected()


def test_golden_part2_alone(exported):
    seed = seed_text()
    got = normalised(text_in_reading_order(document_of(exported)))
    assert got[got.index("第二部分"):] == normalised(seed[seed.index("第二部分"):])


def test_values_printed_as_the_seed_prints_them(exported):
    lines = text_in_reading_order(document_of(exported)).splitlines()
    for text in ("1.党政综合，绩效目标：" + SEED_AREA_GOAL, "分项绩效目标：",
                 "1.安保、环保、安全生产、应急、食药监管绩效目标表", "484001玉田县林西镇人民政府本级",
                 "单位：元", "20000.00", "81000.00", "25%", "100%", "≥95百分比", "≥100百分比",
                 "≥2次", "13022925P00JXC419936N"):
        assert text in lines, text


def test_headings_tables_and_page(exported):
    doc = Document(str(document_of(exported)))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert [t for s, t in headings if s == "Heading 1"] == ["第一部分\n部门整体绩效目标",
                                                            "第二部分\n预算项目绩效目标"]
    assert [t for s, t in headings if s == "Heading 2"][:3] == [
        "一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]
    assert [t for s, t in headings if s == "Heading 2"][3:] == [
        "1.安保、环保、安全生产、应急、食药监管绩效目标表", "2.残疾人保障金绩效目标表",
        "3.河渠清理及河长制绩效目标表", "4.人武、党团妇建设、纪检、宣传经费绩效目标表",
        "5.乡镇人大工作站绩效目标表"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    indicator_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "一级指标"]
    assert len(indicator_tables) == 5
    for t in indicator_tables:
        header = t.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) == "true"
        assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None
                   for r in t.rows[1:])
    assert Mm(150) < sum((c.width for c in indicator_tables[0].columns), Mm(0)) <= Mm(161)


def test_pdf_is_a4_with_embedded_cjk_fonts(exported):
    (pdf,) = (exported / "绩效目标文档").glob("*.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "预算项目绩效目标" in text and "13022925P00JXC419936N" in text


def test_returns_with_errors_are_marked_in_the_document(tmp_path):
    folder = tmp_path / "收回"
    folder.mkdir()
    shutil.copy(BROKEN_RETURN, folder)
    out = tmp_path / "汇编"
    result = runner.invoke(app, ["export", str(folder), "-o", str(out), "--docx",
                                 "--include-errors", "-q"])
    assert result.exit_code == 0, result.output
    text = text_in_reading_order(document_of(out))
    assert re.match(r"注意：本单位报表审核有 \d+ 个错误", text.splitlines()[0])
    assert "1.农村人居环境整治绩效目标表" in text and "150000.00" in text and "30000.00" in text


def test_pdf_without_libreoffice_is_a_clear_message(tmp_path):
    folder = tmp_path / "收回"
    folder.mkdir()
    shutil.copy(SEED_RETURN, folder)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    done = subprocess.run([str(bin_dir / "python"), "-m", "xltool.cli", "export", str(folder),
                           "-o", str(tmp_path / "汇编"), "--pdf", "-q", "--jobs", "1"],
                          capture_output=True, text=True, cwd=REPO,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "没有找到 LibreOffice" in done.stderr and "Traceback" not in done.stderr
    assert len(list((tmp_path / "汇编" / "绩效目标文档").glob("*.docx"))) == 1
    assert not list((tmp_path / "汇编" / "绩效目标文档").glob("*.pdf"))


def toc_fields(doc) -> list[str]:
    return [t.text.strip() for t in doc.element.body.iter(qn("w:instrText"))
            if t.text.strip().startswith("TOC")]


def test_table_of_contents_only_when_asked(exported, tmp_path):
    """The published layout has no table of contents; --toc adds a Word TOC field (levels 1–2,
    the parts and the projects) on a first page of its own, updated when Word opens it."""
    plain = Document(str(document_of(exported)))
    assert toc_fields(plain) == []
    assert plain.settings.element.find(qn("w:updateFields")) is None
    folder = tmp_path / "收回"
    folder.mkdir()
    shutil.copy(SEED_RETURN, folder)
    out = tmp_path / "汇编"
    result = runner.invoke(app, ["export", str(folder), "-o", str(out), "--toc", "--pdf", "-q"])
    assert result.exit_code == 0, result.output
    doc = Document(str(document_of(out)))       # --toc makes the documents
    assert toc_fields(doc) == ['TOC \\o "1-2" \\h \\z \\u']
    assert [p.text for p in doc.paragraphs[:1]] == ["目  录"]
    begin = next(doc.element.body.iter(qn("w:fldChar")))
    assert begin.get(qn("w:fldCharType")) == "begin" and begin.get(qn("w:dirty")) == "true"
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"
    following = update.getnext()          # the settings schema's order: before w:compat
    assert following is not None and following.tag == qn("w:compat")
    part1 = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    assert part1.text.startswith("第一部分") and part1.paragraph_format.page_break_before
    lines = text_in_reading_order(document_of(out)).splitlines()
    body = "\n".join(lines[lines.index(next(t for t in lines if t.startswith("第一部分"))):])
    assert normalised(body) == seed_expected()   # the rest is the published text
    # LibreOffice cannot fill the field: the PDF has no TOC page, and bookmarks instead
    (pdf,) = (out / "绩效目标文档").glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "更新域" not in text and "目  录" not in text and text.lstrip().startswith("第一部分")
    assert b"/Outlines" in pdf.read_bytes()
    assert not [p for p in (out / "绩效目标文档").iterdir() if p.name.startswith(".")]
