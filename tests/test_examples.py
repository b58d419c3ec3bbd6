"""The bundled examples are what the current code generates from the bundled list."""
from __future__ import annotations

import json

import openpyxl
from support import EXAMPLE_LIST, REPO

from xltool.template.generate import MANIFEST_NAME, generate
from xltool.template.meta import Meta

EXAMPLES = REPO / "examples" / "generated"


def _meta(path):
    wb = openpyxl.load_workbook(path)
    return wb.sheetnames, Meta.from_rows(wb["xt_meta"].iter_rows(values_only=True))


def test_generated_examples_are_current(tmp_path, monkeypatch):
    committed = json.loads((EXAMPLES / MANIFEST_NAME).read_text("utf-8"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # as in examples/README.md
    batch = generate(tmp_path, list_path=EXAMPLE_LIST, year=2025, password=committed["password"])
    fresh = json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))
    assert fresh == committed, "examples/generated is stale: regenerate it (examples/README.md)"
    for g in batch.files:
        assert _meta(EXAMPLES / g.file) == _meta(tmp_path / g.file)
