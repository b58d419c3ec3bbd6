"""Load test of `xltool serve`: concurrent clients upload returns to the local site.

    python benchmarks/web_load.py            # 20 clients, 500 uploads (returns cached)
    python benchmarks/web_load.py --smoke    # 2 clients, 8 uploads: proves the script works

A round of units with 5, 20 and 50 projects is generated and filled (about 20 % with errors);
the uploads mix .xlsx returns, returns inside a .zip and hostile files (garbage, empty,
truncated, a zip bomb). Each client fetches its unit's page (for the form token), posts the
file (只检查 or 正式报送) and reads the result page. Afterwards it verifies that every upload
was answered, recorded exactly once and stored byte-identical, and compares the throughput
with `xltool check -o` on the same files in the same run. Prints a table and writes
benchmarks/web_results.json.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from xltool.template.fill import fill_workbook  # noqa: E402
from xltool.template.generate import generate  # noqa: E402

PASSWORD = "bench-2025"
ADMIN = "bench-admin-2025"
TIERS = [("产出指标", "数量指标", "≥", 95, "百分比"), ("产出指标", "质量指标", "≥", 98, "百分比"),
         ("产出指标", "时效指标", "≤", 30, "天"), ("产出指标", "成本指标", "≤", 20000, "元"),
         ("效益指标", "社会效益指标", "定性", "优", None), ("效益指标", "经济效益指标", "≥", 3, "项"),
         ("效益指标", "可持续影响指标", "≥", 5, "年"),
         ("满意度指标", "服务对象满意度指标", "≥", 95, "百分比")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- the round and its returns ---------------------------------------------------------------
def sizes(units: int) -> list[int]:
    """Mixed sizes: 60 % with 5 projects, 30 % with 20, 10 % with 50."""
    return [50 if i % 10 == 9 else 20 if i % 10 in (2, 5, 8) else 5 for i in range(units)]


def write_list(path: Path, units: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位编码", "单位名称", "项目编码", "项目名称", "预算数", "财政资金", "其他资金",
                    "资金用途"])
        for u, projects in enumerate(sizes(units)):
            code = 700001 + u
            for p in range(projects):
                total = Decimal(10000 + 1000 * p)
                w.writerow([code, f"压测县第{u + 1}乡人民政府本级", f"13022925P0{code}{p:03d}",
                            f"项目{p + 1}号经费", total, total, 0, f"保障第{p + 1}项工作"])


def fill_one(job: tuple) -> str:
    src, dest, projects, broken = job
    data = {}
    rng = random.Random(dest)
    for p in range(projects):
        rows = []
        for i in range(20):
            t1, t2, op, value, unit = TIERS[i % len(TIERS)] if i < len(TIERS) else rng.choice(TIERS)
            rows.append([t1, t2, f"指标{i + 1}", f"第{i + 1}个指标的说明", op, value, unit, "计划标准"])
        plan = [25, 50, 75, 100]
        if broken and p == 0:
            plan = [30, 20, 80, 90]
            rows[1][5] = "九十五"
        data[f"{p + 1}.项目{p + 1}号经费"] = {"plan": plan, "fields": {"goal": "1.保障工作正常开展"},
                                          "indicators": rows}
    fill_workbook(Path(src), Path(dest), cover={"contact": "张三", "phone": "0315-0000000"},
                  projects=data)
    return dest


def build(work: Path, units: int) -> tuple[Path, dict[str, Path]]:
    """The round folder and one filled return per unit (cached in work/)."""
    round_dir, returns = work / "下发", work / "returns"
    marker = work / "complete.json"
    if marker.exists() and json.loads(marker.read_text()) == {"units": units}:
        return round_dir, {p.name.split("_")[0]: p for p in sorted(returns.glob("*.xlsx"))}
    shutil.rmtree(work, ignore_errors=True)
    returns.mkdir(parents=True)
    write_list(work / "名单.csv", units)
    batch = generate(round_dir, list_path=work / "名单.csv", year=2025, password=PASSWORD)
    jobs = []
    for n, g in enumerate(batch.files):
        jobs.append((str(round_dir / g.file), str(returns / f"{g.unit_code}_报送.xlsx"),
                     g.projects, n % 5 == 4))
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(fill_one, jobs))
    marker.write_text(json.dumps({"units": units}))
    return round_dir, {p.name.split("_")[0]: p for p in sorted(returns.glob("*.xlsx"))}


def hostile(folder: Path, sample: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<" + b"a" * (300 * 1024 * 1024) + b">")
    files = {"乱码.xlsx": os.urandom(200_000), "空文件.xlsx": b"",
             "截断.xlsx": sample.read_bytes()[: sample.stat().st_size // 2],
             "炸弹.xlsx": bomb.getvalue(), "炸弹.zip": bomb.getvalue(),
             "文档.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096}
    out = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out.append(folder / name)
    return out


def plan_uploads(returns: dict[str, Path], work: Path, count: int, seed: int = 7) -> list[dict]:
    """(unit, file, action, kind) for each upload: mostly .xlsx, 1 in 7 a .zip, 10 % hostile."""
    rng = random.Random(seed)
    codes = sorted(returns)
    zips = work / "zips"
    zips.mkdir(exist_ok=True)
    bad = hostile(work / "hostile", returns[codes[0]])
    uploads = []
    for i in range(count):
        code = codes[i % len(codes)]
        if i % 20 in (2, 7):
            path, kind = bad[(i // 10) % len(bad)], "hostile"
        elif i % 7 == 3:
            path = zips / f"{code}.zip"
            if not path.exists():
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                    zf.write(returns[code], returns[code].name)
            kind = "zip"
        else:
            path, kind = returns[code], "xlsx"
        uploads.append({"n": i, "unit": code, "path": path, "kind": kind,
                        "action": "submit" if rng.random() < 0.7 else "check"})
    return uploads


# ---- the server and the clients ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(round_dir: Path, jobs: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xltool.cli", "serve", str(round_dir),
                             "--port", str(port), "--admin-password", ADMIN, "--jobs", str(jobs)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/", timeout=2)
            return proc, base
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit(proc.stderr.read().decode())
            time.sleep(0.2)
    raise SystemExit("server did not start")


def links(round_dir: Path) -> dict[str, str]:
    with open(round_dir / "分发清单.csv", encoding="utf-8-sig") as fh:
        return {r["单位编码"]: r["填报链接"] for r in csv.DictReader(fh)}


def client(queue: list[dict], lock: threading.Lock, urls: dict[str, str], done: list) -> None:
    with httpx.Client(timeout=300, follow_redirects=False) as http:
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop(0)
            url = urls[job["unit"]]
            data = job["path"].read_bytes()
            record = {**job, "status": None, "seconds": None, "upload_id": None,
                      "answered": False, "sha256": hashlib.sha256(data).hexdigest()}
            try:
                page = http.get(url)
                token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
                start_t = time.perf_counter()
                posted = http.post(url + "/upload", data={"csrf": token, "action": job["action"]},
                                   files={"file": (job["path"].name, data, XLSX)})
                record["status"] = posted.status_code
                if posted.status_code == 303:
                    location = posted.headers["location"]
                    result = http.get(httpx.URL(url).join(location))
                    record["upload_id"] = int(location.rsplit("/", 1)[1])
                    record["answered"] = result.status_code == 200 and "审核结果" in result.text
                record["seconds"] = time.perf_counter() - start_t
            except (httpx.HTTPError, AttributeError) as exc:
                record["error"] = repr(exc)
            done.append(record)


def run_clients(uploads: list[dict], urls: dict[str, str], clients: int) -> tuple[list, float]:
    queue, lock, done = list(uploads), threading.Lock(), []
    threads = [threading.Thread(target=client, args=(queue, lock, urls, done))
               for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, time.perf_counter() - t0


def verify(round_dir: Path, done: list[dict], uploads: list[dict], extra: int) -> dict:
    """extra: the uploads sent one at a time after the load (recorded too)."""
    db = sqlite3.connect(round_dir / ".xltool-serve" / "xltool.sqlite3")
    rows = {r[0]: r for r in db.execute("SELECT id, sha256, state, name FROM uploads")}
    ids = [d["upload_id"] for d in done]
    blobs = round_dir / ".xltool-serve" / "blobs"
    identical = 0
    for d in done:
        row = rows.get(d["upload_id"])
        stored = blobs / d["sha256"][:2] / d["sha256"]
        if row and row[1] == d["sha256"] and stored.read_bytes() == d["path"].read_bytes():
            identical += 1
    unchecked = db.execute("SELECT count(*) FROM uploads u WHERE NOT EXISTS "
                           "(SELECT 1 FROM returns r WHERE r.upload_id = u.id)").fetchone()[0]
    return {"sent": len(uploads), "answered": sum(d["answered"] for d in done),
            "http_303": sum(d["status"] == 303 for d in done),
            "recorded": len(rows) - extra, "distinct_ids": len(set(ids)),
            "byte_identical": identical, "pending": sum(r[2] != "done" for r in rows.values()),
            "uploads_without_result": unchecked}


def cli_check(files: list[Path], work: Path, jobs: int) -> float:
    """`xltool check DIR -o OUT` on the same workbooks (zips as the workbook inside)."""
    folder, out = work / "cli_in", work / "cli_out"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    folder.mkdir()
    for n, f in enumerate(files):
        (folder / f"{n:04d}_{f.name}").write_bytes(f.read_bytes())
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "xltool.cli", "check", str(folder), "-o", str(out),
                    "--jobs", str(jobs), "-q", "--json", str(work / "cli.json")], cwd=ROOT,
                   stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def cli_one(path: Path, work: Path, repeats: int) -> float:
    """Median seconds of `xltool check FILE -o OUT` (start-up included) on one return."""
    times = []
    for n in range(repeats):
        out = work / f"cli_one_{n}"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xltool.cli", "check", str(path), "-o", str(out),
                        "-q", "--jobs", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
        shutil.rmtree(out, ignore_errors=True)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work" / "web")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "web_results.json")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    units, count, clients = (3, 8, 2) if args.smoke else (100, 500, 20)
    round_src, returns = build(args.work / f"round_{units}", units)
    round_dir = args.work / "run" / "下发"        # a fresh copy: the site's data starts empty
    shutil.rmtree(round_dir.parent, ignore_errors=True)
    shutil.copytree(round_src, round_dir)
    uploads = plan_uploads(returns, args.work / "run", count)
    proc, base = start(round_dir, args.jobs)
    try:
        urls = links(round_dir)
        done, wall = run_clients(uploads, urls, clients)
        alive = httpx.get(base + "/", timeout=10).status_code == 200
        five_code = next(c for c, n in zip(sorted(returns), sizes(units)) if n == 5)
        alone = [{"n": -1 - i, "unit": five_code, "path": returns[five_code], "kind": "xlsx",
                  "action": "check"} for i in range(3 if args.smoke else 10)]
        idle, _ = run_clients(alone, urls, 1)     # one upload at a time: no queue
        done_ids = {d["upload_id"] for d in idle}
    finally:
        proc.terminate()
        proc.wait(30)
    checks = verify(round_dir, done, uploads, len(done_ids))
    one_cli = cli_one(returns[five_code], args.work / "run", 3 if args.smoke else 10)
    sizes_of = {code: n for code, n in zip(sorted(returns), sizes(units))}
    five = [d["seconds"] for d in done if d["kind"] == "xlsx" and sizes_of[d["unit"]] == 5]
    workbooks = [returns[d["unit"]] if d["kind"] == "zip" else d["path"] for d in uploads]
    cli_s = cli_check(workbooks, args.work / "run", args.jobs)
    result = {"smoke": args.smoke, "clients": clients, "uploads": count, "jobs": args.jobs,
              "kinds": {k: sum(u["kind"] == k for u in uploads) for k in ("xlsx", "zip", "hostile")},
              **checks, "server_alive_after": alive,
              "web_wall_s": round(wall, 2), "web_uploads_per_s": round(count / wall, 2),
              "cli_wall_s": round(cli_s, 2), "cli_files_per_s": round(count / cli_s, 2),
              "web_vs_cli_throughput": round((count / wall) / (count / cli_s), 2),
              "five_project_p50_s": round(statistics.median(five), 3) if five else None,
              "five_project_p95_s": round(pct(five, 0.95), 3) if five else None,
              "five_project_alone_p50_s": round(statistics.median(
                  d["seconds"] for d in idle), 3),
              "cli_check_one_file_s": round(one_cli, 3),
              "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")
    ok = checks["answered"] == checks["sent"] == checks["recorded"] == checks["distinct_ids"] \
        == checks["byte_identical"] and checks["pending"] == 0 and alive \
        and checks["uploads_without_result"] == 0 and all(d["answered"] for d in idle)
    print("all uploads answered, recorded once, stored byte-identical" if ok else "LOST UPLOADS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
