"""The township's pages, reached only through the unit's private link /u/<token>."""
from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .intake import REVIEW, STATUS
from .site import Site, download, issues_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND = {"check": "只检查", "submit": "正式报送", "bulk": "县局代收"}


def history(site: Site, code: str) -> list[dict]:
    return [{"id": r["id"], "upload_id": r["upload_id"], "at": r["received_at"],
             "name": r["name"], "kind": KIND[r["kind"]], "counted": bool(r["counted"]),
             "state": STATUS[r["status"]], "errors": r["errors"], "warnings": r["warnings"],
             "review": REVIEW.get(r["review"]), "review_note": r["review_note"],
             "annotated": bool(r["annotated"]), "note": r["note"]}
            for r in site.store.unit_history(code)]


def routes(site: Site) -> list[Route]:
    async def home(request: Request):
        unit = site.unit_of(request)
        rows = history(site, unit["code"])
        latest = next((r for r in rows if r["counted"]), None)
        return site.page(request, "unit.html", unit=unit, rows=rows, latest=latest,
                         base=f"/u/{request.path_params['token']}",
                         has_workbook=_workbook(site, unit) is not None)

    async def workbook(request: Request):
        unit = site.unit_of(request)
        path = _workbook(site, unit)
        if path is None:
            raise HTTPException(404, "本单位的填报表不在下发文件夹中，请联系县财政局。")
        return download(path, path.name, XLSX)

    async def upload(request: Request):
        unit = site.unit_of(request)
        form = await site.form(request)
        base = f"/u/{request.path_params['token']}"
        kind = "submit" if form.get("action") == "submit" else "check"
        ids = await site.save_uploads(form, unit["code"], kind)
        if isinstance(ids, str):
            return site.message(request, "未能上传", ids, 400, back=base)
        await run_in_threadpool(site.intake.process, ids)
        return RedirectResponse(f"{base}/r/{ids[0]}", 303)

    async def result(request: Request):
        unit = site.unit_of(request)
        upload = site.store.upload(request.path_params["upload_id"])
        returns = [r for r in site.store.returns_of_upload(upload["id"])
                   if r["unit_code"] == unit["code"]] if upload else []
        if upload is None or (upload["unit_code"] != unit["code"] and not returns):
            raise HTTPException(404, "没有这条报送记录。")
        base = f"/u/{request.path_params['token']}"
        return site.page(request, "result.html", unit=unit, upload=upload, base=base,
                         kind=KIND[upload["kind"]], back=base,
                         returns=[_shown(r, f"{base}/a/{r['id']}") for r in returns])

    async def annotated(request: Request):
        unit = site.unit_of(request)
        r = site.store.get_return(request.path_params["return_id"])
        if r is None or r["unit_code"] != unit["code"] or not r["annotated"]:
            raise HTTPException(404, "没有这份标注副本。")
        return download(site.store.blob_path(r["annotated"]), annotated_name(r["name"]), XLSX)

    return [Route("/u/{token}", home), Route("/u/{token}/workbook", workbook),
            Route("/u/{token}/upload", upload, methods=["POST"]),
            Route("/u/{token}/r/{upload_id:int}", result),
            Route("/u/{token}/a/{return_id:int}", annotated)]


def _workbook(site: Site, unit) -> Path | None:
    name = unit["file"]
    if not name or Path(name).name != name:
        return None
    path = site.intake.round.folder / name
    return path if path.is_file() else None


def annotated_name(name: str) -> str:
    stem = Path(name.replace("\\", "/")).stem
    return f"{stem}_审核标注.xlsx"


def _shown(r, link: str) -> dict:
    return {"id": r["id"], "name": r["name"], "state": STATUS[r["status"]],
            "unreadable": r["status"] == "unreadable", "errors": r["errors"],
            "warnings": r["warnings"], "issues": issues_of(r), "counted": bool(r["counted"]),
            "note": r["note"], "annotated": link if r["annotated"] else None,
            "review": REVIEW.get(r["review"]), "review_note": r["review_note"],
            "unit_code": r["unit_code"]}
