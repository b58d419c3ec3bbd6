"""Benchmarks: xltool against the floor of the Excel libraries it uses, in the same run.

    python benchmarks/run.py            # full run (builds ~1,000 returns once, cached)
    python benchmarks/run.py --smoke    # a tiny run that only proves the script works
    python benchmarks/run.py --only export   # export of the 1,000 returns against check -o and
                                             # plain check of the same batch, in the same run
    python benchmarks/run.py --only cli      # just the single-file `xltool check --json -` row

Every figure is a median over repeats, and every comparison is a ratio against a baseline
measured in the same run on the same files, because these machines are shared and noisy.
Results: a table on the terminal and benchmarks/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402

from xltool.report.annotate import annotate  # noqa: E402
from xltool.check.checker import check_paths  # noqa: E402
from xltool.template.distlist import Project, Unit  # noqa: E402
from xltool.template.fill import fill_workbook  # noqa: E402
from xltool.check.rules import load_rules  # noqa: E402
from xltool.template.spec import load_framework, load_spec  # noqa: E402
from xltool.template.writer import WorkbookPlan, write_workbook  # noqa: E402

SPEC, FRAMEWORK = load_spec(), load_framework("seed")
PASSWORD = "bench-2025"
TIERS = [("产出指标", "数量指标", "≥", 95, "百分比"), ("产出指标", "质量指标", "≥", 98, "百分比"),
         ("产出指标", "时效指标", "≤", 30, "天"), ("产出指标", "成本指标", "≤", 20000, "元"),
         ("效益指标", "社会效益指标", "定性", "优", None), ("效益指标", "经济效益指标", "≥", 3, "项"),
         ("效益指标", "可持续影响指标", "≥", 5, "年"),
         ("满意度指标", "服务对象满意度指标", "≥", 95, "百分比")]


# ---- workloads -------------------------------------------------------------------------------

def make_unit(code: int, projects: int) -> Unit:
    items = []
    for p in range(projects):
        total = Decimal(10000 + 1000 * p).quantize(Decimal("0.01"))
        items.append(Project(f"13022925P00BEN{code % 10**5:05d}{p:02d}", f"项目{p + 1}号经费",
                             total, total, Decimal("0.00"), f"保障第{p + 1}项工作正常开展"))
    return Unit(str(code), f"基准县第{code}乡人民政府本级", tuple(items))


def indicator_rows(seed: int, rows: int = 20) -> list[list]:
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        t1, t2, op, value, unit = TIERS[i % len(TIERS)] if i < len(TIERS) else rng.choice(TIERS)
        out.append([t1, t2, f"指标{i + 1}", f"第{i + 1}个指标的说明", op, value, unit, "计划标准"])
    return out


def fill_one(job: tuple) -> str:
    """Generate and fill one return (in a worker process)."""
    code, projects, broken, folder = job
    folder = Path(folder)
    blank = folder / f".{code}.xlsx"
    write_workbook(blank, SPEC, FRAMEWORK, WorkbookPlan(2025, make_unit(code, projects), 5,
                                                        PASSWORD, "2025-01-01T00:00:00Z"))
    data = {}
    for p in range(projects):
        rows = indicator_rows(code * 100 + p)
        plan = [25, 50, 75, 100]
        if broken and p == 0:
            plan = [30, 20, 80, 90]
            rows[1][5] = "九十五"
            rows[3][1] = "社会效益指标"
        data[f"{p + 1}.项目{p + 1}号经费"] = {"plan": plan, "fields": {"goal": "1.保障工作正常开展"},
                                          "indicators": rows}
    dest = folder / f"{code}_基准乡_{projects}项.xlsx"
    fill_workbook(blank, dest, cover={"contact": "张三", "phone": "0315-0000000"},
                  projects=data)
    blank.unlink()
    return dest.name


def build(folder: Path, plan: list[tuple[int, int, bool]], jobs: int) -> list[Path]:
    marker = folder / "complete.json"
    wanted = [[c, n, b] for c, n, b in plan]
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("."))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(fill_one, [(c, n, b, str(folder)) for c, n, b in plan], chunksize=8))
    marker.write_text(json.dumps(wanted))
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("."))


# ---- floors ----------------------------------------------------------------------------------

def calamine_floor(path: Path) -> None:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def openpyxl_floor(path: Path) -> None:
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    wb.close()


def openpyxl_load_save(path: Path, dest: Path) -> None:
    openpyxl.load_workbook(path).save(dest)


def bare_xlsxwriter(path: Path, unit: Unit) -> None:
    """The same cells, validations, names and protection, written with no logic of ours."""
    wb = xlsxwriter.Workbook(str(path))
    label = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    locked = wb.add_format({"border": 1, "bg_color": "#EDEDED", "text_wrap": True})
    amount = wb.add_format({"border": 1, "bg_color": "#EDEDED", "num_format": "#,##0.00"})
    free = wb.add_format({"border": 1, "bg_color": "#FFF2CC", "locked": False})
    cover = wb.add_worksheet("填报说明")
    for r in range(14):
        cover.write_string(r, 0, f"说明{r}", label)
        cover.write_string(r, 1, "填报说明文字" * 8, locked)
    cover.protect(PASSWORD)
    dept = wb.add_worksheet("部门整体绩效目标")   # the same cells as ours: 10 areas, 80 indicators
    dept.merge_range(0, 0, 0, 7, "2025年部门整体绩效目标表", label)
    for r, text in ((3, "一、总体绩效目标"), (5, "二、分项绩效目标"), (17, "分项绩效指标"),
                    (99, "三、工作保障措施")):
        dept.merge_range(r, 0, r, 7, text, label)
    dept.write_string(2, 0, "预算总额", label)
    dept.merge_range(2, 1, 2, 2, float(sum(p.total for p in unit.projects)), amount)
    for r in (4, 100):
        dept.merge_range(r, 0, r, 7, "", free)
    for r in range(7, 17):
        dept.write_blank(r, 0, None, free)
        dept.merge_range(r, 1, r, 7, "", free)
    for c in range(8):
        dept.write_string(18, c, f"表头{c}", label)
        for r in range(19, 99):
            dept.write_blank(r, c, None, free)
    for c, source in ((0, "=$A$8:$A$17"), (1, "=xt_dept_tier1"),
                      (2, '=INDIRECT("xt_dept_t2_"&MATCH($B20,xt_dept_tier1,0))'),
                      (4, "=xt_ops"), (6, "=xt_units"), (7, "=xt_basis")):
        dept.data_validation(19, c, 98, c, {"validate": "list", "source": source})
    for key, ref in (("goal", "$A$5"), ("areas", "$A$8:$B$17"), ("indicators", "$A$20:$H$99"),
                     ("measures", "$A$101")):
        wb.define_name(f"'{dept.name}'!xt_dept_{key}", f"='{dept.name}'!{ref}")
    dept.protect(PASSWORD)
    for i, p in enumerate(unit.projects, start=1):
        ws = wb.add_worksheet(f"{i}.{p.name}")
        ws.merge_range(0, 0, 0, 7, "2025年预算项目绩效目标表", label)
        for r, c, text in ((2, 0, "项目编码"), (2, 4, "项目名称"), (3, 1, "预算数"), (3, 3, "财政资金"),
                           (3, 6, "其他资金"), (4, 1, "资金用途"), (7, 0, "绩效目标")):
            ws.write_string(r, c, text, label)
        ws.merge_range(2, 1, 2, 3, p.code, locked)
        ws.merge_range(2, 5, 2, 7, p.name, locked)
        ws.write_number(3, 2, float(p.total), amount)
        ws.merge_range(3, 4, 3, 5, float(p.fiscal), amount)
        ws.write_number(3, 7, float(p.other), amount)
        ws.merge_range(4, 2, 4, 7, p.purpose or "", locked)
        ws.merge_range(7, 1, 7, 7, "", free)
        for c in range(4):
            ws.write_string(5, 1 + c, SPEC.checkpoints[c], label)
            ws.write_blank(6, 1 + c, None, free)
        for c, h in enumerate(("一级指标", "二级指标", "三级指标", "绩效指标描述", "符号", "指标值",
                               "计量单位", "指标值确定依据")):
            ws.write_string(8, c, h, label)
            for r in range(9, 29):
                ws.write_blank(r, c, None, free)
        for c, source in ((0, "=xt_tier1"), (1, '=INDIRECT("xt_t2_"&MATCH($A10,xt_tier1,0))'),
                          (4, "=xt_ops"), (6, "=xt_units"), (7, "=xt_basis")):
            ws.data_validation(9, c, 28, c, {"validate": "list", "source": source})
        ws.data_validation(6, 1, 6, 4, {"validate": "decimal", "criteria": "between",
                                        "minimum": 0, "maximum": 100})
        for key, ref in (("project_code", "$B$3"), ("goal", "$B$8"), ("plan", "$B$7:$E$7"),
                         ("indicators", "$A$10:$H$29")):
            wb.define_name(f"'{ws.name}'!xt_{key}", f"='{ws.name}'!{ref}")
        ws.protect(PASSWORD)
    lists = wb.add_worksheet("xt_lists")
    for c, items in enumerate((["产出指标", "效益指标", "满意度指标"], SPEC.lists.units)):
        for r, item in enumerate(items):
            lists.write_string(r, c, item)
    wb.define_name("xt_tier1", "=xt_lists!$A$1:$A$3")
    meta = wb.add_worksheet("xt_meta")
    for r in range(20 + 40 * len(unit.projects)):
        for c, text in enumerate(("cell", "sheet", f"A{r}", "value")):
            meta.write_string(r, c, text)
    meta.very_hidden()
    wb.close()


# ---- measuring -------------------------------------------------------------------------------

def median_ms(fn, repeats: int) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def paired_median_ms(fn, floor, repeats: int, clock=time.perf_counter) -> tuple[float, float]:
    """Medians of fn and of its floor run alternately, so both meet the same machine load.
    In-process work is timed with this process's CPU clock (clock=time.process_time): on a
    shared machine the wall clock also counts the time other processes held the core."""
    fn(), floor()
    a, b = [], []
    for _ in range(repeats):
        for f, times in ((fn, a), (floor, b)):
            start = clock()
            f()
            times.append(clock() - start)
    return statistics.median(a) * 1000, statistics.median(b) * 1000


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, summed (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def watch(proc: subprocess.Popen) -> tuple[int, float]:
    """Wait for a process: peak RSS of its tree (kB) and the mean 1-minute load average."""
    peak, loads = 0, []
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        loads.append(os.getloadavg()[0])
        time.sleep(0.2)
    return peak, round(statistics.mean(loads), 2) if loads else os.getloadavg()[0]


def process_env() -> dict:
    """The environment of a command people run: Python caches its compiled modules (an
    installed package has them), so a measured process does not compile xltool each time."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cli_single(path: Path) -> None:
    """What a township waits for: the whole `xltool check one.xlsx --json -` process
    (`python -m xltool` runs what the installed `xltool` command runs)."""
    subprocess.run([sys.executable, "-m", "xltool", "check", str(path), "--json", "-"],
                   cwd=ROOT, stdout=subprocess.DEVNULL, env=process_env(), check=False)


