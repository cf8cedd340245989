"""Safe writes under a root: no symbolic link planted in ``outputs/`` or ``.statlib/`` can
redirect a write of statlib outside its root.

Every function takes the root (``outputs/``, the work folder, a render's output folder) and a
path below it. The path's real location is resolved and must stay inside the root's real
location; no component below the root may be a symbolic link, except the links statlib makes
itself (``outputs/<period>`` → ``.releases/<slug>-<id>``, ``outputs/site`` → ``.site/<id>``),
and those only where statlib switches them. A file is written through a temporary file created
with ``O_EXCL | O_NOFOLLOW`` in the same real folder, then ``os.replace``-d onto its name; a
folder is made one component at a time, never through a link.

An ``OSError`` of the file system (disk full, read-only, permission denied) becomes an
:class:`~statlib.errors.OutputError` naming the folder (:func:`guard`); :func:`preflight`
checks that a folder is writable and has some free space before a long run starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from statlib.errors import OutputError, UnsafePathError

__all__ = [
    "MIN_FREE",
    "copy_file",
    "guard",
    "is_own_link",
    "mkdir",
    "preflight",
    "real_inside",
    "remove_tree",
    "rename",
    "root_of",
    "switch_link",
    "write_bytes",
    "write_text",
]

MIN_FREE = 8 * 2**20  # bytes a build needs free in its outputs and work folders to start

_OWN_LINK = re.compile(r"\A(?:\.releases/[a-z0-9_.-]+-[0-9a-f]{10}|\.site/[0-9a-f]{12})\Z")
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


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
