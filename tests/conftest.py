from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the model cache (xltool/modelcache.py) of this run starts empty, outside the user's home;
# processes the tests start inherit it
os.environ["XLTOOL_CACHE_DIR"] = tempfile.mkdtemp(prefix="xltool-test-cache-")

from support import EXAMPLE_LIST, PASSWORD  # noqa: E402

from xltool.template.generate import generate  # noqa: E402
from xltool.template.spec import load_framework, load_spec  # noqa: E402


@pytest.fixture(scope="session")
def spec():
    return load_spec()


@pytest.fixture(scope="session")
def framework():
    return load_framework("seed")


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """The bundled example list, generated once for the session."""
    out = tmp_path_factory.mktemp("generated")
    return generate(out, list_path=EXAMPLE_LIST, year=2025, password=PASSWORD)


@pytest.fixture(scope="session")
def blank_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("blank")
    return generate(out, year=2025, password=PASSWORD)


@pytest.fixture(scope="session")
def linxi(batch) -> Path:
    """The generated workbook of 484001 玉田县林西镇人民政府本级 (the seed's township)."""
    return batch.out_dir / next(g.file for g in batch.files if g.unit_code == "484001")


@pytest.fixture(scope="session")
def blank_book(blank_batch) -> Path:
    return blank_batch.out_dir / blank_batch.files[0].file
