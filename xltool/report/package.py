"""Patching an .xlsx package in place of a round trip: parts are kept byte for byte, and the
few that change (styles, the sheets that get marks, the workbook's sheet list) are edited as
text, so everything a writer put there that we do not model stays exactly as it was.

Every element is matched with the namespace prefix the writer used (`<x:c>` as well as `<c>`).
"""
from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import lru_cache

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = REL_NS + "/worksheet"
STYLES_TYPE = REL_NS + "/styles"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class PackageError(Exception):
    """The package is not an .xlsx we can patch."""


_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>\"']")


def esc(text: str) -> str:
    """Text for XML content or attributes; characters XML 1.0 forbids are dropped."""
    if not _SPECIAL.search(text):
        return text
    return html.escape(_FORBIDDEN.sub("", text), quote=True)


def prefix_of(xml: str, ns: str = MAIN_NS) -> str:
    """The prefix ("x:" or "") bound to `ns` on the root element."""
    root = re.search(r"<(?!\?|!)[^>]*>", xml)
    if root is None:
        raise PackageError("empty part")
    m = re.search(r'\sxmlns(?::([\w.-]+))?\s*=\s*["\']' + re.escape(ns) + r'["\']', root.group(0))
    if m is None:
        return ""
    return f"{m.group(1)}:" if m.group(1) else ""


@lru_cache(maxsize=512)
def _pattern(template: str, p: str = "", name: str = "") -> re.Pattern:
    """A compiled pattern with the escaped prefix and name put in (compiled once)."""
    return re.compile(template.replace("{p}", re.escape(p)).replace("{name}", re.escape(name)),
                      re.S)


_ATTR = r'\s{name}\s*=\s*(["\'])(.*?)\1'
_ELEMENT = r"<{p}{name}\b[^>]*?(?:/>|>.*?</{p}{name}\s*>)"
_START = r"<{p}{name}\b[^>]*?>"
_EMPTY = r"<{p}{name}\b[^>]*?/>"


def attr(tag: str, name: str) -> str | None:
    m = _pattern(_ATTR, "", name).search(tag)
    if m is None:
        return None
    value = m.group(2)
    return html.unescape(value) if "&" in value else value


def set_attr(tag: str, name: str, value: str | None) -> str:
    """The start tag with attribute `name` set (or removed when value is None)."""
    tag = _pattern(_ATTR, "", name).sub("", tag)
    if value is None:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{esc(value)}"{tag[end:]}'


def elements(xml: str, p: str, name: str, start: int = 0, end: int | None = None):
    """(start, end, text) of each `<p:name ...>...</p:name>` or `<p:name .../>` (not nested)."""
    pattern = _pattern(_ELEMENT, p, name)
    for m in pattern.finditer(xml, start, len(xml) if end is None else end):
        yield m.start(), m.end(), m.group(0)


def container(xml: str, p: str, name: str) -> tuple[int, int] | None:
    """(start of content, end of content) of the first `<p:name>` element; an empty element
    `<p:name/>` is expanded first by the caller (see expand)."""
    m = _pattern(_START, p, name).search(xml)
    if m is None or m.group(0).endswith("/>"):
        return None
    close = xml.find(f"</{p}{name}", m.end())
    return (m.end(), close) if close >= 0 else None


def expand(xml: str, p: str, name: str) -> str:
    """`<p:name .../>` -> `<p:name ...></p:name>` (first occurrence)."""
    m = _pattern(_EMPTY, p, name).search(xml)
    if m is None:
        return xml
    tag = m.group(0)
    return xml[:m.start()] + tag[:-2].rstrip() + f"></{p}{name}>" + xml[m.end():]


def set_count(xml: str, p: str, name: str, count: int) -> str:
    m = re.search(rf"<{re.escape(p)}{name}\b[^>]*?>", xml)
    return xml[:m.start()] + set_attr(m.group(0), "count", str(count)) + xml[m.end():]


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relative(base_part: str, part: str) -> str:
    """The target of a relationship from base_part to part, e.g. ("xl/worksheets/sheet1.xml",
    "xl/comments1.xml") -> "../comments1.xml" (both are part names: no file system)."""
    folder = posixpath.dirname(base_part)
    base = folder.split("/") if folder else []
    target = part.split("/")
    common = 0
    while common < min(len(base), len(target) - 1) and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:])


_REL_ID = re.compile(r'\sId\s*=\s*["\']([^"\']*)["\']')


@dataclass
class Rel:
    id: str
    type: str
    target: str   # resolved part name (or the raw target when external)
    external: bool


