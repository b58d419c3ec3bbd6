"""`xltool check FILE --json -` without the typer application: the same output, exit code and
messages as the full command line, and none of the heavy libraries imported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

from xltool.__main__ import plain_check


@pytest.mark.parametrize("args, expected", [
    (["check", "a.xlsx", "--json", "-"], (["a.xlsx"], "-", False)),
    (["check", "a.xlsx", "收回/", "-q"], (["a.xlsx", "收回/"], None, True)),
    (["check", "--json=out.json", "a.xlsx", "--quiet"], (["a.xlsx"], "out.json", True)),
    (["check", "a.xlsx"], (["a.xlsx"], None, False)),
    (["check"], None),                                   # typer says what is missing
    (["check", "--json", "-"], None),
    (["check", "a.xlsx", "--json"], None),
    (["check", "a.xlsx", "--json", "-q"], None),          # an option where a value belongs
    (["check", "a.xlsx", "--json", "-", "--json", "b"], None),
    (["check", "a.xlsx", "-o", "报告"], None),             # any other option: the full CLI
    (["check", "a.xlsx", "--help"], None),
    (["check", "a.xlsx", "--"], None),
    (["check", ""], None),
    (["rules"], None),
    ([], None),
])
def test_plain_check_arguments(args, expected):
    got = plain_check(args)
    if expected is None:
        assert got is None
    else:
        paths, json_out, quiet = expected
        assert got == ([Path(p) for p in paths], json_out, quiet)


def _run(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_same_json_and_exit_code_as_the_full_command_line(linxi, tmp_path):
    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    for path, code in ((linxi, 0), (broken, 1)):
        quick, full = _run("xltool", "check", str(path), "--json", "-"), \
            _run("xltool.cli", "check", str(path), "--json", "-")
        assert quick.returncode == full.returncode == code
        assert json.loads(quick.stdout) == json.loads(full.stdout)
        assert json.loads(quick.stdout)["files"][0]["path"].endswith(path.name)
    written = tmp_path / "结果.json"
    quick = _run("xltool", "check", str(linxi), f"--json={written}", "-q")
    assert quick.returncode == 0 and "JSON 结果已写入" in quick.stdout
    assert json.loads(written.read_text("utf-8"))["files"][0]["unit_code"] == "484001"


def test_same_messages_as_the_full_command_line(linxi, tmp_path):
    missing = tmp_path / "没有这个文件.xlsx"
    quick, full = _run("xltool", "check", str(missing)), _run("xltool.cli", "check", str(missing))
    assert quick.returncode == full.returncode == 2
    assert quick.stderr == full.stderr and "找不到" in quick.stderr and "Traceback" not in quick.stderr
    quick, full = _run("xltool", "check", str(linxi)), _run("xltool.cli", "check", str(linxi))
    assert quick.returncode == full.returncode == 0
    assert quick.stdout == full.stdout and "审核结果" in quick.stdout
    # anything else goes through the typer application: the Chinese help page
    helped = _run("xltool", "check", "--help")
    assert helped.returncode == 0 and "用法：xltool check" in helped.stdout


def test_plain_check_imports_none_of_the_heavy_libraries(linxi):
    probe = ("import sys\n"
             "from xltool.__main__ import main\n"
             f"sys.argv = ['xltool', 'check', {str(linxi)!r}, '--json', '-']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = ('typer', 'click', 'rich', 'openpyxl', 'xlsxwriter', 'docx', 'starlette')\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), "
             "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert json.loads(done.stdout)["files"][0]["unit_code"] == "484001"
    assert done.stderr.strip() == "[]"
