"""Build the CJK fonts statlib ships (``statlib/templates/fonts/``) from Debian Noto CJK.

Run from the repository root on a machine with Debian's ``fonts-noto-cjk`` (and fontTools)::

    python tools/subset_fonts.py            # writes statlib/templates/fonts/*.otf
    python tools/subset_fonts.py --check    # fails if a rebuild would change a shipped byte

Each face is the Simplified Chinese (SC) member of the ``.ttc`` collection, found by its name table,
subsetted to GB2312 + ASCII/Latin-1 + the punctuation and symbols official tables use + every
character of the project's text sources, with hinting dropped and horizontal layout features kept.
The family is renamed (``Statlib Sans SC``/``Statlib Serif SC``) so that a machine's own Noto CJK
can never be picked instead of the shipped file. Timestamps are fixed: a rerun gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "statlib" / "templates" / "fonts"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")

# Text sources whose every character must render (relative to ROOT).
TEXT_SOURCES = (
    "data/**/*.csv",
    "data/**/*.md",
    "data/**/*.yaml",
    "templates/**/*",
    "statlib/templates/**/*",
    "statlib/**/*.py",
    "notebooks/**/*.ipynb",
)
_BINARY_SUFFIXES = {".otf", ".ttf", ".ttc", ".woff", ".woff2", ".png", ".jpg", ".pdf", ".docx"}

# Horizontal layout features only: `locl` would pull in the JP/KR/TC glyph variants, `vert` is not
# used (no vertical text); `palt`/`halt` are positioning-only and cost no glyphs.
LAYOUT_FEATURES = ["ccmp", "calt", "clig", "liga", "rlig", "kern", "mark", "mkmk", "palt", "halt"]

# 2022-01-27 00:00:00 UTC (the Debian package date) in seconds since 1904-01-01: fixed so that a
# rebuild is byte-identical.
FIXED_TIMESTAMP = 3726086400


@dataclass(frozen=True)
class Face:
    """One shipped face: source collection, output file, family and style."""

    key: str
    collection: str
    output: str
    family: str
    style: str  # "Regular" or "Bold"


FACES = (
    Face(
        "sans", "NotoSansCJK-Regular.ttc", "StatlibSansSC-Regular.otf", "Statlib Sans SC", "Regular"
    ),
    Face("sans-bold", "NotoSansCJK-Bold.ttc", "StatlibSansSC-Bold.otf", "Statlib Sans SC", "Bold"),
    Face(
        "serif",
        "NotoSerifCJK-Regular.ttc",
        "StatlibSerifSC-Regular.otf",
        "Statlib Serif SC",
        "Regular",
    ),
    Face(
        "serif-bold", "NotoSerifCJK-Bold.ttc", "StatlibSerifSC-Bold.otf", "Statlib Serif SC", "Bold"
    ),
)


def gb2312_chars() -> set[str]:
    """Every character of GB2312: each valid two-byte code (rows A1–F7, cells A1–FE) decoded."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _ranges(*spans: tuple[int, int]) -> set[str]:
    return {chr(c) for lo, hi in spans for c in range(lo, hi + 1)}


def block_chars() -> set[str]:
    """Whole Unicode blocks of punctuation and symbols, kept where the source face has them."""
    return _ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1 (± × ÷ · ² ³ °)
        (0x2000, 0x206F),  # general punctuation (— … ‰ ‘ ’ “ ”)
        (0x2100, 0x214F),  # letterlike symbols (℃ №)
        (0x2160, 0x217F),  # Roman numerals
        (0x2190, 0x21FF),  # arrows
        (0x2200, 0x22FF),  # mathematical operators (≥ ≤ ≈ √)
        (0x2460, 0x24FF),  # enclosed alphanumerics (①–⑳)
        (0x2500, 0x257F),  # box drawing
        (0x2580, 0x259F),  # block elements
        (0x25A0, 0x25FF),  # geometric shapes (▲ ▼ ● ■ ◆)
        (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆)
        (0x3000, 0x303F),  # CJK symbols and punctuation (、。〇《》【】)
        (0x3200, 0x32FF),  # enclosed CJK (㈠ ㊣)
        (0x3371, 0x33DF),  # CJK compatibility units (㎡ ㎞ ㎏)
        (0xFE30, 0xFE4F),  # CJK compatibility forms
        (0xFF00, 0xFFEF),  # half-width and full-width forms
    )


