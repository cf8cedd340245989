"""Scanning output files for secrets, and the release gate that fails a build on any hit.

Each text layer (:func:`statlib.leaks.layers.parts`) is read in several views — as written,
HTML/XML-unescaped, with tags removed (a name split over Word runs or SVG ``tspan`` joins up),
percent-decoded, and the numbers of geometry attributes (``width=``, ``x=``) alone — and searched
for every number spelling (thousands separators removed, token boundaries respected:
``1234.56`` is not found inside ``91234.567``; trailing zeros dropped: ``2235133.80``) and every
text secret (white space ignored: PDF text breaks lines inside names; traditional characters
read as simplified). Invisible characters (zero-width space, joiners, BOM, soft hyphen, word
joiner) are removed first: a reader does not see them, and they split nothing.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from statlib.errors import LeakError
from statlib.fsio import sha256_file as sha256_of
from statlib.leaks.confidential import (
    NEAR,
    SURE_DIGITS,
    SURE_SCALED_DIGITS,
    Secret,
    exact_spelling,
    is_number,
    number_spellings,
    scaled_spellings,
    secrets_from_store,
    short_names,
)
from statlib.leaks.layers import parts

__all__ = ["Hit", "Matcher", "Scanned", "assert_clean", "release_files", "scan"]

_PLAIN = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?!\d|\.\d)")
# Thousands separators: the comma, and the thin spaces of typeset figures (GB/T 15835, SI). A
# plain or no-break space never groups digits in a Chinese publication: "15 424.5" is two table
# cells (a PDF's text layer puts a space between cells), not 15424.5.
_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:[,\u2009\u202f]\d{3}(?!\d))+(?:\.\d+)?(?!\d|\.\d)")
_SEPARATORS = re.compile(r"[,\u2009\u202f]")
_BLOCK_END = re.compile(
    r"</(?:w:p|a:p|text:p|p|div|tr|td|th|li|h\d|c|si|row|text|title|desc)>"
    r"|<(?:w:tab|w:br|br)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
# Geometry, not content: SVG path data and coordinates (charts draw text as paths, so these
# are full of numbers that would match any figure by chance).
_GEOMETRY = re.compile(
    r"""\s(?:d|points|transform|viewBox|x|y|x1|x2|y1|y2|dx|dy|cx|cy|r|rx|ry|width|height|"""
    r"""stroke-width|stroke-dasharray|stroke-miterlimit|clip-path|offset)"""
    r"""\s*=\s*(?:"[^"]*"|'[^']*')"""
)
# Geometry attributes that hold one number (a width, a coordinate): looked for with the sure
# spellings only (SURE_DIGITS digits or more), chart coordinates being full of short numbers.
_ONE_NUMBER_ATTR = re.compile(
    r"""\s(?:x|y|x1|x2|y1|y2|dx|dy|cx|cy|r|rx|ry|width|height|offset)\s*=\s*["']?\s*"""
    r"""(-?\d+(?:\.\d+)?)\s*(?:px|pt|em|%)?\s*["']?(?=[\s/>])"""
)
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]"
)
_SPACE = re.compile(r"\s+")
_WIDE = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_WIDE_CHARS = re.compile("[０-９．，]")
_MIN_TEXT = 4
_CONTEXT = 30


@dataclass(frozen=True)
class Hit:
    """A secret found: the file, the part (zip member, PDF page …), the secret's label and
    source, the spelling found and a short context."""

    file: str
    part: str
    label: str
    source: str
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.file} [{self.part}]: {self.label} ({self.found}) … {self.context} …"


@dataclass(frozen=True)
class _Spelling:
    """A spelling's secret and when a match counts: anywhere (no ``words``, no ``unit``), beside
    one of ``words``, or followed by ``unit``."""

    secret: Secret
    words: tuple[str, ...] = ()
    unit: str = ""


