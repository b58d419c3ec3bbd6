"""Requests the site must refuse: each test is one attempt that has to fail."""
from __future__ import annotations

import re
import zipfile

import pytest
from starlette.testclient import TestClient
from test_web import XLSX, client, csrf, login, path_of, started, upload  # noqa: F401 (fixtures)
from web_support import ADMIN_PASSWORD, BROKEN, CLEAN

from xltool.web import intake as intake_module
from xltool.web.app import create_app
from xltool.web.store import DATA_DIR


@pytest.fixture
def two_units(client, started):
    """东河镇 has submitted a return; 林西镇 holds only its own link."""
    dong = path_of(started.links["489001"])
    result = upload(client, dong, BROKEN, "submit").headers["location"]
    upload_id = int(result.rsplit("/", 1)[1])
    return_id = int(re.search(r"/a/(\d+)", client.get(result).text).group(1))
    return {"dong": dong, "linxi": path_of(started.links["484001"]), "upload": upload_id,
            "return": return_id}


def test_post_without_csrf_token_is_refused(client, started):
    base = path_of(started.links["484001"])
    client.get(base)
    for data in ({"action": "submit"}, {"action": "submit", "csrf": "0" * 64}):
        done = client.post(f"{base}/upload", data=data,
                           files={"file": (CLEAN.name, CLEAN.read_bytes(), XLSX)})
        assert done.status_code == 403 and "安全校验未通过" in done.text
    assert client.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 403


def test_csrf_token_of_another_browser_is_refused(client, started):
    base = path_of(started.links["484001"])
    token = csrf(client, base)
    with TestClient(create_app(started.site), follow_redirects=False) as other:
        other.get(base)                          # its own cookie, a token copied from elsewhere
        done = other.post(f"{base}/upload", data={"csrf": token, "action": "submit"},
                          files={"file": (CLEAN.name, CLEAN.read_bytes(), XLSX)})
    assert done.status_code == 403


def test_cookies_are_httponly_and_samesite(client, started):
    page = client.get(path_of(started.links["484001"]))
    assert "httponly" in page.headers["set-cookie"].lower()
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    token = csrf(client, "/admin/login")
    done = client.post("/admin/login", data={"csrf": token, "password": ADMIN_PASSWORD})
    cookie = done.headers["set-cookie"].lower()
    assert cookie.startswith("xt_admin=") and "httponly" in cookie and "samesite=strict" in cookie


def test_unit_link_never_reaches_another_units_results(client, two_units):
    linxi = two_units["linxi"]
    assert client.get(f"{two_units['dong']}/r/{two_units['upload']}").status_code == 200
    assert client.get(f"{linxi}/r/{two_units['upload']}").status_code == 404
    assert client.get(f"{linxi}/a/{two_units['return']}").status_code == 404
    assert "示例县东河镇" not in client.get(linxi).text


@pytest.mark.parametrize("url", ["/admin", "/admin/unit/489001", "/admin/r/{upload}",
                                 "/admin/a/{return}", "/admin/o/{return}", "/admin/summary.xlsx",
                                 "/admin/reminders.xlsx", "/admin/bulk"])
def test_county_pages_need_the_county_login(client, two_units, url):
    client.get(two_units["linxi"])
    done = client.get(url.format(**two_units))
    assert done.status_code == 303 and done.headers["location"] == "/admin/login"


def test_county_posts_need_the_county_login(client, two_units):
    token = csrf(client, two_units["linxi"])
    for url in (f"/admin/review/{two_units['return']}", "/admin/bulk"):
        done = client.post(url, data={"csrf": token, "decision": "approved"},
                           files={"file": (CLEAN.name, CLEAN.read_bytes(), XLSX)})
        assert done.status_code == 303 and done.headers["location"] == "/admin/login"


@pytest.mark.parametrize("token", ["x", "A" * 32, "..%2Fadmin", "A" * 500])
def test_made_up_links_are_refused(client, token):
    done = client.get(f"/u/{token}")
    assert done.status_code == 404 and "链接" in done.text


