"""Starting the site from the command line."""
from __future__ import annotations

import threading
from pathlib import Path

from .app import LINKS_XLSX, RoundError, create_app, default_url, prepare
from ..template.generate import MANIFEST_CSV_NAME


def serve(folder: Path, host: str, port: int, url: str | None, admin_password: str | None,
          new_links: bool, jobs: int, out, fail) -> None:
    import uvicorn

    if admin_password is not None and not admin_password.strip():
        raise fail("管理密码不能为空。", 2)
    base = url or default_url(host, port)
    try:
        started = prepare(folder, base, admin_password, new_links, jobs)
    except RoundError as exc:
        raise fail(str(exc), 2)
    except OSError as exc:
        raise fail(f"无法在 {folder} 中保存网站数据：{exc.strerror or exc}。请检查路径和权限。")
    site = started.site
    out.print(f"{site.year or ''}年预算项目绩效目标 填报网站", highlight=False)
    out.print(f"县局管理页面：{base.rstrip('/')}/admin", highlight=False)
    if started.password:
        out.print(f"管理密码（首次启动随机生成，只显示这一次，请妥善保存）：[bold]{started.password}[/]",
                  highlight=False)
    if started.links:
        out.print(f"已为 {len(started.links)} 个单位生成专用填报链接，写入 "
                  f"{folder / MANIFEST_CSV_NAME} 和 {folder / LINKS_XLSX} 的“填报链接”列；"
                  "请把各自的链接分别发给各单位。", highlight=False)
    out.print("按 Ctrl+C 停止。", highlight=False)
    threading.Thread(target=site.intake.recover, daemon=True).start()
    uvicorn.run(create_app(site), host=host, port=port, log_level="warning",
                timeout_keep_alive=30, server_header=False)