def required_chars() -> set[str]:
    """Characters that must be in every face: GB2312, ASCII, the explicit symbols, project text."""
    return (
        _ranges((0x20, 0x7E), (0xA1, 0xFF), (0x2460, 0x2473))  # ASCII, Latin-1, ①–⑳
        | set("—～…℃‰〇·×÷±≥≤※→←↑↓")
        | gb2312_chars()
        | text_chars(source_files())
    )


def _read_text(path: Path) -> str | None:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def source_files(root: Path = ROOT) -> Iterator[Path]:
    """The project's text files whose characters the fonts must cover, in a stable order."""
    seen: set[Path] = set()
    for pattern in TEXT_SOURCES:
        for path in sorted(root.glob(pattern)):
            if path in seen or not path.is_file() or path.suffix.lower() in _BINARY_SUFFIXES:
                continue
            seen.add(path)
            yield path


def text_chars(paths: Iterable[Path]) -> set[str]:
    """Printable characters (controls and surrogates excluded) occurring in ``paths``."""
    chars: set[str] = set()
    for path in paths:
        text = _read_text(path)
        if text is None:
            print(f"skipped (not text): {path}", file=sys.stderr)
            continue
        chars.update(text)
    return {c for c in chars if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF}


def sc_member(collection: TTCollection) -> TTFont:
    """The Simplified Chinese member of a Noto CJK collection (``Noto Sans CJK SC`` …)."""
    for font in collection.fonts:
        family = font["name"].getDebugName(1) or ""
        if " CJK SC" in family and "Mono" not in family:
            return font
    raise SystemExit("no 'CJK SC' face in the collection: is this Noto CJK?")


def _rename(font: TTFont, face: Face, source_version: str, source_name: str) -> None:
    ps_name = f"{face.family.replace(' ', '')}-{face.style}"
    full = face.family if face.style == "Regular" else f"{face.family} {face.style}"
    records = {
        1: face.family,
        2: face.style,
        3: f"{source_version};{ps_name}",
        4: full,
        5: source_version,
        6: ps_name,
        16: face.family,
        17: face.style,
    }
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in records and r.nameID not in (18, 21, 22)]
    for name_id, text in records.items():
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)
    name.setName(
        f"Subset of {source_name} by tools/subset_fonts.py (statlib): GB2312 + project text.",
        10,
        3,
        1,
        0x409,
    )
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        cff.fontNames = [ps_name]
        top.FullName = full
        top.FamilyName = face.family
        if hasattr(top, "CIDFontName"):
            top.CIDFontName = ps_name


def build_face(
    face: Face, chars: set[str], required: set[str], source_dir: Path = SOURCE_DIR
) -> tuple[bytes, set[str]]:
    """Subset one face; returns the font bytes and the required characters the source lacks."""
    collection = TTCollection(str(source_dir / face.collection))
    font = sc_member(collection)
    source_name = font["name"].getDebugName(4) or face.collection
    source_version = font["name"].getDebugName(5) or ""
    cmap = font.getBestCmap()
    missing = {c for c in required if ord(c) not in cmap}

    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    options.desubroutinize = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]
    options.name_languages = [0x409, 0]
    options.glyph_names = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars if ord(c) in cmap))
    subsetter.subset(font)

    _rename(font, face, source_version, source_name)
    font["head"].created = FIXED_TIMESTAMP
    font["head"].modified = FIXED_TIMESTAMP
    font.recalcTimestamp = False
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue(), missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the shipped files")
    args = parser.parse_args(argv)

    required = required_chars()
    chars = required | block_chars()
    print(f"{len(chars)} characters requested, {len(required)} of them required")
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for face in FACES:
        data, missing = build_face(face, chars, required, args.source_dir)
        target = args.out / face.output
        if missing:
            listing = " ".join(f"U+{ord(c):04X}" for c in sorted(missing))
            print(f"{face.output}: source lacks required {listing}", file=sys.stderr)
            status = 1
        if args.check:
            same = target.exists() and target.read_bytes() == data
            print(f"{face.output}: {'up to date' if same else 'DIFFERS'}")
            status |= not same
            continue
        target.write_bytes(data)
        print(f"{face.output}: {len(data) / 2**20:.2f} MiB")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
