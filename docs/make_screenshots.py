"""Screenshots of every page of `xltool serve` for the README (run from the repository root):

    python docs/make_screenshots.py

Starts the site on the bundled example round in a temporary folder, walks it in headless
chromium like a township and the county would, and writes docs/images/web_*.png.
"""
from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402
from web_support import (ADMIN_PASSWORD, BROKEN, CHROMIUM, CHROMIUM_ARGS, CLEAN,  # noqa: E402
                         Server, broken_linxi, new_round)

OUT = ROOT / "docs" / "images"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        server = Server(new_round(tmp))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")

            def shot(name: str) -> None:
                page.screenshot(path=str(OUT / f"web_{name}.png"), full_page=True)

            links = server.links()
            page.goto(links["484001"])
            shot("township")
            page.get_by_label("选择文件").set_input_files(broken_linxi(tmp / "林西镇.xlsx"))
            page.get_by_role("button", name="只检查").click()
            page.get_by_role("heading", name="审核结果").wait_for()
            shot("township_result")
            page.goto(links["489001"])
            page.get_by_label("选择文件").set_input_files(BROKEN)
            page.get_by_role("button", name="正式报送").click()
            page.get_by_role("heading", name="审核结果").wait_for()

            page.goto(server.base + "/admin/login")
            shot("login")
            page.get_by_label("管理密码").fill(ADMIN_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_role("link", name="批量上传").first.click()
            archive = tmp / "邮件附件.zip"
            with zipfile.ZipFile(archive, "w") as zf:
                zf.write(CLEAN, CLEAN.name)
            page.get_by_label("选择文件").set_input_files(archive)
            page.get_by_role("button", name="上传并审核").click()
            page.get_by_role("heading", name="本次上传的审核结果（1 个表格）").wait_for()
            shot("bulk")
            page.goto(server.base + "/admin")
            shot("dashboard")
            page.goto(server.base + "/admin/unit/489001")
            page.get_by_label("意见").fill("请按标注副本修改支出计划和满意度指标后重新报送。")
            page.get_by_role("button", name="退回").click()
            page.get_by_role("heading", name="示例县东河镇人民政府本级").wait_for()
            shot("county_unit")
            page.goto(links["489001"])
            shot("township_returned")
        finally:
            browser.close()
            server.stop()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("web_*.png"))))


if __name__ == "__main__":
    main()