class Package:
    """The parts of an .xlsx, read on demand; changed and new parts kept in memory."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        self.infos = {i.filename: i for i in self.zip.infolist()}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self._texts: dict[str, str] = {}          # parts read or put, as text
        self._rels: dict[str, list[Rel]] = {}     # parsed relationships, by .rels part
        self._names = {name.lower() for name in self.infos}   # every part name, lower case
        if "[Content_Types].xml" not in self.infos:
            raise PackageError("no [Content_Types].xml")

    def close(self) -> None:
        self.zip.close()

    def has(self, part: str) -> bool:
        return part not in self.removed and (part in self.changed or part in self.infos)

    def text(self, part: str) -> str:
        if part not in self._texts:
            data = self.changed[part] if part in self.changed else self.zip.read(self.infos[part])
            self._texts[part] = data.decode("utf-8")
        return self._texts[part]

    def put(self, part: str, text: str) -> None:
        self.changed[part] = text.encode("utf-8")
        self._texts[part] = text
        self._rels.pop(part, None)
        self.removed.discard(part)
        self._names.add(part.lower())

    def remove(self, part: str) -> None:
        self.removed.add(part)
        self.changed.pop(part, None)
        self._texts.pop(part, None)
        self._rels.pop(part, None)
        self._names.discard(part.lower())

    def new_name(self, pattern: str) -> str:
        """The first free part name of `pattern` ("xl/comments{}.xml")."""
        n = 1
        while pattern.format(n).lower() in self._names:
            n += 1
        return pattern.format(n)

    # relationships
    def rels(self, part: str) -> list[Rel]:
        path = rels_path(part)
        if path not in self._rels:
            self._rels[path] = self._read_rels(part)
        return list(self._rels[path])

    def _read_rels(self, part: str) -> list[Rel]:
        path = rels_path(part)
        if not self.has(path):
            return []
        out = []
        for _, _, tag in elements(self.text(path), prefix_of(self.text(path), PKG_REL_NS),
                                  "Relationship"):
            external = (attr(tag, "TargetMode") or "").lower() == "external"
            target = attr(tag, "Target") or ""
            out.append(Rel(attr(tag, "Id") or "", attr(tag, "Type") or "",
                           target if external else resolve(part, target), external))
        return out

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        path = rels_path(part)
        if not self.has(path):
            self.put(path, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>')
        xml = self.text(path)
        p = prefix_of(xml, PKG_REL_NS)
        xml = expand(xml, p, "Relationships")
        taken = set(_REL_ID.findall(xml))
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        rid = f"rId{n}"
        at = xml.rfind(f"</{p}Relationships")
        xml = (xml[:at] + f'<{p}Relationship Id="{rid}" Type="{rel_type}" '
               f'Target="{esc(relative(part, target_part))}"/>' + xml[at:])
        self.put(path, xml)
        return rid

    def remove_rel(self, part: str, rid: str) -> None:
        path = rels_path(part)
        xml = self.text(path)
        p = prefix_of(xml, PKG_REL_NS)
        for s, e, tag in elements(xml, p, "Relationship"):
            if attr(tag, "Id") == rid:
                self.put(path, xml[:s] + xml[e:])
                return

    # content types
    def add_override(self, part: str, content_type: str) -> None:
        xml = self.text("[Content_Types].xml")
        p = prefix_of(xml, CT_NS)
        at = xml.rfind(f"</{p}Types")
        self.put("[Content_Types].xml", xml[:at] + f'<{p}Override PartName="/{esc(part)}" '
                 f'ContentType="{content_type}"/>' + xml[at:])

    def add_default(self, extension: str, content_type: str) -> None:
        xml = self.text("[Content_Types].xml")
        p = prefix_of(xml, CT_NS)
        for _, _, tag in elements(xml, p, "Default"):
            if (attr(tag, "Extension") or "").lower() == extension:
                return
        at = xml.rfind(f"</{p}Types")
        self.put("[Content_Types].xml", xml[:at] + f'<{p}Default Extension="{extension}" '
                 f'ContentType="{content_type}"/>' + xml[at:])

    def remove_override(self, part: str) -> None:
        xml = self.text("[Content_Types].xml")
        p = prefix_of(xml, CT_NS)
        for s, e, tag in elements(xml, p, "Override"):
            if (attr(tag, "PartName") or "").lstrip("/") == part:
                self.put("[Content_Types].xml", xml[:s] + xml[e:])
                return

    def save(self, dest) -> None:
        """Every part in its original order; changed and new parts compressed."""
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
            for name, info in self.infos.items():
                if name in self.removed:
                    continue
                if name in self.changed:
                    out.writestr(_info(name, info), self.changed[name],
                                 compress_type=zipfile.ZIP_DEFLATED, compresslevel=FAST)
                else:
                    _copy(self.zip, info, out)
            for name, data in self.changed.items():
                if name not in self.infos:
                    out.writestr(_info(name, None), data, compress_type=zipfile.ZIP_DEFLATED,
                                 compresslevel=FAST)


FAST = 1   # deflate level of the copy's parts: a few per cent larger, several times faster


def _info(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    return info


def _copy(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one member: the same name, time, compression and compressed bytes (not inflated
    and deflated again); re-compressed only when it is not a plain member (encrypted, zip64)."""
    raw = _raw(src, info)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type, new.external_attr = info.compress_type, info.external_attr
    if raw is None or out._writing:   # noqa: SLF001 - zipfile has no public raw copy
        out.writestr(new, src.read(info), compresslevel=FAST)
        return
    new.flag_bits = info.flag_bits & 0x800          # UTF-8 name; sizes in the local header
    new.CRC, new.compress_size, new.file_size = info.CRC, info.compress_size, info.file_size
    new.header_offset = out.fp.tell()
    out.fp.write(new.FileHeader(zip64=False))
    out.fp.write(raw)
    out.filelist.append(new)
    out.NameToInfo[new.filename] = new
    out.start_dir = out.fp.tell()
    out._didModify = True   # noqa: SLF001


def _raw(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's compressed bytes, when it is a plain (unencrypted, non-zip64) member."""
    limit = zipfile.ZIP64_LIMIT
    if info.flag_bits & 0x1 or max(info.compress_size, info.file_size, info.header_offset) \
            >= limit or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    src.fp.seek(info.header_offset)
    head = src.fp.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    name, extra = struct.unpack("<HH", head[26:30])
    src.fp.seek(info.header_offset + 30 + name + extra)
    raw = src.fp.read(info.compress_size)
    return raw if len(raw) == info.compress_size else None
