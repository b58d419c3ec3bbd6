"""The web load test keeps working (a tiny workload; no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys

from support import REPO


def test_web_load_smoke(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "web_load.py"), "--smoke",
                           "--work", str(tmp_path), "--out", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=900, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert result["smoke"] is True and result["kinds"]["hostile"] >= 1
    assert result["kinds"]["zip"] >= 1
    assert result["sent"] == result["answered"] == result["recorded"] == 8
    assert result["byte_identical"] == 8 and result["pending"] == 0
    assert result["server_alive_after"] is True and result["web_vs_cli_throughput"] > 0
