"""The county's pages (after login): dashboard, unit history, review, bulk upload, downloads."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .intake import REVIEW
from .jobs import JobFailed
from .security import verify_password
from .site import SESSION_COOKIE, Site, download
from .township import KIND, XLSX, _shown, annotated_name, history

FILTERS = ("未报送", "有错误", "仅警告", "通过", "退回", "已审核通过")


def routes(site: Site) -> list[Route]:
    async def login_page(request: Request):
        if site.is_admin(request):
            return RedirectResponse("/admin", 303)
        return site.page(request, "login.html")

    async def login(request: Request):
        form = await site.form(request, files=0)
        who = request.client.host if request.client else "?"
        if site.limiter.blocked(who):
            return site.page(request, "login.html", 429,
                             error="登录失败次数过多，请 10 分钟后再试。")
        if not verify_password(str(form.get("password", "")),
                               site.store.setting("admin_hash") or ""):
            site.limiter.failed(who)
            return site.page(request, "login.html", 401, error="密码不正确。")
        site.limiter.succeeded(who)
        response = RedirectResponse("/admin", 303)
        response.set_cookie(SESSION_COOKIE, site.new_session(), httponly=True,
                            samesite="strict", path="/")
        return response

    async def logout(request: Request):
        await site.form(request, files=0)
        site.end_session(request)
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def dashboard(request: Request):
        site.require_admin(request)
        rows = site.intake.dashboard()
        show = request.query_params.get("state", "")
        query = request.query_params.get("q", "").strip()
        tally = {s: sum(r["state"] == s or r["review"] == s for r in rows) for s in FILTERS}
        if show in FILTERS:
            rows = [r for r in rows if r["state"] == show or r["review"] == show]
        if query:
            rows = [r for r in rows if query in r["name"] or query in r["code"]]
        return site.page(request, "dashboard.html", rows=rows, tally=tally, show=show,
                         query=query, filters=FILTERS, total=len(site.store.units()),
                         others=len(site.store.uncounted_bulk()), export=site.export is not None)

    async def unit(request: Request):
        site.require_admin(request)
        u = site.store.unit(request.path_params["code"])
        if u is None:
            raise HTTPException(404, "没有这个单位。")
        rows = history(site, u["code"])
        return site.page(request, "admin_unit.html", unit=u, rows=rows,
                         latest=next((r for r in rows if r["counted"]), None))

    async def result(request: Request):
        site.require_admin(request)
        upload = site.store.upload(request.path_params["upload_id"])
        if upload is None:
            raise HTTPException(404, "没有这条报送记录。")
        returns = site.store.returns_of_upload(upload["id"])
        back = f"/admin/unit/{upload['unit_code']}" if upload["unit_code"] else "/admin"
        return site.page(request, "result.html", upload=upload, unit=None, kind=KIND[upload["kind"]],
                         back=back, county=True,
                         returns=[_shown(r, f"/admin/a/{r['id']}") for r in returns])

    async def annotated(request: Request):
        site.require_admin(request)
        r = site.store.get_return(request.path_params["return_id"])
        if r is None or not r["annotated"]:
            raise HTTPException(404, "没有这份标注副本。")
        return download(site.store.blob_path(r["annotated"]), annotated_name(r["name"]), XLSX)

    async def original(request: Request):
        site.require_admin(request)
        r = site.store.get_return(request.path_params["return_id"])
        if r is None or not r["sha256"]:
            raise HTTPException(404, "没有这个文件。")
        return download(site.store.blob_path(r["sha256"]), Path(r["name"].replace("\\", "/")).name)

    async def review(request: Request):
        site.require_admin(request)
        form = await site.form(request, files=0)
        r = site.store.get_return(request.path_params["return_id"])
        decision = form.get("decision")
        if r is None or not r["counted"] or decision not in REVIEW:
            raise HTTPException(404, "没有这份报送。")
        note = str(form.get("note", "")).strip()[:500]
        if decision == "returned" and not note:
            return site.message(request, "请填写退回原因", "退回时请写明需要修改的内容，乡镇会在填报页面看到。",
                                400, back=f"/admin/unit/{r['unit_code']}")
        site.store.set_review(r["id"], decision, note)
        return RedirectResponse(f"/admin/unit/{r['unit_code']}", 303)

    async def bulk_page(request: Request):
        site.require_admin(request)
        return site.page(request, "bulk.html", returns=None)

    async def bulk(request: Request):
        site.require_admin(request)
        form = await site.form(request, files=1000)
        ids = await site.save_uploads(form, None, "bulk")
        if isinstance(ids, str):
            return site.message(request, "未能上传", ids, 400, back="/admin/bulk")
        done = await run_in_threadpool(site.intake.process, ids)
        rows = [site.store.get_return(i) for i in done]
        return site.page(request, "bulk.html", returns=[
            dict(_shown(r, f"/admin/a/{r['id']}"), unit_name=_name(site, r["unit_code"]))
            for r in rows])

    async def summary(request: Request):
        site.require_admin(request)
        return await _file(request, "汇总.xlsx", site.intake.summary)

    async def reminders(request: Request):
        site.require_admin(request)
        return await _file(request, "催报名单.xlsx", site.intake.reminders)

    async def export(request: Request):
        site.require_admin(request)
        if site.export is None:
            raise HTTPException(404, "汇总导出功能不可用。")
        return await _file(request, "绩效目标汇总导出.xlsx", site.export)

    async def _file(request: Request, name: str, make):
        folder = Path(tempfile.mkdtemp(prefix="dl-", dir=site.store.work))
        dest = folder / name
        try:
            await run_in_threadpool(make, dest)
        except JobFailed as exc:
            _rm(folder)
            return site.message(request, "未能生成", f"{name} 未能生成：{exc}。请稍后再试。",
                                500, back="/admin")
        response = download(dest, name, XLSX)
        response.background = BackgroundTask(_rm, folder)
        return response

    return [Route("/admin/login", login_page), Route("/admin/login", login, methods=["POST"]),
            Route("/admin/logout", logout, methods=["POST"]), Route("/admin", dashboard),
            Route("/admin/unit/{code}", unit), Route("/admin/r/{upload_id:int}", result),
            Route("/admin/a/{return_id:int}", annotated),
            Route("/admin/o/{return_id:int}", original),
            Route("/admin/review/{return_id:int}", review, methods=["POST"]),
            Route("/admin/bulk", bulk_page), Route("/admin/bulk", bulk, methods=["POST"]),
            Route("/admin/summary.xlsx", summary), Route("/admin/reminders.xlsx", reminders),
            Route("/admin/export.xlsx", export)]


def _name(site: Site, code: str | None) -> str:
    u = site.store.unit(code) if code else None
    return u["name"] if u else "（不在名单中）"


def _rm(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)

