"""The one module of file helpers: names (:func:`slug`, :func:`inside`), checksums
(:func:`sha256_bytes`, :func:`sha256_file`), safe writes under a root, and the atomic switch of
a published folder (:func:`staged`, :func:`switch`, :func:`prune`, :func:`clean_parts`) that the
release, the site and the yearbook share.

Safe writes: no symbolic link planted in ``outputs/`` or ``.statlib/`` can redirect a write of
statlib outside its root.

Every function takes the root (``outputs/``, the work folder, a render's output folder) and a
path below it. The path's real location is resolved and must stay inside the root's real
location; no component below the root may be a symbolic link, except the links statlib makes
itself (``outputs/<period>`` → ``.releases/<slug>-<id>``, ``outputs/site`` → ``.site/<id>``,
``outputs/yearbook/<year>`` → ``.yearbook/<slug>-<id>``), and those only where statlib switches
them. A file is written through a temporary file created
with ``O_EXCL | O_NOFOLLOW`` in the same real folder, then ``os.replace``-d onto its name; a
folder is made one component at a time, never through a link.

An ``OSError`` of the file system (disk full, read-only, permission denied) becomes an
:class:`~statlib.errors.OutputError` naming the folder (:func:`guard`); :func:`preflight`
checks that a folder is writable and has some free space before a long run starts.

The atomic switch: a published folder (a release, the site, a yearbook) is a link
``<name>`` → ``<store>/<slug>-<id>``. A new version is assembled in ``<store>/.<slug>-<id>.part``
(:func:`staged`: renamed to ``<slug>-<id>`` when complete, removed when not), then the link is
replaced in one ``rename`` (:func:`switch`) — a reader, or a run killed at any moment, sees the
old folder or the new one, never a mix — and older versions are removed (:func:`prune`, only
names statlib made). :func:`clean_parts` removes the ``.part`` folders of dead runs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

from statlib.errors import ConfigError, OutputError, UnsafePathError

__all__ = [
    "MIN_FREE",
    "check_link",
    "clean_parts",
    "copy_file",
    "guard",
    "inside",
    "is_own_link",
    "mkdir",
    "new_name",
    "own_names",
    "preflight",
    "prune",
    "real_inside",
    "remove_tree",
    "rename",
    "root_of",
    "sha256_bytes",
    "sha256_file",
    "slug",
    "staged",
    "switch",
    "switch_link",
    "write_bytes",
    "write_text",
]

MIN_FREE = 8 * 2**20  # bytes a build needs free in its outputs and work folders to start

_OWN_LINK = re.compile(
    r"\A(?:\.(?:releases|yearbook)/[a-z0-9_.-]+-[0-9a-f]{10}|\.site/[0-9a-f]{12})\Z"
)
_SLUG = re.compile(r"[^a-z0-9_.-]+")
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


# ---- names and checksums --------------------------------------------------------------------


def slug(text: str) -> str:
    """A safe file-name part: ASCII lower case, digits, ``_.-``; never empty, never ``..``.

    >>> slug("Bulletin 2023-11"), slug("../x")
    ('bulletin-2023-11', 'x')
    """
    norm = unicodedata.normalize("NFKC", str(text)).lower()
    out = _SLUG.sub("-", norm).strip(".-")
    out = re.sub(r"\.{2,}", ".", out)
    if not out:
        raise ConfigError(f"{text!r} gives an empty output name; use letters or digits")
    return out[:80]


def inside(root: Path, *parts: str) -> Path:
    """``root / parts`` resolved, refused (ConfigError) unless it stays inside ``root``."""
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise ConfigError(f"output path {'/'.join(parts)!r} leaves the output root {root}")
    return target


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of ``data`` (hex)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file (hex), read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- safe writes below a root ---------------------------------------------------------------


def root_of(path: Path) -> Path:
    """The statlib root ``path`` lies in: the outputs or the work folder (settings), else the
    folder itself (a folder the user named, e.g. ``statlib render --out``)."""
    from statlib import config

    target = Path(os.path.abspath(path))
    for name in ("outputs", "work"):
        root = Path(os.path.abspath(config.path(name)))
        if target == root or root in target.parents:
            return root
    return target


def is_own_link(path: Path) -> bool:
    """True for a link statlib made: ``outputs/<period>`` → ``.releases/<slug>-<id>`` or
    ``outputs/site`` → ``.site/<id>``."""
    try:
        return _OWN_LINK.match(os.readlink(path)) is not None
    except OSError:
        return False


def _relative(root: Path, path: Path) -> tuple[Path, tuple[str, ...]]:
    """(the root's real folder, the components of ``path`` below it)."""
    base = Path(os.path.realpath(root))
    target = Path(os.path.abspath(path))
    for start in (Path(os.path.abspath(root)), base):
        with contextlib.suppress(ValueError):
            parts = target.relative_to(start).parts
            if ".." in parts:
                break
            return base, parts
    raise UnsafePathError(f"{path} is not inside {root}; statlib writes only below its root")


def real_inside(root: Path, path: Path, *, allow_own_link: bool = False) -> Path:
    """``path`` as a real path inside ``root``; refuses a symbolic link on the way that statlib
    did not create (and, unless ``allow_own_link``, its own links too — nothing is written
    through them) and a real path that leaves the root."""
    base, parts = _relative(root, path)
    current = base
    for i, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            last = i == len(parts) - 1
            if allow_own_link and last and is_own_link(current):
                return current
            raise UnsafePathError(
                f"{current} is a symbolic link (→ {os.readlink(current)}) that statlib did not "
                f"create; statlib does not write through it — remove it and run again"
            )
    real = Path(os.path.realpath(current))
    if real != base and base not in real.parents:
        raise UnsafePathError(f"{path} leaves {root} (real path {real})")
    return current


def mkdir(root: Path, path: Path) -> Path:
    """Make ``path`` (and its parents below ``root``) without following a planted link; the root
    itself is made as the user named it. Returns the real folder."""
    with guard(root):
        Path(root).mkdir(parents=True, exist_ok=True)
        base, parts = _relative(root, path)
        current = base
        for part in parts:
            current = current / part
            try:
                os.mkdir(current, 0o755)
            except FileExistsError:
                pass
            if current.is_symlink():
                raise UnsafePathError(
                    f"{current} is a symbolic link (→ {os.readlink(current)}) that statlib did "
                    "not create; statlib does not write through it — remove it and run again"
                )
            if not current.is_dir():
                raise UnsafePathError(f"{current} is not a folder — move it aside and run again")
    return current


@contextlib.contextmanager
def _replacing(root: Path, path: Path) -> Iterator[Path]:
    """A fresh temporary name in ``path``'s real folder below ``root``; what the block writes
    there replaces ``path`` in one ``os.replace`` (removed if the block fails). A planted link
    at ``path`` or on the way is refused."""
    path = Path(path)
    folder = mkdir(root, path.parent)
    target = real_inside(root, folder / path.name)
    with guard(folder):
        tmp = folder / f".{path.name[:60]}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            yield tmp
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def write_bytes(root: Path, path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` below ``root``: a temporary file in the same real folder
    (``O_EXCL | O_NOFOLLOW``), then ``os.replace``. A planted link at ``path`` is refused."""
    with _replacing(root, path) as tmp:
        with os.fdopen(os.open(tmp, _FLAGS, mode), "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
    return tmp.parent / Path(path).name


def write_text(root: Path, path: Path, text: str) -> Path:
    """:func:`write_bytes` of ``text`` in UTF-8."""
    return write_bytes(root, path, text.encode("utf-8"))


def copy_file(root: Path, source: Path, path: Path, *, link: bool = True) -> Path:
    """Place a copy of ``source`` at ``path`` below ``root``: a hard link where possible (the
    same bytes, no space), else a copy through a temporary file; never through a planted link."""
    with _replacing(root, path) as tmp:
        if link:
            try:
                os.link(source, tmp, follow_symlinks=False)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
                    raise
                link = False
        if not link:
            with os.fdopen(os.open(tmp, _FLAGS, 0o644), "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            shutil.copystat(source, tmp)
    return tmp.parent / Path(path).name


def rename(root: Path, source: Path, path: Path) -> Path:
    """``os.replace(source, path)``, both checked to be inside ``root``."""
    src = real_inside(root, source)
    dst = real_inside(root, path)
    with guard(Path(dst).parent):
        os.replace(src, dst)
    return dst


def switch_link(root: Path, link: Path, target: str) -> Path:
    """Point the link ``link`` at ``target`` (relative) in one ``rename``. An existing ``link``
    must be a link statlib made; a folder or a foreign link there is refused."""
    link = Path(link)
    folder = mkdir(root, link.parent)
    if link.is_symlink() and not is_own_link(link):
        raise UnsafePathError(
            f"{link} is a symbolic link (→ {os.readlink(link)}) that statlib did not create; "
            "statlib switches only its own links — remove it and run again"
        )
    if link.exists() and not link.is_symlink():
        raise UnsafePathError(
            f"{link} is a folder or file, not a link statlib made — move it aside and run again"
        )
    tmp = folder / f".{link.name}.{uuid.uuid4().hex[:8]}.link"
    with guard(folder):
        os.symlink(target, tmp)
        try:
            os.replace(tmp, folder / link.name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return folder / link.name


def remove_tree(root: Path, path: Path) -> bool:
    """Remove ``path`` below ``root``: a link is unlinked (never followed), a folder removed
    with everything in it. True if something was removed."""
    path = Path(path)
    if path.is_symlink():
        folder = real_inside(root, path.parent)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / path.name)
        return True
    if not path.exists():
        return False
    real = real_inside(root, path)
    shutil.rmtree(real, ignore_errors=True)  # rmtree never follows the links inside
    return not real.exists()


# ---- the atomic switch of a published folder ------------------------------------------------


def own_names(prefix: str, digits: int = 10) -> re.Pattern[str]:
    """The names of the versions statlib makes for ``prefix``: ``<prefix>-<digits hex>``
    exactly (``2023`` is not ``2023-11``); an empty prefix: ``<digits hex>`` alone."""
    head = f"{re.escape(prefix)}-" if prefix else ""
    return re.compile(rf"\A{head}[0-9a-f]{{{digits}}}\Z")


def new_name(prefix: str, digits: int = 10) -> str:
    """A fresh version name that :func:`own_names` of ``prefix`` matches."""
    tail = uuid.uuid4().hex[:digits]
    return f"{prefix}-{tail}" if prefix else tail


@contextlib.contextmanager
def staged(root: Path, store: Path, name: str) -> Iterator[Path]:
    """Assemble a version in ``store/.<name>.part``: the block fills the yielded folder; when
    it completes the folder is renamed to ``store/<name>``, when it raises (or the run is
    killed) the part is removed (by :func:`clean_parts`, for a killed run)."""
    store = mkdir(root, store)
    part = store / f".{name}.part"
    try:
        mkdir(root, part)
        yield part
        rename(root, part, store / name)
    except BaseException:
        remove_tree(root, part)
        raise


def switch(root: Path, link: Path, version: Path) -> Path:
    """Make ``link`` point at ``version`` (a folder :func:`staged` made beside or below the
    link's folder) in one ``rename``: readers see the old version or the new one."""
    # real paths on both sides: the link is relative (``.releases/<name>``) even when the
    # root itself is reached through a link (an ``outputs`` folder on another disk)
    target = os.path.relpath(os.path.realpath(version), os.path.realpath(Path(link).parent))
    return switch_link(root, link, target)


def check_link(link: Path, what: str, store: str) -> Path:
    """``link``, refused unless absent or a link statlib made (``what`` names it in the
    message, ``store`` is where its versions live)."""
    link = Path(link)
    if (link.is_symlink() or link.exists()) and not is_own_link(link):
        raise UnsafePathError(
            f"{link} is not {what} statlib made — move it aside; statlib publishes it as a "
            f"link to {store}"
        )
    return link


def prune(root: Path, store: Path, own: re.Pattern[str], keep: Path, count: int = 2) -> list[str]:
    """Remove the older versions in ``store`` whose names ``own`` matches, keeping ``keep``
    (the current one) and the newest ``count - 1`` others. Returns the names removed."""
    old = sorted(
        (
            p
            for p in Path(store).iterdir()
            if own.match(p.name) and p.name != Path(keep).name and not p.is_symlink()
        ),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = []
    for path in old[max(count - 1, 0) :]:
        if remove_tree(root, path):
            removed.append(path.name)
    return removed


def clean_parts(root: Path, store: Path, own: re.Pattern[str]) -> list[str]:
    """Remove the ``.<name>.part`` folders that dead runs left in ``store`` (names ``own``
    matches; call only while holding the run's lock). Returns the names removed."""
    store = Path(store)
    if not store.is_dir() or store.is_symlink():
        return []
    removed = []
    for path in sorted(store.iterdir()):
        name = path.name
        if (
            name.startswith(".")
            and name.endswith(".part")
            and own.match(name[1:-5])
            and remove_tree(root, path)
        ):
            removed.append(name)
    return removed


# ---- errors of the file system --------------------------------------------------------------


@contextlib.contextmanager
def guard(folder: Path) -> Iterator[None]:
    """Turn an ``OSError`` of the file system into an :class:`OutputError` naming ``folder``."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | FileExistsError) or exc.errno not in _WHY:
            raise
        raise OutputError(folder, _WHY[exc.errno], str(exc.filename or "")) from None


def preflight(folder: Path, *, need: int = MIN_FREE) -> None:
    """Before a run: ``folder`` can be made and written to and has ``need`` bytes free
    (OutputError naming the folder otherwise)."""
    folder = Path(folder)
    with guard(folder):
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".statlib-probe.{uuid.uuid4().hex[:8]}"
        fd = os.open(probe, _FLAGS, 0o644)
        try:
            os.write(fd, b"statlib")
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(probe)
        stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    if free < need:
        raise OutputError(
            folder,
            f"only {free / 2**20:.1f} MB are free, a run needs at least {need / 2**20:.0f} MB",
        )
