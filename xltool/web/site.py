"""The application object: settings, page rendering, the one CSRF check, the one way a route
gets a unit (from its link) and the one way it gets the county (from the login session)."""
from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from .intake import Intake
from .jobs import MAX_UPLOAD, UPLOAD_SUFFIXES
from .security import (SESSION_HOURS, LoginLimiter, csrf_ok, csrf_token, new_token,
                       token_hash)
from .store import Store

HERE = Path(__file__).resolve().parent
CSRF_COOKIE = "xt_csrf"
SESSION_COOKIE = "xt_admin"


@dataclass
class Site:
    store: Store
    intake: Intake
    year: int | None
    secret: str
    export: object = None            # export(dest_folder) when the export package exists
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(["html"]))
        self.env.globals.update(year=self.year, state_class=state_class)

    # -- pages ------------------------------------------------------------------------------
    def page(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = not cookie or len(cookie) > 64
        if fresh:
            cookie = new_token()
        html = self.env.get_template(name).render(
            csrf=csrf_token(self.secret, cookie), admin=self.is_admin(request), **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict")
        return response

    def message(self, request: Request, title: str, text: str, status: int,
                back: str | None = None) -> HTMLResponse:
        return self.page(request, "message.html", status, title=title, text=text, back=back)

    # -- the one CSRF check of every form post ----------------------------------------------
    async def form(self, request: Request, files: int = 1):
        """The posted form, or 403 when its CSRF token does not match the browser's cookie."""
        form = await request.form(max_files=files, max_fields=20)
        if not csrf_ok(self.secret, request.cookies.get(CSRF_COOKIE), form.get("csrf")):
            raise HTTPException(403, "页面已过期或来源不明（安全校验未通过），请刷新页面后重试。")
        return form

    # -- who is asking ----------------------------------------------------------------------
    def unit_of(self, request: Request):
        """The unit whose private link this is; 404 for anything else."""
        token = request.path_params.get("token", "")
        unit = self.store.unit_by_token_hash(token_hash(token)) if 20 <= len(token) <= 64 \
            else None
        if unit is None:
            raise HTTPException(404, "链接无效。请使用县财政局发给本单位的填报链接。")
        return unit

    def is_admin(self, request: Request) -> bool:
        sid = request.cookies.get(SESSION_COOKIE)
        if not sid or len(sid) > 64:
            return False
        row = self.store.db.one("SELECT created FROM sessions WHERE id_hash=?",
                                (token_hash(sid),))
        return row is not None and time.time() - row["created"] < SESSION_HOURS * 3600

    def require_admin(self, request: Request) -> None:
        if not self.is_admin(request):
            raise HTTPException(303, headers={"Location": "/admin/login"})

    def new_session(self) -> str:
        sid = new_token()
        self.store.db.run("DELETE FROM sessions WHERE created < ?",
                          (time.time() - SESSION_HOURS * 3600,))
        self.store.db.run("INSERT INTO sessions(id_hash, created) VALUES(?, ?)",
                          (token_hash(sid), time.time()))
        return sid

    def end_session(self, request: Request) -> None:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            self.store.db.run("DELETE FROM sessions WHERE id_hash=?", (token_hash(sid),))

    # -- uploads ----------------------------------------------------------------------------
    async def save_uploads(self, form, unit_code: str | None, kind: str) -> list[int] | str:
        """Store each uploaded file and record it; a Chinese message when one is refused."""
        files = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        if not files:
            return "请先选择要上传的文件。"
        for f in files:
            if Path(f.filename.replace("\\", "/")).suffix.lower() not in UPLOAD_SUFFIXES:
                return (f"不能接收文件“{f.filename}”：只接受 .xlsx、.xls、.ods 表格或 .zip 压缩包。")
            if f.size is not None and f.size > MAX_UPLOAD:
                return f"文件“{f.filename}”超过 60 MB，不能接收。请确认上传的是填报表本身。"
        return await run_in_threadpool(self._store_all, files, unit_code, kind)

    def _store_all(self, files: list[UploadFile], unit_code, kind) -> list[int] | str:
        ids = []
        for f in files:
            fd, tmp = tempfile.mkstemp(prefix="up-", dir=self.store.work)
            try:
                with open(fd, "wb") as out:
                    f.file.seek(0)
                    shutil.copyfileobj(f.file, out, 1 << 20)
                if Path(tmp).stat().st_size > MAX_UPLOAD:
                    return f"文件“{f.filename}”超过 60 MB，不能接收。请确认上传的是填报表本身。"
                ids.append(self.intake.receive(unit_code, kind, f.filename, Path(tmp)))
            finally:
                Path(tmp).unlink(missing_ok=True)
        return ids


def state_class(state: str | None) -> str:
    return {"通过": "ok", "仅警告": "warn", "有错误": "err", "未报送": "none",
            "已审核通过": "ok", "退回": "err"}.get(state or "", "")


def download(path: Path, name: str, media: str | None = None) -> Response:
    """A file download whose offered name is never taken as a path by anyone."""
    ascii_name = "download" + Path(name).suffix
    return FileResponse(path, media_type=media or "application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


def issues_of(row) -> list[dict]:
    return json.loads(row["report"])["issues"]


def new_secret() -> str:
    return secrets.token_hex(32)
