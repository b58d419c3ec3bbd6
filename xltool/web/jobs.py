"""Work the site hands to a separate process: checking uploads and writing the 汇总.

Each job runs in its own process (forked from a preloaded server, so it starts fast) under a
time limit and a memory limit; a hostile or huge file can only make its own job fail, never
block or kill the server. The work itself is the library's: check_paths, annotate,
write_summary — exactly what `xltool check -o` does.
"""
from __future__ import annotations

import multiprocessing
import shutil
import sys
import zipfile
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from ..check.checker import RETURN_SUFFIXES, check_paths, load_expected
from ..read.reader import Unreadable, read_workbook
from ..report.annotate import annotate
from ..report.outputs import needs_copy, report_time
from ..report.summary import write_summary
from ..check.rules import load_rules
from ..template.naming import file_stem

UPLOAD_SUFFIXES = (".xlsx", ".xls", ".ods", ".zip")
MAX_UPLOAD = 60 * 1024 * 1024            # the checker's own limit
ZIP_MAX_MEMBERS = 500
ZIP_MAX_TOTAL = 300 * 1024 * 1024
MEMORY_LIMIT = 2 * 1024 ** 3             # address space of a job process


class JobFailed(Exception):
    """The job process ran out of time or memory, or died (Chinese message)."""


def safe_name(name: str, default: str = "上传文件") -> str:
    """A file name made from what a browser or zip said: its last part only, Windows-safe."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = last.rpartition(".")
    if not dot:
        stem, suffix = last, ""
    suffix = "." + suffix.lower() if suffix.isalnum() and len(suffix) <= 5 else ""
    return file_stem(stem or default) + suffix


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zips made on Chinese Windows store GBK names without saying so."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def expand_zip(src: Path, dest: Path) -> list[tuple[str, Path]] | None:
    """The workbooks inside a zip, extracted under dest with safe names; None when the zip
    cannot be used (not a zip, damaged, absurd sizes, nothing to check)."""
    try:
        with zipfile.ZipFile(src) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            wanted = []
            for info in infos:
                name = _member_name(info)
                parts = PurePosixPath(name.replace("\\", "/")).parts
                if not parts or any(p.startswith((".", "__MACOSX")) for p in parts) or \
                        parts[-1].startswith("~$") or \
                        PurePosixPath(parts[-1]).suffix.lower() not in RETURN_SUFFIXES:
                    continue
                wanted.append((name, info))
            if not wanted or len(wanted) > ZIP_MAX_MEMBERS or \
                    sum(i.file_size for _, i in wanted) > ZIP_MAX_TOTAL or \
                    any(i.file_size > MAX_UPLOAD for _, i in wanted):
                return None
            out = []
            for n, (name, info) in enumerate(wanted):
                folder = dest / f"m{n}"
                folder.mkdir(parents=True)
                path = folder / safe_name(name)
                with zf.open(info) as fh, open(path, "wb") as target:
                    copied = 0
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        copied += len(chunk)
                        if copied > MAX_UPLOAD:
                            return None
                        target.write(chunk)
                out.append((name, path))
            return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError):
        return None


def _cover(path: Path) -> tuple[str | None, str | None]:
    """Contact and phone as the file gives them (for the 催报 list)."""
    try:
        wb = read_workbook(path)
    except (Unreadable, OSError):
        return None, None
    found = []
    for key in ("contact", "phone"):
        cell = wb.cover.get(key)
        value = None if cell is None or cell.value is None else str(cell.value).strip()
        found.append(value or None)
    return found[0], found[1]


def check_job(job: dict) -> list[dict]:
    """Check uploaded files like `xltool check -o` does; runs in a job process.

    job: items [(name, stored path)], work (an empty folder), manifest (or None).
    -> one dict per workbook checked: name, path (the bytes checked), report, annotated,
    contact, phone.
    """
    work = Path(job["work"])
    files: list[tuple[str, Path]] = []
    for n, (name, stored) in enumerate(job["items"]):
        folder = work / f"f{n}"
        folder.mkdir(parents=True)
        target = folder / safe_name(name)
        shutil.copyfile(stored, target)
        inner = expand_zip(target, folder / "zip") if target.suffix == ".zip" else None
        files += inner if inner is not None else [(name, target)]
    units = load_expected(Path(job["manifest"])) if job.get("manifest") else None
    # the site answers what must be fixed; review suggestions (XT8xx) stay with the county's
    # own `xltool check`, so a township is not held up by them online
    report = check_paths([p for _, p in files], units=units, ignore=["XT8"])
    by_path = {f.path: f for f in report.files}
    results = []
    for name, path in files:
        fr = by_path[str(path)]
        annotated = None
        if needs_copy(fr):
            dest = path.parent / "annotated.xlsx"
            try:
                annotate(path, dest, fr)
                annotated = str(dest)
            except Exception:  # the copy is a convenience; the result stands without it
                annotated = None
        contact, phone = _cover(path) if fr.status != "unreadable" else (None, None)
        data = asdict(fr)
        data["path"] = name
        results.append({"name": name, "path": str(path), "report": data,
                        "annotated": annotated, "contact": contact, "phone": phone})
    return results


def summary_job(job: dict) -> str:
    """The 汇总 workbook of the given files, exactly as `xltool check -o` writes it."""
    units = load_expected(Path(job["manifest"])) if job.get("manifest") else None
    rules = load_rules()
    report = check_paths([Path(p) for p in job["files"]], rules=rules, units=units)
    write_summary(Path(job["dest"]), report, rules, units, report_time())
    return job["dest"]


def export_job(job: dict) -> str:
    """The consolidated workbook of the given files, as `xltool export` writes it."""
    from ..export.run import export

    units = load_expected(Path(job["manifest"])) if job.get("manifest") else None
    done = export([Path(p) for p in job["files"]], Path(job["out"]), units=units)
    return str(done.files[0])


# -- running a job in its own process ------------------------------------------------------
def _limits() -> None:
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


def _child(conn, fn, arg) -> None:
    _limits()
    try:
        conn.send(("ok", fn(arg)))
    except MemoryError:
        conn.send(("fail", "内存不足"))
    except BaseException as exc:  # reported to the server, which answers in Chinese
        conn.send(("fail", type(exc).__name__))
    finally:
        conn.close()


_CONTEXT = None


def context():
    global _CONTEXT
    if _CONTEXT is None:
        method = "spawn" if sys.platform == "win32" else "forkserver"
        _CONTEXT = multiprocessing.get_context(method)
        if method == "forkserver":
            _CONTEXT.set_forkserver_preload(["xltool.web.jobs"])
    return _CONTEXT


def run_isolated(fn, arg, timeout: float):
    """fn(arg) in a new process; its result, or JobFailed when it fails or runs out of time."""
    ctx = context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, arg), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise JobFailed(f"审核超过 {int(timeout)} 秒仍未完成，已停止")
        try:
            state, value = parent.recv()
        except (EOFError, OSError):
            raise JobFailed("审核进程意外退出（文件可能过大或已损坏）")
        if state != "ok":
            raise JobFailed(f"审核时出错（{value}）")
        return value
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        if hasattr(proc, "close") and not proc.is_alive():
            proc.close()


def clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


__all__ = ["JobFailed", "MAX_UPLOAD", "UPLOAD_SUFFIXES", "check_job", "summary_job", "export_job",
           "run_isolated", "safe_name", "clear"]
