"""The intake website in a real browser (Debian's chromium driven by Playwright), against
`xltool serve` running on 127.0.0.1 and a free port: what a township and the county do."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
from playwright.sync_api import expect, sync_playwright
from web_support import (ADMIN_PASSWORD, BROKEN, CHROMIUM, CHROMIUM_ARGS, CLEAN, Server,
                         broken_linxi, new_round)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def server(tmp_path):
    s = Server(new_round(tmp_path))
    yield s
    s.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    yield context.new_page()
    context.close()


def log_in(page, server) -> None:
    page.goto(server.base + "/admin")
    page.get_by_label("管理密码").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="报送情况")).to_be_visible()


def drop_file(page, path) -> None:
    """Drop a file onto the upload area, as dragging it from the desktop does."""
    transfer = page.evaluate_handle(
        "([name, bytes]) => { const t = new DataTransfer();"
        " t.items.add(new File([new Uint8Array(bytes)], name)); return t; }",
        [path.name, list(path.read_bytes())])
    page.get_by_text("把文件拖到这里").dispatch_event("drop", {"dataTransfer": transfer})


def unit_row(page, name: str):
    return page.get_by_role("row").filter(has_text=name)


def test_township_fixes_its_return_and_the_county_sees_it_pass(page, server, tmp_path):
    broken = broken_linxi(tmp_path / "林西镇_报送.xlsx")
    page.goto(server.links()["484001"])
    expect(page.get_by_role("heading", name="玉田县林西镇人民政府本级")).to_be_visible()
    expect(page.get_by_text("2025年预算项目绩效目标表")).to_be_visible()
    with page.expect_download() as got:
        page.get_by_role("link", name="下载填报表").click()
    assert got.value.suggested_filename.startswith("484001_玉田县林西镇")

    page.get_by_label("选择文件").set_input_files(broken)
    expect(page.get_by_text("已选择：林西镇_报送.xlsx")).to_be_visible()
    page.get_by_role("button", name="正式报送").click()
    expect(page.get_by_role("heading", name="审核结果")).to_be_visible()
    expect(page.get_by_text("有错误").first).to_be_visible()
    problems = page.get_by_role("table")
    expect(problems.get_by_role("columnheader", name="单元格")).to_be_visible()
    row = problems.get_by_role("row").filter(has_text="12月底")
    expect(row.get_by_role("cell", name="E7", exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name="错误", exact=True)).to_be_visible()
    with page.expect_download() as got:
        page.get_by_role("link", name="下载标注副本").click()
    copy = tmp_path / got.value.suggested_filename
    got.value.save_as(copy)
    assert copy.name == "林西镇_报送_审核标注.xlsx"
    assert openpyxl.load_workbook(copy).sheetnames[0] == "问题清单"

    page.get_by_role("link", name="返回").click()
    drop_file(page, CLEAN)                               # dragged from the desktop this time
    expect(page.get_by_text(f"已选择：{CLEAN.name}")).to_be_visible()
    page.get_by_role("button", name="正式报送").click()
    expect(page.get_by_text("审核通过，没有发现问题。")).to_be_visible()
    page.get_by_role("link", name="返回").click()
    history = page.get_by_role("row").filter(has_text="正式报送")
    expect(history).to_have_count(2)

    log_in(page, server)
    expect(unit_row(page, "玉田县林西镇人民政府本级").get_by_text("通过")).to_be_visible()


def test_county_collects_by_zip_and_downloads_the_summary(page, server, tmp_path):
    log_in(page, server)
    for name in ("玉田县林西镇人民政府本级", "示例县东河镇人民政府本级", "示例县西岭乡人民政府本级"):
        expect(unit_row(page, name).get_by_text("未报送")).to_be_visible()
    archive = tmp_path / "邮件附件.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(CLEAN, CLEAN.name)
        zf.write(BROKEN, BROKEN.name)

    page.get_by_role("link", name="批量上传").first.click()
    page.get_by_label("选择文件").set_input_files(archive)
    page.get_by_role("button", name="上传并审核").click()
    expect(page.get_by_role("heading", name="本次上传的审核结果（2 个表格）")).to_be_visible()
    page.get_by_role("link", name="查看报送情况").click()
    expect(unit_row(page, "玉田县林西镇人民政府本级").get_by_text("通过")).to_be_visible()
    expect(unit_row(page, "示例县东河镇人民政府本级").get_by_text("有错误")).to_be_visible()
    expect(unit_row(page, "示例县西岭乡人民政府本级").get_by_text("未报送")).to_be_visible()

    page.get_by_role("link", name="未报送").click()
    expect(page.get_by_role("row")).to_have_count(2)     # the header and 西岭乡

    with page.expect_download() as got:
        page.get_by_role("link", name="下载汇总.xlsx").click()
    summary = tmp_path / got.value.suggested_filename
    got.value.save_as(summary)
    assert summary.name == "汇总.xlsx"
    cells = [str(c) for ws in openpyxl.load_workbook(summary).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "未报送" in cells and "示例县西岭乡人民政府本级" in cells

    unit_row(page, "示例县西岭乡人民政府本级").get_by_role("link", name="详情").click()
    expect(page.get_by_text("该单位尚未报送。")).to_be_visible()