def test_login_attempts_are_rate_limited(client):
    token = csrf(client, "/admin/login")
    for _ in range(5):
        assert client.post("/admin/login", data={"csrf": token, "password": "wrong"}
                           ).status_code == 401
    blocked = client.post("/admin/login", data={"csrf": token, "password": ADMIN_PASSWORD})
    assert blocked.status_code == 429 and "10 分钟" in blocked.text
    assert "xt_admin" not in blocked.headers.get("set-cookie", "")


def test_upload_over_60_mb_is_refused_in_chinese(client, started):
    base = path_of(started.links["484001"])
    token = csrf(client, base)
    big = b"PK\x03\x04" + b"\0" * (61 * 1024 * 1024)
    done = client.post(f"{base}/upload", data={"csrf": token, "action": "submit"},
                       files={"file": ("大文件.xlsx", big, XLSX)})
    assert done.status_code == 413 and "60 MB" in done.text
    assert not any((started.site.intake.round.folder / DATA_DIR / "blobs").rglob("*.xlsx"))
    assert started.site.store.counts()["uploads"] == 0


def test_other_file_types_are_refused(client, started):
    base = path_of(started.links["484001"])
    token = csrf(client, base)
    done = client.post(f"{base}/upload", data={"csrf": token, "action": "submit"},
                       files={"file": ("程序.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert done.status_code == 400 and ".xlsx" in done.text
    done = client.post(f"{base}/upload", data={"csrf": token, "action": "submit"})
    assert done.status_code == 400 and "请先选择" in done.text


def test_upload_names_never_become_paths(client, started, tmp_path):
    base = path_of(started.links["484001"])
    folder = started.site.intake.round.folder
    before = sorted(p for p in tmp_path.rglob("*") if DATA_DIR not in p.parts)
    for name in ("../../逃逸.xlsx", "..\\..\\逃逸.xlsx", "/etc/passwd.xlsx", "CON.xlsx"):
        done = upload(client, base, CLEAN, "check", name=name)
        assert done.status_code == 303
        assert "通过" in client.get(done.headers["location"]).text
    after = sorted(p for p in tmp_path.rglob("*") if DATA_DIR not in p.parts
                   and p.name != "serve.log")
    assert after == before and not (folder.parent.parent / "逃逸.xlsx").exists()


def test_hostile_files_get_an_answer_and_the_server_goes_on(client, started, tmp_path):
    base = path_of(started.links["484001"])
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<" + b"a" * (200 * 1024 * 1024) + b">")
    cases = {"炸弹.xlsx": bomb.read_bytes(), "压缩包炸弹.zip": bomb.read_bytes(),
             "空文件.xlsx": b"", "乱码.xlsx": bytes(range(256)) * 100,
             "文档.xlsx": b"%PDF-1.4 not a workbook"}
    for name, data in cases.items():
        token = csrf(client, base)
        done = client.post(f"{base}/upload", data={"csrf": token, "action": "submit"},
                           files={"file": (name, data, XLSX)})
        assert done.status_code == 303, name
        page = client.get(done.headers["location"]).text
        assert "有错误" in page and "文件无法审核" in page, name
    assert "通过" in client.get(upload(client, base, CLEAN, "submit").headers["location"]).text


def test_a_check_over_its_time_limit_is_stopped(client, started, monkeypatch):
    monkeypatch.setattr(started.site.intake, "timeout", 0.01)
    base = path_of(started.links["484001"])
    page = client.get(upload(client, base, CLEAN, "submit").headers["location"]).text
    assert "审核超过" in page and "已停止" in page
    monkeypatch.setattr(started.site.intake, "timeout", intake_module.TIMEOUT)
    assert "通过" in client.get(upload(client, base, CLEAN, "submit").headers["location"]).text


def test_pages_load_nothing_from_outside(client, started):
    login(client)
    pages = ["/", "/admin/login", "/admin", "/admin/bulk", "/admin/unit/484001",
             path_of(started.links["484001"])]
    for url in pages:
        html = client.get(url).text
        for ref in re.findall(r'(?:src|href|action)="([^"]+)"', html):
            assert ref.startswith("/"), (url, ref)
        assert "@import" not in html and "//" not in re.sub(r"<!doctype[^>]*>", "", html)
    for asset in ("/static/style.css", "/static/app.js"):
        text = client.get(asset).text
        assert "http" not in text and "@import" not in text
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]
