"""Converting the Word documents to PDF with LibreOffice (when it is installed)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

NOT_INSTALLED = ("没有找到 LibreOffice（soffice），无法生成 PDF；Word 文档已生成。"
                 "请安装 LibreOffice 后重试，或用 Word/WPS 打开文档“另存为 PDF”。")


class PdfError(Exception):
    """Conversion is impossible or failed (Chinese message)."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(documents: list[Path], out_dir: Path, timeout: int = 600) -> list[Path]:
    """Convert every document into out_dir in one LibreOffice run, with a private profile."""
    exe = soffice()
    if exe is None:
        raise PdfError(NOT_INSTALLED)
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix=".xltool-lo-", dir=out_dir) as tmp:
        profile = Path(tmp) / "profile"
        staging = Path(tmp) / "pdf"
        cmd = [exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
               "--convert-to", "pdf", "--outdir", str(staging), *map(str, documents)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout,
                           env={**os.environ, "HOME": tmp})
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"LibreOffice 转换 PDF 失败（{type(exc).__name__}）；Word 文档已生成，"
                           "可用 Word/WPS 打开后另存为 PDF。") from exc
        done = []
        for doc in documents:
            made = staging / (doc.stem + ".pdf")
            if made.exists():
                target = out_dir / made.name
                os.replace(made, target)   # same folder tree: an atomic rename
                done.append(target)
        missing = [d.name for d in documents if out_dir / (d.stem + ".pdf") not in done]
        if missing:
            raise PdfError(f"LibreOffice 未能转换：{'、'.join(missing)}。Word 文档已生成，"
                           "可用 Word/WPS 打开后另存为 PDF。")
        return done