def cli_floor(path: Path) -> None:
    """The floor of that: a Python process that imports calamine and reads every sheet."""
    code = ("import sys, python_calamine\n"
            "wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
            "for name in wb.sheet_names:\n    wb.get_sheet_by_name(name).to_python()\n")
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=process_env(),
                   check=True)


def run_batch(folder: Path, out: Path, jobs: int, reports: bool = True,
              listing: bool = True) -> dict:
    """`xltool check DIR [-o OUT] --jobs N` as a process: wall time and peak RSS of its tree.
    Without `listing`, `--json -` (the JSON on stdout instead of the issue listing that check
    prints on the terminal: with tens of thousands of issues that listing is a large part of
    a run)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    json_path = out.parent / f"{out.name}.json"
    cmd = [sys.executable, "-m", "xltool.cli", "check", str(folder), "--jobs", str(jobs), "-q",
           "--json", str(json_path) if listing else "-"]
    if reports:
        cmd[4:4] = ["-o", str(out)]
    start = time.perf_counter()
    with open(os.devnull if listing else json_path, "wb") as stdout:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE,
                                env=process_env())
        peak, load = watch(proc)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed: {proc.stderr.read().decode()}")
    report = json.loads((out.parent / f"{out.name}.json").read_text("utf-8"))
    return {"jobs": jobs, "reports": reports, "listing": listing, "wall_s": round(wall, 2),
            "peak_rss_mb": round(peak / 1024, 1), "load_avg": load,
            "files": len(report["files"]),
            "with_errors": report["summary"]["errors"],
            "annotated": len(list((out / "退回修改").glob("*.xlsx")))}


EXPORT_PAIRS = 3
BATCH_PAIRS = 3


def _median_run(runs: list[dict]) -> dict:
    """The run of median wall time."""
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def run_export(folder: Path, out: Path, jobs: int) -> dict:
    """`xltool export DIR -o OUT --jobs N` (consolidated workbook; checks every file first)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "xltool.cli", "export", str(folder), "-o", str(out),
           "--jobs", str(jobs), "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=process_env())
    peak, load = watch(proc)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"export failed: {proc.stderr.read().decode()}")
    wb = openpyxl.load_workbook(out / "绩效目标汇总.xlsx", read_only=True)
    units = wb["单位"].max_row - 1
    indicators = wb["项目指标"].max_row - 1
    wb.close()
    return {"jobs": jobs, "wall_s": round(wall, 2), "peak_rss_mb": round(peak / 1024, 1),
            "load_avg": load, "units": units,
            "indicator_rows": indicators}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny workload, one repeat")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--sizes", default="5,20,50,200",
                        help="projects per workbook of the single-workbook rows (0: none)")
    parser.add_argument("--batches", default="100,1000", help="batch sizes (0: none)")
    parser.add_argument("--only", choices=("export", "cli"),
                        help="export: only the export of the biggest batch and the two checks "
                             "of that batch it is compared with; cli: only the single-file "
                             "process row (`check F --json -` against a bare calamine process) "
                             "at 5, 20 and 50 projects")
    args = parser.parse_args()
    if args.only == "cli":
        return only_cli(args)
    sizes = tuple(int(n) for n in args.sizes.split(",") if int(n)) if not args.smoke else (2, 3)
    repeats = {n: max(3, min(21, 105 // n)) for n in sizes} if not args.smoke else \
        {2: 1, 3: 1}
    batch_sizes = [int(n) for n in args.batches.split(",") if int(n)] if not args.smoke \
        else [6]
    work = args.work / ("smoke" if args.smoke else "full")
    work.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    if args.only == "export":
        sizes, batch_sizes = (), [max(batch_sizes)]

    singles = build(work / "single", [(900000 + n, n, False) for n in sizes], 2) if sizes else []
    rows = []
    for n, path in zip(sizes, sorted(singles, key=lambda p: int(p.stem.split("_")[-1][:-1]))):
        r = repeats[n]
        unit = make_unit(900000 + n, n)
        check, cal = paired_median_ms(lambda: check_paths([path], rules=rules),
                                      lambda: calamine_floor(path), max(r, 7),
                                      clock=time.process_time)
        opx = median_ms(lambda: openpyxl_floor(path), r)
        report = check_paths([path], rules=rules).files[0]
        report.issues = report.issues or []
        ann = median_ms(lambda: annotate(path, work / "annotated.xlsx", report), r)
        loadsave = median_ms(lambda: openpyxl_load_save(path, work / "loadsave.xlsx"), r)
        gen = median_ms(lambda: write_workbook(
            work / "gen.xlsx", SPEC, FRAMEWORK,
            WorkbookPlan(2025, unit, 5, PASSWORD, "2025-01-01T00:00:00Z")), r)
        bare = median_ms(lambda: bare_xlsxwriter(work / "bare.xlsx", unit), r)
        cli, cli_base = paired_median_ms(lambda: cli_single(path), lambda: cli_floor(path),
                                         max(r, 7) if not args.smoke else 1)
        rows.append({"projects": n, "check_ms": round(check, 2), "calamine_ms": round(cal, 2),
                     "openpyxl_ro_ms": round(opx, 2), "check_vs_calamine": round(check / cal, 2),
                     "check_vs_openpyxl_ro": round(check / opx, 2),
                     "annotate_ms": round(ann, 2), "load_save_ms": round(loadsave, 2),
                     "annotate_vs_load_save": round(ann / loadsave, 2),
                     "generate_ms": round(gen, 2), "bare_xlsxwriter_ms": round(bare, 2),
                     "generate_vs_bare": round(gen / bare, 2),
                     "check_ms_per_project": round(check / n, 3),
                     "cli_ms": round(cli, 1), "cli_floor_ms": round(cli_base, 1),
                     "cli_vs_floor": round(cli / cli_base, 2)})

    rng = random.Random(7)
    mix = [5] * 16 + [20] * 3 + [50] if not args.smoke else [2, 3]
    batches, export = [], None
    if batch_sizes:
        built = max(batch_sizes + ([1000] if not args.smoke else []))  # one cached corpus
        plan = [(100000 + i, rng.choice(mix), rng.random() < 0.2) for i in range(built)]
        files = build(work / "batch", plan, 2)
        biggest = max(batch_sizes)
        for n in sorted(batch_sizes):
            folder = work / "batch"
            if n < built:   # the first n returns of the corpus
                folder = work / f"batch{n}"
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                for f in files[:n]:
                    shutil.copy(f, folder / f.name)
            # with and without -o alternately (single runs move by a third here), medians
            pairs = [(run_batch(folder, work / f"out{n}_j2", 2),
                      run_batch(folder, work / f"out{n}_plain", 2, reports=False))
                     for _ in range(1 if args.smoke else BATCH_PAIRS)]
            runs = [_median_run([o for o, _ in pairs]), _median_run([p for _, p in pairs])]
            if n == biggest and not args.only:
                runs.append(run_batch(folder, work / f"out{n}_j1", 1))
            batches.append({"returns": n, "runs": runs,
                            "pairs": [{"reports_s": o["wall_s"], "plain_s": p["wall_s"]}
                                      for o, p in pairs],
                            "reports_vs_plain": round(statistics.median(
                                o["wall_s"] / p["wall_s"] for o, p in pairs), 2),
                            "speedup_jobs2": round(runs[2]["wall_s"] / runs[0]["wall_s"], 2)
                            if len(runs) > 2 else None})
        # export (consolidated workbook) of the biggest batch against check of the same batch
        big = next(b for b in batches if b["returns"] == biggest)
        # a single run of each moves by a third from one run to the next on a shared machine:
        # export and the check it is compared with run alternately, and the medians count
        pairs = []
        for _ in range(1 if args.smoke else EXPORT_PAIRS):
            plain = run_batch(work / "batch", work / "check_pair_j2", 2, reports=False)
            pairs.append((plain["wall_s"], run_export(work / "batch", work / "export_j2", 2)))
        exported = sorted((e for _, e in pairs), key=lambda e: e["wall_s"])[len(pairs) // 2]
        check_plain = statistics.median(s for s, _ in pairs)
        bare = run_batch(work / "batch", work / "check_json_j2", 2, reports=False, listing=False)
        check_o = big["runs"][0]["wall_s"]
        export = {"returns": biggest, **exported, "check_o_jobs2_s": check_o,
                  "check_plain_jobs2_s": check_plain, "check_json_jobs2": bare,
                  "pairs": [{"check_s": s, "export_s": e["wall_s"]} for s, e in pairs],
                  "export_vs_check_o": round(exported["wall_s"] / check_o, 2),
                  "export_vs_check_plain": round(statistics.median(
                      e["wall_s"] / s for s, e in pairs), 2),
                  "export_vs_check_json": round(exported["wall_s"] / bare["wall_s"], 2)}

    result = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}",
              "smoke": args.smoke, "per_workbook": rows, "batches": batches,
              "export": export}
    out = args.out
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(result)


def only_cli(args) -> None:
    """The whole-process row alone, with the load average before and after."""
    sizes = tuple(int(n) for n in args.sizes.split(",")) if args.sizes != "5,20,50,200" \
        else (5, 20, 50)
    if args.smoke:
        sizes = (2, 3)
    work = args.work / ("smoke" if args.smoke else "full")
    work.mkdir(parents=True, exist_ok=True)
    singles = build(work / "single", [(900000 + n, n, False) for n in sizes], 2)
    by_size = {int(p.stem.split("_")[-1][:-1]): p for p in singles}
    load_before = os.getloadavg()
    rows = []
    for n in sizes:
        path = by_size[n]
        cli, base = paired_median_ms(lambda: cli_single(path), lambda: cli_floor(path),
                                     1 if args.smoke else 15)
        rows.append({"projects": n, "cli_ms": round(cli, 1), "cli_floor_ms": round(base, 1),
                     "cli_vs_floor": round(cli / base, 2)})
    load_after = os.getloadavg()
    print(f"xltool check F --json - (whole process) against a bare calamine process, "
          f"{date.today().isoformat()}, medians; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after")
    print(f"{'projects':>8} {'cli ms':>8} {'floor ms':>9} {'×':>6}")
    for r in rows:
        print(f"{r['projects']:>8} {r['cli_ms']:>8.1f} {r['cli_floor_ms']:>9.1f} "
              f"{r['cli_vs_floor']:>6.2f}")


def print_table(result: dict) -> None:
    print(f"xltool benchmarks, {result['date']}, {result['machine']} (medians)")
    print(f"{'projects':>8} {'check':>8} {'calamine':>9} {'×':>6} {'opx-ro':>8} {'×':>6} "
          f"{'annot.':>8} {'ld+save':>8} {'×':>6} {'generate':>9} {'bare':>7} {'×':>6} "
          f"{'cli':>7} {'floor':>6} {'×':>6}")
    for r in result["per_workbook"]:
        print(f"{r['projects']:>8} {r['check_ms']:>8.1f} {r['calamine_ms']:>9.1f} "
              f"{r['check_vs_calamine']:>6.2f} {r['openpyxl_ro_ms']:>8.1f} "
              f"{r['check_vs_openpyxl_ro']:>6.2f} {r['annotate_ms']:>8.1f} "
              f"{r['load_save_ms']:>8.1f} {r['annotate_vs_load_save']:>6.2f} "
              f"{r['generate_ms']:>9.1f} {r['bare_xlsxwriter_ms']:>7.1f} "
              f"{r['generate_vs_bare']:>6.2f} {r['cli_ms']:>7.1f} {r['cli_floor_ms']:>6.1f} "
              f"{r['cli_vs_floor']:>6.2f}")
    for b in result["batches"]:
        for run in b["runs"]:
            what = "check -o (annotated copies, 汇总)" if run["reports"] else "check without -o"
            print(f"batch of {b['returns']}, {what}, --jobs {run['jobs']}: {run['wall_s']} s, "
                  f"peak RSS {run['peak_rss_mb']} MB, load {run['load_avg']}, "
                  f"{run['with_errors']} with errors, "
                  f"{run['annotated']} annotated")
        print(f"batch of {b['returns']}: with reports / without = {b['reports_vs_plain']}× "
              "(median of " + ", ".join(f"{x['reports_s']} s / {x['plain_s']} s"
                                        for x in b["pairs"]) + ", run alternately)"
              + (f", speed-up with --jobs 2: {b['speedup_jobs2']}×" if b["speedup_jobs2"]
                 else ""))
    e = result.get("export")
    if e:
        print(f"export of {e['returns']} (consolidated workbook, --jobs 2, {e['units']} units, "
              f"{e['indicator_rows']} indicator rows): {e['wall_s']} s, peak RSS "
              f"{e['peak_rss_mb']} MB, load {e['load_avg']}; × check -o {e['export_vs_check_o']}, "
              f"× check alone {e['export_vs_check_plain']} (median of "
              + ", ".join(f"{x['export_s']} s / {x['check_s']} s" for x in e["pairs"])
              + ", run alternately)")
        b = e["check_json_jobs2"]
        print(f"batch of {e['returns']}, check --json - (no issue listing), --jobs 2: "
              f"{b['wall_s']} s, peak RSS {b['peak_rss_mb']} MB, load {b['load_avg']}; "
              f"export × this {e['export_vs_check_json']}")


if __name__ == "__main__":
    main()
