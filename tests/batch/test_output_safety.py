"""Writes stay inside the output root: planted symbolic links (S5), a full disk and a read-only
output folder (R4) — real builds, previews, publications and site builds."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from statlib import open_store
from statlib.authoring import preview
from statlib.batch import build
from statlib.errors import OutputError, UnsafePathError
from statlib.site import build_site, publish

FIX = "tests/fixtures/batch"
ROOT = Path(__file__).resolve().parents[2]
MINI = {
    "series": "mini",
    "notebook": f"{FIX}/mini.ipynb",
    "regions": ["990200"],
    "editions": ["internal", "public"],
    "formats": ["html"],
}
NOW = "2023-12-15T09:30"


@pytest.fixture()
def env(env: Path) -> Path:
    """conftest's ``env``, with a folder outside the roots that no write may reach."""
    (env / "outside").mkdir()
    return env


def _release_file(tmp: Path) -> Path:
    path = tmp / "release.yaml"
    path.write_text(json.dumps({"period": "2023-11", "publications": [MINI]}), encoding="utf-8")
    return path


def _plant(env: Path, rel: str, kind: str) -> tuple[Path, Path | None]:
    """A link at ``rel`` (under the test folder) to a folder, or a file name, outside the root;
    what was there is moved aside (returned, to put back)."""
    link = env / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    aside = None
    if link.exists() or link.is_symlink():
        aside = link.with_name(f"{link.name}.aside")
        link.rename(aside)
    target = env / "outside" / f"{uuid.uuid4().hex[:8]}-{link.name}"
    if kind == "dir":
        target.mkdir()  # a file name is left absent: a write through the link would create it
    link.symlink_to(target)
    return link, aside


def _written_outside(env: Path) -> list[str]:
    return sorted(str(p) for p in (env / "outside").rglob("*") if not p.is_dir())


# (planted link, kind, True when statlib must refuse naming it — False: writes safely inside)
BUILD = [
    ("outputs/.index.html.tmp", "file", False),
    ("outputs/.2023-11.0123abcd.link", "file", False),
    ("outputs/.releases/.2023-11-0123456789.part", "dir", False),
    ("work/2023-11/cache/mini-990200-public.tmp", "file", True),
    ("work/2023-11/stage", "dir", False),
    ("outputs/.releases", "dir", True),
    ("outputs/index.html", "file", True),
    ("outputs/2023-11", "dir", True),
    ("work/2023-11", "dir", True),
    ("work/2023-11/build.lock", "file", True),
    ("work/2023-11/cache", "dir", True),
    ("work/2023-11/failed", "dir", True),
    ("work/2023-11/failed/mini-990200-public.ipynb", "file", True),
    ("work/2023-11/cache/mini-990200-public.json", "file", True),
    ("work/2023-11/last-build.json", "file", True),
]
PREVIEW = [
    ("outputs/preview", "dir", True),
    ("outputs/preview/mini", "dir", True),
    ("outputs/preview/mini/mini.ipynb", "file", True),
    ("outputs/preview/mini/mini.internal.html", "file", True),
]
SITE = [
    ("outputs/.site.0123abcd.link", "file", False),
    ("outputs/.site/.0123456789ab.part", "dir", False),
    ("outputs/.site", "dir", True),
    ("outputs/site", "dir", True),
    ("outputs/.site/.publish.lock", "file", True),
]


def _each(
    env: Path, cases: list[tuple[str, str, bool]], run: Callable[[], object]
) -> tuple[int, int]:
    """Plant the links that must be written around all at once and run once; then each link
    that must be refused alone (what was at its name moved aside and put back). Returns
    (links planted, refusals)."""
    safe = [_plant(env, rel, kind)[0] for rel, kind, refuse in cases if not refuse]
    if safe:
        run()
        assert _written_outside(env) == []
        for link in safe:  # a link at a temporary name is never written through
            assert not link.exists() or link.is_symlink()
    refused = 0
    for rel, kind, refuse in cases:
        if not refuse:
            continue
        link, aside = _plant(env, rel, kind)
        try:
            run()
        except UnsafePathError as exc:
            message = str(exc)
        else:
            pytest.fail(f"a link planted at {rel} was not refused")
        assert str(link) in message, (rel, message)
        assert "remove it" in message or "move it aside" in message
        refused += 1
        link.unlink()
        if aside is not None:
            aside.rename(link)
        assert _written_outside(env) == [], rel
    return len(safe) + refused, refused


@pytest.mark.slow  # whole builds
def test_planted_symlinks_never_redirect_a_write(
    env: Path, db_copy: Path, approved_bulletin: Callable[[Path, Path, Path], None]
) -> None:
    release = _release_file(env)
    counts = [_each(env, BUILD, lambda: build(release, workers=1))]
    assert (env / "outputs" / "index.html").is_file()
    assert not (env / "outputs" / "index.html").is_symlink()
    counts.append(_each(env, PREVIEW, lambda: preview(ROOT / FIX / "mini.ipynb")))
    approved_bulletin(env / "outputs", db_copy, env / "src")

    def site() -> None:
        with open_store(str(db_copy), read_only=False) as s:
            report = publish(env / "outputs", s, "2023-11", now=NOW)
            assert report.refused == []
            build_site(env / "outputs", s)

    counts.append(_each(env, SITE, site))
    assert (env / "outputs" / "site" / "files").is_dir()
    assert _written_outside(env) == []  # only the links' empty target folders are there
    planted, refused = sum(c[0] for c in counts), sum(c[1] for c in counts)
    assert planted == len(BUILD) + len(PREVIEW) + len(SITE) == 24
    print(
        f"S5: {planted} symlinks planted, 0 files written outside the output root "
        f"({refused} refused naming the link, {planted - refused} written around safely; "
        "build, preview, publish, site)"
    )


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
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


