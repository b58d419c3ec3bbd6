"""`xltool serve`: the intake website over a round folder written by `xltool generate`."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from xlsxwriter import Workbook

from ..atomic import atomic_path, write_bytes_atomic
from ..template.generate import MANIFEST_CSV_NAME, MANIFEST_NAME
from . import county, township
from .intake import Intake, Round
from .jobs import MAX_UPLOAD
from .security import hash_password, new_token, token_hash
from .site import HERE, Site, new_secret
from .store import Store, Unit

LINKS_XLSX = "分发清单.xlsx"
LINK_COLUMN = "填报链接"
BULK_LIMIT = 1024 * 1024 * 1024          # a county's bulk upload: many files at once
FORM_SLACK = 1024 * 1024                 # multipart framing around one 60 MB file
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class RoundError(Exception):
    """The folder is not a round written by `xltool generate` (Chinese message)."""


def load_round(folder: Path) -> Round:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        raise RoundError(f"{folder} 中没有 {MANIFEST_NAME}。请指定 xltool generate 的输出文件夹（如 下发/）。")
    try:
        data = json.loads(manifest.read_text("utf-8"))
        units = [u for u in data["units"] if u.get("unit_code")]
        return Round(folder, manifest, data.get("year"), units)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise RoundError(f"无法读取 {manifest}：不是 xltool 生成的清单（{type(exc).__name__}）。")


@dataclass
class Started:
    site: Site
    password: str | None       # printed once: the admin password made on first start
    links: dict[str, str]      # unit code -> new link (made on this start)


def prepare(folder: Path, base_url: str, admin_password: str | None = None,
            new_links: bool = False, jobs: int | None = None) -> Started:
    """Open (or create) the site's data beside the round; make missing links and password."""
    round_ = load_round(folder)
    store = Store(folder)
    store.sync_units([Unit(u["unit_code"], u["unit_name"], u.get("file"))
                      for u in round_.units])
    password = None
    if admin_password:
        store.set_setting("admin_hash", hash_password(admin_password))
    elif store.setting("admin_hash") is None:
        password = secrets.token_urlsafe(9)
        store.set_setting("admin_hash", hash_password(password))
    secret = store.setting("secret") or new_secret()
    store.set_setting("secret", secret)
    links = {}
    for u in store.units():
        if u["token_hash"] is None or new_links:
            token = new_token()
            store.set_token_hash(u["code"], token_hash(token))
            links[u["code"]] = f"{base_url.rstrip('/')}/u/{token}"
    if links:
        write_links(round_, store, links)
    intake = Intake(store, round_, jobs or max(1, os.cpu_count() or 1))
    return Started(Site(store, intake, round_.year, secret, find_export(intake)), password,
                   links)


def write_links(round_: Round, store: Store, links: dict[str, str]) -> None:
    """分发清单.csv and .xlsx with a 填报链接 column (links made earlier are kept)."""
    path = round_.folder / MANIFEST_CSV_NAME
    rows: list[dict] = []
    header = ["单位编码", "单位名称", "文件名", "项目数", "模板版本"]
    if path.is_file():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h for h in (reader.fieldnames or header) if h != LINK_COLUMN]
            rows = list(reader)
    known = {r.get("单位编码"): r for r in rows}
    for u in store.units():
        if u["code"] not in known:
            row = {"单位编码": u["code"], "单位名称": u["name"], "文件名": u["file"] or ""}
            rows.append(row)
            known[u["code"]] = row
    for code, link in links.items():
        known[code][LINK_COLUMN] = link
    header.append(LINK_COLUMN)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    write_bytes_atomic(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    with atomic_path(round_.folder / LINKS_XLSX) as tmp:
        wb = Workbook(tmp)
        ws = wb.add_worksheet("分发清单")
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for c, title in enumerate(header):
            ws.write_string(0, c, title, bold)
        for r, row in enumerate(rows, start=1):
            for c, title in enumerate(header):
                ws.write_string(r, c, str(row.get(title) or ""))
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 2, 60)
        ws.set_column(len(header) - 1, len(header) - 1, 80)
        wb.close()


def find_export(intake: Intake):
    """The consolidated export, when this installation has it (xltool.export)."""
    try:
        found = importlib.util.find_spec("xltool.export.run") is not None
    except ImportError:
        found = False
    return intake.export if found else None


def default_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = "127.0.0.1"
    return f"http://{host}:{port}"


class Guard:
    """Body size limits and security headers on every response."""

    def __init__(self, app, site: Site):
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = BULK_LIMIT if scope["path"] == "/admin/bulk" else MAX_UPLOAD + FORM_SLACK
        length = dict(scope["headers"]).get(b"content-length")
        started = False

        async def send_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = dict(message, headers=headers)
            await send(message)

        if length is not None and (not length.isdigit() or int(length) > limit):
            return await self._too_big(scope, send_headers)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooBig()
            return message

        try:
            await self.app(scope, counted, send_headers)
        except _TooBig:
            if not started:
                await self._too_big(scope, send_headers)

    async def _too_big(self, scope, send):
        response = HTMLResponse(self.site.env.get_template("message.html").render(
            title="文件太大", text="上传的文件超过 60 MB，不能接收。请确认上传的是填报表本身"
            "（不要把多个文件或图片放进表格），必要时压缩后分批上传。", back=None, csrf="",
            admin=False), status_code=413, headers={"connection": "close"})
        await response(scope, None, send)


class _TooBig(Exception):
    pass


def create_app(site: Site) -> Starlette:
    async def index(request: Request):
        if site.is_admin(request):
            return RedirectResponse("/admin", 303)
        return site.page(request, "index.html")

    async def http_error(request: Request, exc: HTTPException):
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["Location"], exc.status_code)
        titles = {403: "没有权限", 404: "找不到页面", 405: "不支持的操作", 413: "文件太大"}
        text = exc.detail if exc.detail and not exc.detail.isascii() else "请检查链接是否正确。"
        return site.message(request, titles.get(exc.status_code, "出错了"), text,
                            exc.status_code)

    async def server_error(request: Request, exc: Exception):
        return site.message(request, "出错了", "服务器处理时出错，请稍后再试；如仍不行请联系县财政局。",
                            500)

    routes = [Route("/", index), Mount("/static", StaticFiles(directory=HERE / "static")),
              *township.routes(site), *county.routes(site)]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error,
                                                      500: server_error})
    return Guard(app, site)
