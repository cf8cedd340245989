"""Every readable layer of an output file, as text: the bytes a reader or a tool could get at.

``parts(path)`` yields ``(part, text)`` pairs. Text files give their text; a zip container
(XLSX, DOCX, PPTX) gives every member — hidden sheets, defined names, comments, docProps,
sharedStrings, pivot caches, embedded files — each read again by its own kind; a PDF gives each
page's text from ``pdftotext`` (poppler-utils) and its raw bytes, inflated streams and decoded
UTF-16 strings (metadata); JSON (notebooks, manifests) gives its text and its decoded strings
(``\\u4e91`` escapes); base64 ``data:`` URIs (inlined images and fonts) are decoded and read
again. Nothing is skipped: an unknown kind is read as raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from statlib.errors import StatlibError

__all__ = ["parts", "parts_of_bytes"]

TEXT_KINDS = {
    ".html", ".htm", ".svg", ".css", ".js", ".mjs", ".json", ".ipynb", ".csv", ".tsv", ".txt",
    ".md", ".xml", ".rels", ".vml", ".typ", ".yaml", ".yml", ".map", ".webmanifest",
}
ZIP_KINDS = {".xlsx", ".xlsm", ".docx", ".pptx", ".odt", ".ods", ".zip", ".epub"}
_DATA_URI = re.compile(r"data:([\w.+/-]*)[^,\"'\s]*?;base64,([A-Za-z0-9+/=\s]{8,})")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PDF_HEX = re.compile(rb"<(FEFF[0-9A-Fa-f\s]*)>")
_PDF_STRING = re.compile(rb"\(((?:\\.|[^\\()])*)\)", re.S)
_BINARY_MIME = re.compile(r"^(?:image|application|font|audio|video)/(?!json|javascript|xml|svg)")
_DEPTH = 4


def parts(path: Path) -> Iterator[tuple[str, str]]:
    """The text layers of the file at ``path``, named (``text``, a zip member, ``page 3`` …)."""
    yield from parts_of_bytes(path.read_bytes(), path.suffix.lower(), "")


def parts_of_bytes(data: bytes, kind: str, prefix: str, depth: int = 0
                   ) -> Iterator[tuple[str, str]]:
    """The text layers of ``data`` read as a file of ``kind`` (its suffix)."""
    name = prefix or "text"
    if depth > _DEPTH:
        yield name, _decode(data)
        return
    if kind in ZIP_KINDS or (data[:4] == b"PK\x03\x04" and kind not in TEXT_KINDS):
        yield from _zip_parts(data, prefix, depth)
    elif kind == ".pdf" or data[:5] == b"%PDF-":
        yield from _pdf_parts(data, prefix)
    else:
        text = _decode(data) if kind in TEXT_KINDS else data.decode("utf-8", errors="replace")
        yield name, text
        if kind in (".json", ".ipynb") or text.lstrip()[:1] in ("{", "["):
            strings, payloads = _json_strings(text)
            if strings:
                yield f"{name} (JSON strings)", strings
            for i, (mime, payload) in enumerate(payloads, 1):
                yield from parts_of_bytes(payload, _suffix_of_mime(mime),
                                          f"{name} {mime} {i}", depth + 1)
    for i, (mime, payload) in enumerate(_data_uris(data), 1):
        yield from parts_of_bytes(payload, _suffix_of_mime(mime), f"{name} data-uri {i}",
                                  depth + 1)


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def _zip_parts(data: bytes, prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        yield prefix or "raw", _decode(data)
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            member = archive.read(info.filename)
            name = f"{prefix}!{info.filename}" if prefix else info.filename
            yield from parts_of_bytes(member, Path(info.filename).suffix.lower(), name, depth + 1)


def _pdf_parts(data: bytes, prefix: str) -> Iterator[tuple[str, str]]:
    """Page text (pdftotext), then every string a PDF keeps outside its drawing operators:
    literal and UTF-16 strings in the file and in object streams (Info dict, outlines,
    annotations, form fields) and XMP metadata. Operands (coordinates, font sizes) are not
    content and would collide with any four-digit figure."""
    where = f"{prefix} " if prefix else ""
    for number, page in enumerate(_pdftotext(data).split("\f"), 1):
        if page.strip():
            yield f"{where}page {number}", page
    objects, xmp = [_STREAM.sub(b"stream\nendstream", data)], []
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 400):match.start()]
        body = match.group(1)
        if b"/FlateDecode" in head:
            try:
                body = zlib.decompress(body)
            except zlib.error:
                continue
        if b"/ObjStm" in head:
            objects.append(body)
        elif b"/Metadata" in head or b"xmpmeta" in body[:2000]:
            xmp.append(body.decode("utf-8", errors="replace"))
    strings = []
    for chunk in objects:
        strings += [_utf16(binascii.unhexlify(re.sub(rb"\s", b"", m.group(1))))
                    for m in _PDF_HEX.finditer(chunk)
                    if len(re.sub(rb"\s", b"", m.group(1))) % 4 == 0]
        for m in _PDF_STRING.finditer(chunk):
            raw = _unescape_pdf(m.group(1))
            strings.append(_utf16(raw) if raw[:2] == b"\xfe\xff"
                           else raw.decode("utf-8", errors="replace"))
    if strings:
        yield f"{where}strings", "\n".join(strings)
    if xmp:
        yield f"{where}XMP metadata", "\n".join(xmp)


def _pdftotext(data: bytes) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:  # a machine without poppler-utils: pypdf reads the same text layer
        return _pypdf_text(data)
    done = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise StatlibError(f"pdftotext could not read a PDF ({done.stderr.decode().strip()}): "
                           "an unreadable PDF cannot be shown to be clean")
    return done.stdout.decode("utf-8", errors="replace")


def _pypdf_text(data: bytes) -> str:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\f".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise StatlibError(f"a PDF could not be read ({exc}): an unreadable PDF cannot be "
                           "shown to be clean") from exc


def _utf16(raw: bytes) -> str:
    return raw[2:].decode("utf-16-be", errors="replace")


def _unescape_pdf(raw: bytes) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        c = m.group(1)
        if c[:1].isdigit():
            return bytes([int(c, 8) & 0xFF])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(c, c)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def _json_strings(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Every key and string of a JSON document, and the base64 payloads kept under MIME-type
    keys (notebook outputs and attachments: ``"image/png": "iVBOR…"``)."""
    try:
        tree = json.loads(text)
    except ValueError:
        return "", []
    out: list[str] = []
    payloads: list[tuple[str, bytes]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                out.append(str(key))
                if _BINARY_MIME.match(str(key)) and isinstance(value, str | list):
                    raw = "".join(value) if isinstance(value, list) else value
                    raw = re.sub(r"\s", "", raw) if isinstance(raw, str) else raw
                    try:
                        payloads.append((str(key), base64.b64decode(raw, validate=True)))
                    except (binascii.Error, ValueError, TypeError):
                        pass
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            out.append(node)
        elif node is not None and not isinstance(node, bool):
            out.append(repr(node))

    walk(tree)
    return "\n".join(out), payloads


def _data_uris(data: bytes) -> Iterator[tuple[str, bytes]]:
    if b";base64," not in data:
        return
    for match in _DATA_URI.finditer(_decode(data)):
        try:
            yield match.group(1), base64.b64decode(re.sub(r"\s", "", match.group(2)))
        except (binascii.Error, ValueError):
            continue


def _suffix_of_mime(mime: str) -> str:
    sub = mime.partition("/")[2].lower()
    return {"svg+xml": ".svg", "pdf": ".pdf", "json": ".json", "html": ".html", "csv": ".csv",
            "plain": ".txt", "javascript": ".js", "css": ".css"}.get(sub, ".bin")