class Matcher:
    """All the spellings of a set of secrets, ready to search texts."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        #: number spelling → its secrets; ``sure``: the spellings found anywhere of
        #: SURE_DIGITS digits or more (the numbers of geometry attributes are matched with these)
        self.numbers: dict[str, list[_Spelling]] = {}
        self.texts: dict[str, list[Secret]] = {}
        for secret in secrets:
            if is_number(secret.value):
                forms = (
                    exact_spelling(secret.value) if secret.exact else number_spellings(secret.value)
                )
                for form in forms:
                    words = secret.near if _digits(form) < secret.sure else ()
                    self.numbers.setdefault(form, []).append(_Spelling(secret, words))
                for form, unit in scaled_spellings(secret.value, secret.unit):
                    if _digits(form) < SURE_DIGITS and form.find(".") < 3:
                        continue  # 12.35 亿元: a chance match everywhere (223.5 亿元 is kept)
                    sure = _digits(form) >= max(SURE_SCALED_DIGITS, secret.sure)
                    spelling = _Spelling(secret) if sure else _Spelling(secret, secret.near, unit)
                    self.numbers.setdefault(form, []).append(spelling)
            else:
                full = _name_key(secret.value)
                for name in {full, *(_name_key(n) for n in short_names(full))}:
                    if len(name) >= _MIN_TEXT:
                        self.texts.setdefault(name, []).append(secret)
        self.sure = {
            f: [s for s in spellings if not s.words and not s.unit]
            for f, spellings in self.numbers.items()
            if _digits(f) >= SURE_DIGITS
        }
        self._prefix: dict[str, list[str]] = {}
        for name in self.texts:
            self._prefix.setdefault(name[:_MIN_TEXT], []).append(name)
        firsts = sorted({name[0] for name in self.texts})
        self._first = (
            re.compile("[" + "".join(re.escape(c) for c in firsts) + "]") if firsts else None
        )

    def find(self, text: str, *, sure_only: bool = False) -> Iterator[tuple[Secret, str, str]]:
        """``(secret, spelling, context)`` for every occurrence in ``text`` (with
        ``sure_only``, only spellings of :data:`SURE_DIGITS` digits or more found anywhere)."""
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
        if _WIDE_CHARS.search(text):
            text = text.translate(_WIDE)
        numbers = self.sure if sure_only else self.numbers
        for pattern in (_PLAIN, _GROUPED):
            for m in pattern.finditer(text):
                token = m.group()
                bare = token if pattern is _PLAIN else _SEPARATORS.sub("", token)
                for form in _forms(bare):
                    for spelling in numbers.get(form, ()):
                        if (spelling.words or spelling.unit) and not _beside(text, m, spelling):
                            continue
                        yield spelling.secret, token, _context(text, m.start(), m.end())
        if self._first is None or sure_only:
            return
        compact = _name_key(text)
        for m in self._first.finditer(compact):
            i = m.start()
            for name in self._prefix.get(compact[i : i + _MIN_TEXT], ()):
                if compact.startswith(name, i):
                    for secret in self.texts[name]:
                        yield secret, name, _context(compact, i, i + len(name))


def _beside(text: str, m: re.Match[str], spelling: _Spelling) -> bool:
    if spelling.unit and text[m.end() : m.end() + 8].lstrip().startswith(spelling.unit):
        return True
    if spelling.words:
        around = text[max(0, m.start() - NEAR) : m.end() + NEAR]
        return any(word in around for word in spelling.words)
    return False


def _digits(form: str) -> int:
    return sum(c.isdigit() for c in form)


def _name_key(text: str) -> str:
    """A text as names are compared: no white space, no invisible characters, traditional
    characters (and Taiwan and Hong Kong variants) read as simplified."""
    text = _INVISIBLE.sub("", _SPACE.sub("", text))
    table, chars = _t2s()
    return text.translate(table) if chars.search(text) else text


_T2S: tuple[dict[int, str], re.Pattern[str]] | None = None


def _t2s() -> tuple[dict[int, str], re.Pattern[str]]:
    """Traditional → simplified, character by character, from OpenCC's own dictionaries
    (shipped by ``opencc-python-reimplemented``): variants first (裡 → 裏), then characters
    (裏 → 里; of several candidates, OpenCC's first). ``str.translate`` keeps it at C speed on
    whole releases, where OpenCC's phrase-by-phrase conversion took 1.5 s a megabyte."""
    global _T2S
    if _T2S is None:
        from importlib.resources import files

        folder = files("opencc") / "dictionary"

        def read(name: str) -> dict[str, str]:
            out = {}
            for line in (folder / name).read_text(encoding="utf-8").splitlines():
                key, _, values = line.strip().partition("\t")
                if len(key) == 1 and values:
                    out[key] = values.split()[0]
            return out

        characters = read("TSCharacters.txt")
        table = {
            k: characters.get(v, v)
            for name in ("TWVariantsRev.txt", "HKVariantsRev.txt")
            for k, v in read(name).items()
        }
        table.update(characters)
        table = {k: v for k, v in table.items() if k != v and len(v) == 1}
        chars = re.compile("[" + "".join(sorted(table)) + "]")
        _T2S = ({ord(k): v for k, v in table.items()}, chars)
    return _T2S


def _context(text: str, start: int, end: int) -> str:
    return _SPACE.sub(" ", text[max(0, start - _CONTEXT) : end + _CONTEXT]).strip()


def _forms(token: str) -> Sequence[str]:
    """The token, without its trailing zeros (``2235133.80``), and for float noise
    (``1234.5599999999999``) its short roundings."""
    dot = token.find(".")
    if dot < 0:
        return (token,)
    if token[-1] == "0":
        return (token, token.rstrip("0").rstrip("."))
    if len(token) - dot - 1 < 8:  # the frequent case, kept cheap
        return (token,)
    try:
        value = Decimal(token)
    except InvalidOperation:
        return [token]
    out = [token]
    for places in range(0, 5):
        rounded = value.quantize(Decimal(1).scaleb(-places))
        if abs(value - rounded) < Decimal("1e-7"):
            out.append(str(rounded))
            break
    return out


def _views(text: str) -> Iterator[tuple[str, bool]]:
    """The views of a text to search, each with whether only sure spellings count in it."""
    if "<" in text:
        attributes = "\n".join(m.group(1) for m in _ONE_NUMBER_ATTR.finditer(text))
        if attributes:
            yield attributes, True
        text = _GEOMETRY.sub(" ", text)
    yield text, False
    seen = {text}
    unescaped = text
    for _ in range(3):  # double-escaped entities (&amp;#x4e91;) as well
        once = html.unescape(unescaped)
        if once == unescaped:
            break
        unescaped = once
    if unescaped not in seen:
        seen.add(unescaped)
        yield unescaped, False
    if "<" in unescaped:
        if unescaped != text:  # attributes that were escaped (an SVG inside an attribute)
            attributes = "\n".join(m.group(1) for m in _ONE_NUMBER_ATTR.finditer(unescaped))
            if attributes:
                yield attributes, True
        stripped = _TAG.sub("", _BLOCK_END.sub("\n", _GEOMETRY.sub(" ", unescaped)))
        if stripped not in seen:
            seen.add(stripped)
            yield stripped, False
    if "%" in unescaped:
        decoded = urllib.parse.unquote(unescaped)
        if decoded not in seen:
            seen.add(decoded)
            yield decoded, False
    if "\\u" in text or "\\x" in text:  # JS and JSON string escapes (\u4e91, \x41)
        decoded = _JS_ESCAPE.sub(_js_char, text)
        if decoded not in seen:
            yield decoded, False


_JS_ESCAPE = re.compile(r"\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})")


def _js_char(m: re.Match[str]) -> str:
    code = int(next(g for g in m.groups() if g is not None), 16)
    if 0xD800 <= code < 0xE000 or code > 0x10FFFF:
        return ""  # a lone surrogate half: nothing a reader sees
    return chr(code)


def scan(paths: Iterable[Path], secrets: Iterable[Secret] | Matcher) -> list[Hit]:
    """Every occurrence of a secret in every byte of ``paths`` (folders are walked)."""
    matcher = secrets if isinstance(secrets, Matcher) else Matcher(secrets)
    hits: dict[tuple[str, str, str, str], Hit] = {}
    for path in _files(paths):
        for part, text in parts(path):
            for view, sure_only in _views(text):
                for secret, found, context in matcher.find(view, sure_only=sure_only):
                    key = (str(path), part, secret.label, found)
                    if key not in hits:
                        hits[key] = Hit(
                            str(path), part, secret.label, secret.source, found, context
                        )
    return list(hits.values())


class Scanned:
    """Files scanned clean for one set of secrets, by content (sha256).

    The build scans each job's public files as the job finishes, beside the jobs still running;
    the release check (:func:`assert_clean` with ``scanned=``) then skips a file whose bytes
    were scanned clean, if its secrets are still the same ones. Thread-safe.
    """

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self.secrets = list(secrets)
        self.key = _secrets_key(self.secrets)
        self.matcher = Matcher(self.secrets)
        self._clean: set[str] = set()
        self._lock = threading.Lock()

    def scan(self, path: Path) -> list[Hit]:
        """The hits in one file; none, without reading it, if its bytes were scanned clean."""
        digest = sha256_of(path)
        with self._lock:
            if digest in self._clean:
                return []
        hits = scan([path], self.matcher)
        if not hits:
            with self._lock:
                self._clean.add(digest)
        return hits

    def __len__(self) -> int:
        """How many distinct file contents were scanned clean."""
        return len(self._clean)


def _secrets_key(secrets: Iterable[Secret]) -> str:
    rows = sorted(
        f"{s.value}\x1f{s.label}\x1f{s.source}\x1f{s.exact}\x1f{s.unit}\x1f{s.near}"
        for s in secrets
    )
    return hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def release_files(release: Path, site: Path | None = None) -> list[Path]:
    """The public bytes of a release: ``public/``, ``masked/``, the manifest, the site."""
    roots = [release / "public", release / "masked", release / "manifest.json", release / "site"]
    if site is not None:
        roots.append(site)
    return list(_files(r for r in roots if r.exists()))


def assert_clean(
    release_folder: Path | str,
    store: Any,
    *,
    extra: Iterable[Secret] = (),
    site: Path | None = None,
    manifest: bool = True,
    scanned: Scanned | None = None,
) -> int:
    """Raise :class:`LeakError` if a public or masked byte of the release holds a secret.

    The secrets are the store's (:func:`secrets_from_store` for the release's period, read from
    ``manifest.json``) and ``extra`` (suppressed cells, canaries). An internal edition found
    under ``public/`` or ``masked/`` is a leak too. Files ``scanned`` clean before, with the
    same secrets, are not read again. Returns the number of files checked.
    """
    release = Path(release_folder)
    period = None
    manifest_path = release / "manifest.json"
    if manifest_path.is_file():
        period = json.loads(manifest_path.read_text(encoding="utf-8")).get("period")
    files = release_files(release, site)
    if not manifest:  # the build's own manifest: names, hashes, sizes and timings, no data
        files = [f for f in files if f != manifest_path]
    misplaced = [
        Hit(
            str(p),
            "path",
            "internal edition outside internal/",
            "edition",
            "internal",
            str(p.relative_to(release)) if p.is_relative_to(release) else str(p),
        )
        for p in files
        if _internal_name(p)
    ]
    secrets = [*secrets_from_store(store, str(period) if period else None), *extra]
    if scanned is None or scanned.key != _secrets_key(secrets):
        scanned = Scanned(secrets)  # the data changed since: every file is read again
    hits = misplaced + [hit for path in files for hit in scanned.scan(path)]
    if hits:
        raise LeakError(release, hits)
    return len(files)


def _internal_name(path: Path) -> bool:
    return any(part == "internal" or ".internal." in part for part in path.parts[-4:])
