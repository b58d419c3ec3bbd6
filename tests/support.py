"""Helpers shared by the tests: real files, real libraries, a real LibreOffice."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from defusedxml import ElementTree as ET

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_LIST = REPO / "examples" / "distribution.csv"
PASSWORD = "Xt-2025-test"


def xml_of(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(member).decode("utf-8")


def sheet_xml_members(path: Path) -> dict[str, str]:
    """Sheet name -> its XML part, resolved through the workbook's relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    book = ET.fromstring(xml_of(path, "xl/workbook.xml"))
    rels = ET.fromstring(xml_of(path, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", ns)}
    out = {}
    for sheet in book.find("m:sheets", ns):
        target = targets[sheet.get(f"{{{ns['r']}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:  # a missing office suite is a broken machine, not a reason to skip
        raise AssertionError("LibreOffice (soffice) is not installed; run .ci/run or "
                             "apt-get install libreoffice-calc")
    return exe


def convert(src: Path, fmt: str, out_dir: Path) -> Path:
    """Convert with LibreOffice headless (own profile, so parallel runs do not clash)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    cmd = [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
           "--convert-to", fmt, "--outdir", str(out_dir), str(src)]
    env = {**os.environ, "HOME": str(out_dir)}
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    target = out_dir / (src.stem + "." + fmt.split(":")[0])
    assert target.exists(), f"LibreOffice did not convert {src}: {result.stdout}{result.stderr}"
    return target


def set_saved_at(path: Path, moment: str) -> None:
    """Rewrite docProps/core.xml's dcterms:modified, as Excel records the time of a save."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + moment.encode(),
                              data)
            zf.writestr(info, data)
