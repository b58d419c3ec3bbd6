"""Helpers for the web tests: a round folder, returns, and a real server on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl

from support import REPO

from xltool.template.fill import fill_workbook

GENERATED = REPO / "examples" / "generated"
RETURNS = REPO / "examples" / "returns"
CLEAN = RETURNS / "484001_玉田县林西镇人民政府本级_2025年预算项目绩效目标表_已填.xlsx"
BROKEN = RETURNS / "489001_示例县东河镇人民政府本级_2025年预算项目绩效目标表_有错误.xlsx"
ADMIN_PASSWORD = "县局-Test-2025"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def new_round(tmp: Path) -> Path:
    folder = tmp / "下发"
    shutil.copytree(GENERATED, folder)
    return folder


def first_sheet(path: Path) -> str:
    """The first project sheet of a return."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return next(n for n in wb.sheetnames if n[:1].isdigit())
    finally:
        wb.close()


def broken_linxi(dest: Path) -> Path:
    """林西镇's clean return with the spending plan stopping at 90 at 12月底 on one project."""
    fill_workbook(CLEAN, dest, projects={first_sheet(CLEAN): {"plan": [30, 60, 80, 90]}})
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`xltool serve` in its own process on 127.0.0.1 and a free port."""

    def __init__(self, folder: Path, jobs: int = 2):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(folder.parent / "serve.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "xltool.cli", "serve", str(folder), "--port", str(self.port),
             "--admin-password", ADMIN_PASSWORD, "--jobs", str(jobs)],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError((folder.parent / "serve.log").read_text("utf-8"))
                time.sleep(0.2)

    def links(self) -> dict[str, str]:
        import csv
        with open(self.folder / "分发清单.csv", encoding="utf-8-sig") as fh:
            return {r["单位编码"]: r["填报链接"] for r in csv.DictReader(fh)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
