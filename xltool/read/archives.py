""".zip attachments: each workbook inside is checked as if it were in the folder.

A member is reported as `归档.zip/文件.xlsx`. Names written by Chinese Windows (GBK, without
the zip's UTF-8 flag) are decoded as GBK. Members are copied, size-capped, into a private
temporary folder only (never next to the archive); what cannot be taken safely is refused
with a Chinese message: archives inside archives, absolute or `..` paths, too many members,
members that expand far beyond their compressed size.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .books import MAX_FILE_BYTES

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett", ".ods")
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tar", ".tgz", ".bz2", ".xz")
MAX_MEMBERS = 500
MAX_RATIO = 200
MAX_TOTAL = 300 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One file to check: where it is shown (`display`), where it is read (`local`), or why it
    cannot be (`problem`, Chinese)."""
    display: Path
    local: Path | None
    problem: str | None = None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it: GBK when the UTF-8 flag is not set."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


_temp: list[Path] = []


def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="xltool-zip-"))
    if not _temp:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _temp])
    _temp.append(folder)
    return folder


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") \
        or ".." in path.parts


def expand(archive: Path) -> list[Entry]:
    """The workbooks of one .zip attachment (or one Entry saying why none can be taken)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [Entry(archive, None, "压缩包已损坏或不是 zip 格式，无法打开。请把表格直接作为附件报送。")]
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL:
            return [Entry(archive, None, "压缩包内容异常（文件过多或解压后过大），为安全起见未打开。"
                                         "请把表格直接作为附件报送。")]
        out: list[Entry] = []
        scratch: Path | None = None
        for n, info in enumerate(infos):
            name = member_name(info)
            shown = archive / name.replace("\\", "/").lstrip("/")
            base = PurePosixPath(name.replace("\\", "/")).name
            if base.startswith(("~$", ".~lock", "._")) or name.startswith("__MACOSX/"):
                continue
            suffix = PurePosixPath(base).suffix.lower()
            if _unsafe(name):
                out.append(Entry(archive / base, None, f"压缩包中的“{name}”路径不安全（绝对路径或含 ..），"
                                                       "未解压。请把表格直接作为附件报送。"))
            elif suffix in ARCHIVE_SUFFIXES:
                out.append(Entry(shown, None, "压缩包里又套了压缩包，未打开。请把表格直接作为附件报送，"
                                              "或只压缩一层。"))
            elif suffix not in WORKBOOK_SUFFIXES:
                continue
            elif info.file_size > MAX_FILE_BYTES or (info.file_size > 1024 * 1024 and
                                                     info.file_size > MAX_RATIO * max(
                                                         info.compress_size, 1)):
                out.append(Entry(shown, None, "压缩包中的文件解压后异常大，为安全起见未打开。"
                                              "请把表格直接作为附件报送。"))
            elif info.flag_bits & 0x1:
                out.append(Entry(shown, None, "压缩包设置了密码，无法打开。请把表格直接作为附件报送。"))
            else:
                scratch = scratch or _scratch()
                local = scratch / str(n) / base
                local.parent.mkdir()
                try:
                    _copy(zf, info, local)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                    out.append(Entry(shown, None, "压缩包中的文件已损坏，无法解压。请把表格直接作为附件报送。"))
                    continue
                out.append(Entry(shown, local))
        if not out:
            return [Entry(archive, None, "压缩包里没有 Excel 表格（.xlsx）。请把填好的表格作为附件报送。")]
        return out


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """Copy a member, never writing more than it declared (a lying header stops here)."""
    left = info.file_size
    with zf.open(info) as src, open(dest, "wb") as out:
        while True:
            chunk = src.read(min(1 << 20, left + 1))
            if not chunk:
                break
            left -= len(chunk)
            if left < 0:
                raise ValueError("member larger than declared")
            out.write(chunk)