def test_a_small_disk_is_refused_before_any_job_runs(env: Path) -> None:
    ran: list[str] = []
    with _tmpfs(env / "outputs", "2m"):
        with pytest.raises(OutputError) as caught:
            build(_release_file(env), workers=1, on_plan=lambda jobs, todo: ran.append("plan"))
        assert ran == []  # before any job was planned or run
        assert str(env / "outputs") in str(caught.value)
        assert "only 2.0 MB are free, a run needs at least 8 MB" in str(caught.value)
        assert list((env / "outputs").iterdir()) == []
    print("R4: 2 MB tmpfs as output root: refused before the jobs, naming the folder")


@pytest.mark.slow  # whole builds
def test_a_disk_that_fills_during_the_build_publishes_nothing(env: Path) -> None:
    with _tmpfs(env / "outputs", "12m"):
        filler = env / "outputs" / "filler"

        def fill(jobs: list[object], todo: list[object]) -> None:
            """Another program fills the disk while the jobs run."""
            with open(filler, "wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()

        with pytest.raises(OutputError) as caught:
            build(_release_file(env), workers=1, on_plan=fill)
        message = str(caught.value)
        assert str(env / "outputs" / ".releases") in message and "the disk is full" in message
        left = sorted(p.name for p in (env / "outputs").rglob("*"))
        assert left == [".releases", "filler"]  # no .part, no link, no index
        filler.unlink()
        report = build(_release_file(env), workers=1)  # space again: the next run publishes
        assert report.published and report.failed == []
        assert (env / "outputs" / "2023-11" / "manifest.json").is_file()
    print(
        "R4: disk filled during the build: OutputError naming the folder, nothing published; "
        "the next run publishes"
    )


def test_a_read_only_output_folder_is_refused_before_any_job_runs(env: Path) -> None:
    with _tmpfs(env / "outputs", "64m"):
        ro = subprocess.run(
            ["mount", "-o", "remount,ro", str(env / "outputs")],
            capture_output=True,
            text=True,
            check=False,
        )
        if ro.returncode != 0:
            pytest.skip(f"cannot remount read-only ({ro.stderr.strip()})")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "statlib.cli",
                "build",
                "--params",
                str(_release_file(env)),
                "-j",
                "1",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == OutputError.exit_code == 8
        assert "Traceback" not in done.stderr
        assert f"cannot write to {env / 'outputs'}: the file system is read-only" in done.stderr, (
            done.stderr
        )
        assert "jobs:" not in done.stdout  # refused before the plan
        assert not (env / "work" / "2023-11" / "stage").exists()
    shutil.rmtree(env / "work", ignore_errors=True)
    print("R4: read-only outputs: refused before the jobs, naming the folder (exit 8)")


FSIO = [  # (operation, planted link below the root → outside folder or file)
    ("write", "a"),  # a folder on the way
    ("write", "a/b/f.txt"),  # the file itself
    ("copy", "a"),
    ("copy", "a/b/f.txt"),
    ("mkdir", "a/b"),
    ("switch", "a/b/f.txt"),  # a foreign link where statlib switches its own
]


@pytest.mark.parametrize(("operation", "planted"), FSIO)
def test_fsio_refuses_a_planted_link(tmp_path: Path, operation: str, planted: str) -> None:
    from statlib import fsio

    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "a" / "b").mkdir(parents=True)
    outside.mkdir()
    link = root / planted
    if link.is_dir():
        shutil.rmtree(link)
    link.symlink_to(outside)
    source = tmp_path / "source.txt"
    source.write_text("data", encoding="utf-8")
    run = {
        "write": lambda: fsio.write_text(root, root / "a" / "b" / "f.txt", "data"),
        "copy": lambda: fsio.copy_file(root, source, root / "a" / "b" / "f.txt"),
        "mkdir": lambda: fsio.mkdir(root, root / "a" / "b" / "c"),
        "switch": lambda: fsio.switch_link(root, root / "a" / "b" / "f.txt", ".releases/x"),
    }[operation]
    with pytest.raises(UnsafePathError, match=re.escape(str(link))):
        run()
    assert list(outside.iterdir()) == []
    assert fsio.remove_tree(root, link) and not link.is_symlink()  # unlinked, never followed
    assert outside.is_dir()


def test_fsio_writes_through_a_temporary_file_and_keeps_its_own_links(tmp_path: Path) -> None:
    from statlib import fsio

    root = tmp_path / "root"
    path = fsio.write_text(root, root / "x" / "f.txt", "一")
    assert path.read_text(encoding="utf-8") == "一" and oct(path.stat().st_mode)[-3:] == "644"
    fsio.write_text(root, root / "x" / "f.txt", "二")
    assert sorted(p.name for p in (root / "x").iterdir()) == ["f.txt"]  # no temporary left
    (root / ".releases" / "p-0123456789").mkdir(parents=True)
    fsio.switch_link(root, root / "p", ".releases/p-0123456789")
    fsio.switch_link(root, root / "p", ".releases/p-0123456789")  # its own link: switched again
    assert fsio.is_own_link(root / "p") and (root / "p").resolve().name == "p-0123456789"
