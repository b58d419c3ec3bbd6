"""The benchmark script keeps working (a tiny workload; no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys

from support import REPO


def test_benchmark_smoke(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke",
                           "--work", str(tmp_path), "--out", str(tmp_path / "r.json")], capture_output=True, text=True,
                          timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "speed-up with --jobs 2" in done.stdout
    result = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert result["smoke"] is True and len(result["per_workbook"]) == 2
    assert all(r["check_vs_calamine"] > 0 and r["cli_vs_floor"] > 0
               for r in result["per_workbook"])
    (batch,) = result["batches"]
    assert batch["returns"] == 6 and [r["reports"] for r in batch["runs"]] == [True, False, True]
    assert batch["runs"][0]["annotated"] > 0 and batch["runs"][1]["annotated"] == 0
    assert "export of 6" in done.stdout
    assert result["export"]["units"] >= 1 and result["export"]["export_vs_check_o"] > 0
