"""The intake website through its whole ASGI stack (in process): township and county flows."""
from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from starlette.testclient import TestClient
from web_support import ADMIN_PASSWORD, BROKEN, CLEAN, broken_linxi, new_round

from xltool.web.app import create_app, prepare
from xltool.web.store import DATA_DIR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def started(tmp_path):
    return prepare(new_round(tmp_path), "http://testserver", ADMIN_PASSWORD, jobs=2)


@pytest.fixture
def client(started):
    with TestClient(create_app(started.site), follow_redirects=False) as c:
        yield c


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def csrf(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def upload(client, base: str, path: Path, action: str, name: str | None = None):
    token = csrf(client, base)
    return client.post(f"{base}/upload", data={"csrf": token, "action": action},
                       files={"file": (name or path.name, path.read_bytes(), XLSX)})


def login(client) -> None:
    token = csrf(client, "/admin/login")
    done = client.post("/admin/login", data={"csrf": token, "password": ADMIN_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/admin"


def blobs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / DATA_DIR / "blobs").rglob("*")
            if p.is_file()}


def test_links_in_distribution_list(started):
    folder = started.site.intake.round.folder
    text = (folder / "分发清单.csv").read_text("utf-8-sig")
    assert text.splitlines()[0].endswith(",填报链接")
    assert set(started.links) == {"484001", "489001", "489002"}
    for link in started.links.values():
        assert link in text and re.fullmatch(r"http://testserver/u/[\w-]{32}", link)
    ws = openpyxl.load_workbook(folder / "分发清单.xlsx").active
    assert ws.cell(1, ws.max_column).value == "填报链接"
    assert {ws.cell(r, ws.max_column).value for r in range(2, 5)} == set(started.links.values())
    db = (folder / DATA_DIR / "xltool.sqlite3").read_bytes()
    for link in started.links.values():      # stored only hashed
        assert link.rsplit("/", 1)[1].encode() not in db
    assert ADMIN_PASSWORD.encode() not in db
    again = prepare(folder, "http://testserver")
    assert again.links == {} and again.password is None   # a restart keeps links and password
    assert (folder / "分发清单.csv").read_text("utf-8-sig") == text


def test_first_start_makes_a_password(tmp_path):
    started = prepare(new_round(tmp_path), "http://127.0.0.1:8000")
    assert started.password and len(started.password) >= 12
    with TestClient(create_app(started.site), follow_redirects=False) as c:
        token = csrf(c, "/admin/login")
        assert c.post("/admin/login", data={"csrf": token, "password": started.password}
                      ).status_code == 303


def test_township_check_then_submit(client, started, tmp_path):
    base = path_of(started.links["489001"])
    page = client.get(base)
    assert "示例县东河镇人民政府本级" in page.text and "2025年" in page.text
    book = client.get(f"{base}/workbook")
    folder = started.site.intake.round.folder
    assert book.content == (folder / started.site.store.unit("489001")["file"]).read_bytes()

    done = upload(client, base, BROKEN, "check")
    assert done.status_code == 303
    result = client.get(done.headers["location"])
    assert "有错误" in result.text and "只检查" in result.text
    assert "1.农村人居环境整治" in result.text and ">E7<" in result.text
    assert "未计为正式报送" in result.text
    link = re.search(r'href="(/u/[^"]+/a/\d+)"', result.text).group(1)
    copy = client.get(link)
    assert copy.status_code == 200 and "filename*=UTF-8''" in copy.headers["content-disposition"]
    assert "问题清单" in openpyxl.load_workbook(io.BytesIO(copy.content)).sheetnames
    assert BROKEN.read_bytes() in blobs(folder).values()     # the original, byte for byte
    assert client.get(base).text.count("只检查") >= 2
    login(client)
    assert _state(client, "489001") == "未报送"             # only checked, not submitted

    upload(client, base, BROKEN, "submit")
    assert _state(client, "489001") == "有错误"


def test_township_fixes_and_county_reviews(client, started, tmp_path):
    base = path_of(started.links["484001"])
    broken = broken_linxi(tmp_path / "林西镇.xlsx")
    result = client.get(upload(client, base, broken, "submit").headers["location"])
    assert "XT203" not in result.text and "12月底" in result.text and "有错误" in result.text
    fixed = client.get(upload(client, base, CLEAN, "submit").headers["location"])
    assert "通过" in fixed.text and "审核通过，没有发现问题" in fixed.text
    login(client)
    assert _state(client, "484001") == "通过"
    unit = client.get("/admin/unit/484001")
    assert unit.text.count("正式报送") == 2
    rid = re.search(r'action="/admin/review/(\d+)"', unit.text).group(1)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', unit.text).group(1)
    refused = client.post(f"/admin/review/{rid}", data={"csrf": token, "decision": "returned"})
    assert refused.status_code == 400 and "退回原因" in refused.text
    client.post(f"/admin/review/{rid}", data={"csrf": token, "decision": "returned",
                                              "note": "请补充第3个项目的满意度指标依据"})
    township = client.get(base).text
    assert "退回" in township and "请补充第3个项目的满意度指标依据" in township
    client.post(f"/admin/review/{rid}", data={"csrf": token, "decision": "approved", "note": ""})
    assert "已审核通过" in client.get(base).text


def test_other_units_file_is_not_counted(client, started):
    base = path_of(started.links["484001"])
    result = client.get(upload(client, base, BROKEN, "submit").headers["location"])
    assert "这不是本单位的填报表" in result.text
    login(client)
    assert _state(client, "484001") == "未报送" and _state(client, "489001") == "未报送"


def _state(client, code: str) -> str:
    page = client.get("/admin")
    assert page.status_code == 200
    row = re.search(rf"<td>{code}</td>.*?</tr>", page.text, re.S).group(0)
    return re.search(r'class="badge[^"]*">([^<]+)<', row).group(1)


class _GbkName(zipfile.ZipInfo):
    """A member name stored in GBK without the UTF-8 flag, as Chinese Windows writes it."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = _GbkName(name, (2025, 3, 1, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def test_county_bulk_zip_summary_and_reminders(client, started, tmp_path):
    login(client)
    assert all(_state(client, code) == "未报送" for code in ("484001", "489001", "489002"))
    archive = _zip(tmp_path / "收到的附件.zip", {
        f"邮件附件/{CLEAN.name}": CLEAN.read_bytes(), f"邮件附件/{BROKEN.name}": BROKEN.read_bytes(),
        "邮件附件/说明.txt": "请查收".encode("gbk")})
    token = csrf(client, "/admin/bulk")
    done = client.post("/admin/bulk", data={"csrf": token},
                       files=[("file", (archive.name, archive.read_bytes(), "application/zip"))])
    assert done.status_code == 200, done.text
    assert CLEAN.name in done.text and BROKEN.name in done.text   # GBK names read back
    assert _state(client, "484001") == "通过" and _state(client, "489001") == "有错误"
    assert _state(client, "489002") == "未报送"
    assert "通过" in client.get("/admin?state=通过").text
    assert "489002" not in client.get("/admin?state=通过").text

    summary = client.get("/admin/summary.xlsx")
    assert summary.status_code == 200 and "汇总.xlsx" in unquote(summary.headers["content-disposition"])
    ws = openpyxl.load_workbook(io.BytesIO(summary.content))["汇总"] \
        if "汇总" in openpyxl.load_workbook(io.BytesIO(summary.content)).sheetnames else \
        openpyxl.load_workbook(io.BytesIO(summary.content)).worksheets[0]
    text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "未报送" in text and "有错误" in text and "示例县西岭乡人民政府本级" in text

    remind = client.get("/admin/reminders.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(remind.content)).active.iter_rows(
        min_row=4, values_only=True))
    by_code = {r[0]: r for r in rows}
    assert set(by_code) == {"489001", "489002"}
    assert by_code["489002"][2] == "未报送"
    assert by_code["489001"][4] == "0315-1111111"     # the phone its last file gives


def test_summary_is_the_clis(client, started, tmp_path):
    """汇总.xlsx from the site holds what `xltool check -o` writes for the same files."""
    from xltool.check.checker import check_paths, load_expected
    from xltool.check.rules import load_rules
    from xltool.report.outputs import write_outputs

    login(client)
    token = csrf(client, "/admin/bulk")
    client.post("/admin/bulk", data={"csrf": token}, files=[
        ("file", (CLEAN.name, CLEAN.read_bytes(), XLSX)),
        ("file", (BROKEN.name, BROKEN.read_bytes(), XLSX))])
    web = openpyxl.load_workbook(io.BytesIO(client.get("/admin/summary.xlsx").content))
    folder = tmp_path / "收回"
    folder.mkdir()
    for f in (CLEAN, BROKEN):
        (folder / f.name).write_bytes(f.read_bytes())
    units = load_expected(started.site.intake.round.manifest)
    rules = load_rules()
    report = check_paths([folder], rules=rules, units=units)
    outputs, _ = write_outputs(report, tmp_path / "报告", rules, units)
    cli = openpyxl.load_workbook(outputs.summary)
    assert web.sheetnames == cli.sheetnames
    for name in cli.sheetnames:
        def cells(wb):
            return [[c for c in row] for row in wb[name].iter_rows(values_only=True)]
        w, c = cells(web), cells(cli)
        assert len(w) == len(c)
        differ = [(i, a, b) for i, (a, b) in enumerate(zip(w, c)) if a != b]
        assert all("审核时间" in str(a) or "生成" in str(a) for _, a, _ in differ), differ[:3]


def test_recovers_acknowledged_uploads_after_a_crash(started):
    """A file acknowledged (stored, row committed) but not yet checked is checked on restart."""
    intake = started.site.intake
    upload_id = intake.receive("484001", "submit", CLEAN.name, CLEAN)
    folder = intake.round.folder
    db = sqlite3.connect(folder / DATA_DIR / "xltool.sqlite3")
    assert db.execute("SELECT state FROM uploads WHERE id=?", (upload_id,)).fetchone() == \
        ("pending",)
    again = prepare(folder, "http://testserver")          # the server started anew
    again.site.intake.recover()
    assert db.execute("SELECT state FROM uploads WHERE id=?", (upload_id,)).fetchone() == \
        ("done",)
    assert again.site.intake.dashboard()[0]["state"] == "通过"


def test_serve_refuses_a_folder_that_is_not_a_round(tmp_path):
    from typer.testing import CliRunner

    from xltool.cli import app

    done = CliRunner().invoke(app, ["serve", str(tmp_path)])
    assert done.exit_code == 2
    assert "xltool-manifest.json" in done.output and "xltool generate" in done.output
    assert "Traceback" not in done.output
    helped = CliRunner().invoke(app, ["serve", "--help"])
    assert "填报网站" in helped.output and "--admin-password" in helped.output


def test_file_store_keeps_each_file_once_and_read_only(tmp_path):
    from xltool.web.store import Store

    store = Store(tmp_path)
    sha, size = store.put_file(CLEAN)
    assert (sha, size) == store.put_file(CLEAN) and size == CLEAN.stat().st_size
    blob = store.blob_path(sha)
    assert blob.read_bytes() == CLEAN.read_bytes() and not blob.stat().st_mode & 0o222
    assert [p for p in (tmp_path / DATA_DIR / "blobs").rglob("*") if p.is_file()] == [blob]
    with pytest.raises(ValueError):
        store.blob_path("../" + "0" * 61)


def test_consolidated_export_when_installed(client, started):
    """The export download appears exactly when xltool.export is installed, and works."""
    import importlib.util

    login(client)
    present = importlib.util.find_spec("xltool.export") is not None
    assert ("/admin/export.xlsx" in client.get("/admin").text) == present
    if not present:
        assert client.get("/admin/export.xlsx").status_code == 404
        return
    token = csrf(client, "/admin/bulk")
    client.post("/admin/bulk", data={"csrf": token},
                files=[("file", (CLEAN.name, CLEAN.read_bytes(), XLSX))])
    done = client.get("/admin/export.xlsx")
    assert done.status_code == 200, done.text
    cells = [str(c) for ws in openpyxl.load_workbook(io.BytesIO(done.content)).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("安保、环保、安全生产、应急、食药监管" in c for c in cells)
