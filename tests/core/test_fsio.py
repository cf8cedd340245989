"""statlib.fsio, the one module of file helpers: names, checksums, link or copy, and the atomic
switch of a published folder (staged, switch, prune, clean_parts), on real files in tmp_path."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from statlib import fsio
from statlib.errors import ConfigError, UnsafePathError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bulletin 2023-11", "bulletin-2023-11"),
        ("../etc/passwd", "etc-passwd"),
        ("a..b", "a.b"),
        ("ＡＢＣ１", "abc1"),  # full-width letters and digits (NFKC)
        (".hidden.", "hidden"),
        ("x" * 100, "x" * 80),
        ("公报", None),  # nothing ASCII is left: refused
        ("..", None),
    ],
)
def test_slug(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ConfigError, match="empty output name"):
            fsio.slug(text)
    else:
        assert fsio.slug(text) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("a", "b.html"), "a/b.html"),
        (("a/../b.html",), "b.html"),
        ((".",), ""),
        (("../x",), None),
        (("a/../../x",), None),
        (("/etc/passwd",), None),
    ],
)
def test_inside(tmp_path: Path, parts: tuple[str, ...], expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ConfigError, match="leaves the output root"):
            fsio.inside(tmp_path, *parts)
    else:
        assert fsio.inside(tmp_path, *parts) == (tmp_path / expected).resolve()


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (b"\x00" * (3 * 2**20 + 7), hashlib.sha256(b"\x00" * (3 * 2**20 + 7)).hexdigest()),
    ],
)
def test_sha256_of_bytes_and_of_a_file_read_in_blocks(
    tmp_path: Path, data: bytes, digest: str
) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert fsio.sha256_bytes(data) == digest
    assert fsio.sha256_file(path) == digest


# ---- link or copy -------------------------------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(folder: Path) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize(
    ("where", "link", "linked"),
    [
        ("same device", True, True),  # a hard link: the same inode, no space
        ("same device", False, False),  # asked for a copy
        ("other device", True, False),  # a hard link cannot cross devices: a copy instead
    ],
)
def test_copy_file_links_where_it_can_and_copies_otherwise(
    tmp_path: Path, where: str, link: bool, linked: bool
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with contextlib.ExitStack() as stack:
        folder = tmp_path / "src"
        if where == "other device":
            stack.enter_context(_tmpfs(folder))
            assert os.stat(folder).st_dev != os.stat(root).st_dev
        folder.mkdir(exist_ok=True)
        source = folder / "table.xlsx"
        source.write_bytes(b"figures " * 1000)
        made = fsio.copy_file(root, source, root / "a" / "table.xlsx", link=link)
        assert made == root / "a" / "table.xlsx"
        assert made.read_bytes() == source.read_bytes()
        assert (os.stat(made).st_ino == os.stat(source).st_ino) is linked
        assert os.stat(source).st_nlink == (2 if linked else 1)
        assert [p.name for p in (root / "a").iterdir()] == ["table.xlsx"]  # no temporary left


# ---- the atomic switch --------------------------------------------------------------------------


def _publish(root: Path, text: str, *, fail: bool = False) -> Path:
    """One version of ``root/current`` holding ``page.html`` = ``text``."""
    link = fsio.check_link(root / "current", "a test link", "root/.releases/")
    name = fsio.new_name("current")
    with fsio.staged(root, root / ".releases", name) as part:
        fsio.write_text(root, part / "page.html", text)
        if fail:
            raise RuntimeError("the build failed half way")
    final = part.parent / name
    fsio.switch(root, link, final)
    fsio.prune(root, final.parent, fsio.own_names("current"), final)
    return final


@pytest.mark.parametrize(
    ("second_fails", "shown", "versions"),
    [(False, "new", 2), (True, "old", 1)],
)
def test_the_switch_shows_the_old_folder_or_the_new_one(
    tmp_path: Path, second_fails: bool, shown: str, versions: int
) -> None:
    first = _publish(tmp_path, "old")
    assert os.readlink(tmp_path / "current") == f".releases/{first.name}"
    assert fsio.is_own_link(tmp_path / "current")
    if second_fails:
        with pytest.raises(RuntimeError, match="half way"):
            _publish(tmp_path, "new", fail=True)
    else:
        _publish(tmp_path, "new")
    assert (tmp_path / "current" / "page.html").read_text() == shown
    names = sorted(p.name for p in (tmp_path / ".releases").iterdir())
    assert len(names) == versions and not [n for n in names if n.endswith(".part")]
    assert first.name in names  # the previous version is kept either way


@pytest.mark.parametrize("through_link", [False, True])
def test_the_link_is_relative_even_when_the_root_is_reached_through_a_link(
    tmp_path: Path, through_link: bool
) -> None:
    real = tmp_path / "disk" / "outputs"
    real.mkdir(parents=True)
    root = real
    if through_link:
        root = tmp_path / "outputs"
        root.symlink_to(real)
    made = _publish(root, "page")
    assert os.readlink(real / "current") == f".releases/{made.name}"
    assert fsio.is_own_link(root / "current")
    assert (root / "current" / "page.html").read_text() == "page"


@pytest.mark.parametrize(
    ("existing", "message"),
    [("folder", "not a test link statlib made"), ("foreign link", "not a test link statlib made")],
)
def test_the_switch_never_replaces_what_statlib_did_not_make(
    tmp_path: Path, existing: str, message: str
) -> None:
    if existing == "folder":
        (tmp_path / "current").mkdir()
    else:
        (tmp_path / "current").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match=message):
        _publish(tmp_path, "new")
    assert not (tmp_path / ".releases").exists()


def _versions(store: Path, names: list[str]) -> None:
    """Folders named ``names``, each one second newer than the one before."""
    store.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        (store / name).mkdir()
        os.utime(store / name, (1_700_000_000 + i, 1_700_000_000 + i))


OWN = [f"2023-11-{i:010x}" for i in range(1, 6)]  # oldest first
OTHERS = ["2023-0000000009", "2023-11-notmine", "2023-11-0000000001x", ".2023-11-00000000aa.part"]


@pytest.mark.parametrize(
    ("count", "kept"),
    [(1, OWN[4:]), (2, OWN[3:]), (3, OWN[2:]), (9, OWN)],
)
def test_prune_keeps_the_newest_and_only_removes_names_it_made(
    tmp_path: Path, count: int, kept: list[str]
) -> None:
    store = tmp_path / ".releases"
    _versions(store, [*OTHERS, *OWN])
    (store / "2023-11-00000000ff").symlink_to(tmp_path)  # a link, even with its own name
    removed = fsio.prune(tmp_path, store, fsio.own_names("2023-11"), store / OWN[4], count)
    assert sorted(removed) == sorted(set(OWN) - set(kept))
    left = sorted(p.name for p in store.iterdir())
    assert left == sorted([*OTHERS, *kept, "2023-11-00000000ff"])


@pytest.mark.parametrize(
    ("prefix", "removed"),
    [("2023-11", [".2023-11-00000000aa.part"]), ("2023", [".2023-0000000009.part"]), ("x", [])],
)
def test_clean_parts_removes_only_the_parts_of_its_own_names(
    tmp_path: Path, prefix: str, removed: list[str]
) -> None:
    store = tmp_path / ".releases"
    parts = [".2023-11-00000000aa.part", ".2023-0000000009.part", ".2023-11-notmine.part"]
    _versions(store, [*parts, OWN[0]])
    assert fsio.clean_parts(tmp_path, store, fsio.own_names(prefix)) == removed
    assert sorted(p.name for p in store.iterdir()) == sorted({*parts, OWN[0]} - set(removed))
