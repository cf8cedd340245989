"""Run the tests behind the reliability figures R1–R5 and S1–S6 (TRUST.md §4) and print the
table of ``docs/reliability.md``, or write it there between its markers.

    python tools/reliability.py            # print the table
    python tools/reliability.py --write    # replace the table in docs/reliability.md

Each figure's tests run with ``pytest -q -rA -s -m ''``; a line the tests print (``R1: 43/43 …``) is
the figure; where the tests print none, the figure is the count of passed cases in the words of
``says``. A figure whose tests fail, or do not exist yet, says so.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


@dataclass(frozen=True)
class Figure:
    id: str
    what: str
    tests: tuple[str, ...]
    says: str = "{passed}/{total} cases pass"


FIGURES = [
    Figure(
        "R1",
        "malformed inputs (encoding, delimiter, missing/extra/duplicate columns, text "
        "in numbers, empty file, merged cells, formulas; issue 12: one key spelled twice, "
        "NaN/inf/1_000/full-width numbers, year 0000, a value cut without line break, "
        "fractional contributors, hidden XLSX rows, an NBS indicator typo, absurd XLSX "
        "dimensions, 200 KB fields, sep= lines, a symlink loop, byte/row/time bounds; the "
        "key, NaN and duplicate cases also on PostgreSQL)",
        ("tests/ingest/test_bad_input.py",),
    ),
    Figure(
        "R2",
        "validation rules on seeded faults and clean demo data; Hidiroglou–Berthelot "
        "outliers planted in 50 seeded panels",
        (
            "tests/checks/test_rules.py",
            "tests/checks/test_outliers.py::test_r2_planted_outliers_all_flagged_and_no_false_flags",
        ),
        "HB: {passed_hb}/50 seeded panels with 3 planted outliers each: all flagged, 0 false "
        "flags on the clean panel",
    ),
    Figure(
        "R3",
        "a batch with a failing and a hanging notebook among four good jobs",
        ("tests/batch/test_batch.py::test_failures_are_reported_and_never_published",),
        "the 4 other jobs complete; 2/2 failures reported with cell and error (cell 4, "
        "Timeout); 0 failed outputs published; a retry reruns only the 2",
    ),
    Figure(
        "R4",
        "SIGKILL during ingest (3 M-row load), during `statlib build` (4 timed moments; "
        "rendered, assembled, switched) and `statlib publish` (assembled, staged, recorded, "
        "switched); concurrent ingests on DuckDB and PostgreSQL; two builds of one period at "
        "once, stale locks, `.part` leftovers; disk full (small tmpfs) and read-only outputs",
        (
            "tests/batch/test_atomicity.py::test_sigkill_during_ingest",
            "tests/batch/test_batch.py::test_sigkill_during_build_leaves_old_or_new",
            "tests/batch/test_orphans.py",
            "tests/store/test_concurrency.py",
            "tests/batch/test_publish_recovery.py",
            "tests/batch/test_build_lock.py",
            "tests/batch/test_output_safety.py::test_a_small_disk_is_refused_before_any_job_runs",
            "tests/batch/test_output_safety.py::test_a_disk_that_fills_during_the_build_publishes_nothing",
            "tests/batch/test_output_safety.py::"
            "test_a_read_only_output_folder_is_refused_before_any_job_runs",
        ),
        "{passed}/{total} kill, lock and disk tests: database equal to the previous state; "
        "published release and site old or new at every kill moment, never a mix",
    ),
    Figure(
        "R5",
        "same inputs built twice, separate processes, other hash seed and clock",
        ("tests/batch/test_reproducible.py",),
    ),
    Figure(
        "S1",
        "disclosure rule boundaries (counts 2/3/4, (n,k) and p% at the limit, "
        "negative and zero values)",
        ("tests/disclosure/test_disclosure_rules.py",),
    ),
    Figure(
        "S2",
        "LP audit (scipy HiGHS) of protected tables, linked tables together; every "
        "suppressed cell of the data portal and the yearbook's county tables",
        ("tests/disclosure/test_disclosure_audit.py", "tests/disclosure/test_portal_disclosure.py"),
        "S2: {passed}/{total} audit tests pass: primary suppression alone recovered (as "
        "TRUST §1), after secondary suppression 0 cells recoverable below their protection "
        "level, linked tables audited together",
    ),
    Figure(
        "S3",
        "leak scan of every public and masked byte for confidential and unsafe "
        "values (every period), unit data and canaries, in every spelling; the edition "
        "contract on every path that runs a notebook; leaks planted in public notebooks",
        (
            "tests/leaks/test_leakscan.py",
            "tests/leaks/test_leak_spellings.py",
            "tests/leaks/test_leak_release.py",
            "tests/leaks/test_leak_gate.py",
            "tests/batch/test_edition_paths.py",
            "tests/core/test_edition_contract.py",
            "tests/leaks/test_planted_leaks.py",
        ),
    ),
    Figure(
        "S4",
        "hostile parameter names and values",
        (
            "tests/batch/test_batch.py::test_hostile_release_rejected_before_any_kernel",
            "tests/batch/test_batch.py::test_hostile_parameter_value_is_text",
            "tests/batch/test_hostile_params.py",
        ),
        "{passed}/{total}: 8 hostile releases (code in names, newline, undeclared, wrong "
        "types, paths, edition) rejected before a kernel starts; a quoting value stays text "
        "and runs nothing",
    ),
    Figure(
        "S5",
        "hostile output names (`..`, `/`, absolute, NUL, look-alikes, backslash); "
        "symbolic links planted at the names statlib writes (build, preview, publish, site)",
        (
            "tests/batch/test_batch.py::test_hostile_output_names_stay_inside",
            "tests/batch/test_output_safety.py::test_planted_symlinks_never_redirect_a_write",
        ),
        "{passed}/{total} cases (hostile names and planted links): 0 files outside the output root",
    ),
    Figure(
        "S6",
        "hostile labels (`<script>`, `onerror`, `javascript:`, Markdown links and "
        "images of local files) in HTML, DOCX, WeChat and the site",
        (
            "tests/render/test_render.py::test_html_page_is_responsive_and_inert",
            "tests/render/test_wechat.py::test_hostile_labels_stay_text",
            "tests/render/test_wechat.py::test_raw_markup_becomes_text",
            "tests/site/test_site.py::test_hostile_labels_are_text",
            "tests/render/test_hostile_labels.py",
        ),
        "{passed}/{total} pages (HTML publication, WeChat copy and raw markup, site pages): "
        "labels rendered as text, 0 active elements",
    ),
]


def run(figure: Figure) -> tuple[str, str]:
    """(status, figure text) from running the figure's tests."""
    present = [t for t in figure.tests if (ROOT / t.split("::")[0]).is_file()]
    if not present:
        return "not yet", "not yet: the tests do not exist"
    done = subprocess.run(
        # -m "": a figure's tests run whether or not they carry the slow marker
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rA",
            "-s",
            "-p",
            "no:cacheprovider",
            "-m",
            "",
            *present,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    out = done.stdout
    outcomes = re.findall(r"^(PASSED|FAILED|ERROR|SKIPPED) (\S+)", out, re.M)
    passed = sorted({node for status, node in outcomes if status == "PASSED"})
    total = len({node for _, node in outcomes})
    printed = list(
        dict.fromkeys(
            m.group(1).strip() for m in re.finditer(rf"(?<![\w]){figure.id}: ([^\n]*)", out)
        )
    )
    counts = {
        "passed": len(passed),
        "total": total,
        "passed_hb": sum("test_outliers.py" in n for n in passed),
    }
    text = "; ".join(printed)
    if not printed or figure.id in ("R2", "R4", "S5"):
        extra = figure.says.format(**counts).removeprefix(f"{figure.id}: ")
        text = f"{text}; {extra}" if text else extra
    missing = len(present) < len(figure.tests)
    status = "pass" if total and len(passed) == total else "FAIL" if total else "not yet"
    if status != "pass":
        text += f" — {len(passed)}/{total} passed"
    if missing:
        text += " (some tests not yet written)"
    return status, text or f"{len(passed)}/{total} passed"


def table() -> str:
    rows = ["| id | what is tested | tests | figure | status |", "|---|---|---|---|---|"]
    for figure in FIGURES:
        status, text = run(figure)
        tests = "<br>".join(f"`{t}`" for t in figure.tests)
        rows.append(f"| {figure.id} | {figure.what} | {tests} | {text} | {status} |")
        print(f"{figure.id}: {status}: {text}", file=sys.stderr, flush=True)
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/reliability.md")
    args = parser.parse_args()
    body = table()
    if not args.write:
        print(body)
        return
    doc = DOC.read_text(encoding="utf-8")
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    DOC.write_text(f"{doc[:start]}\n{body}\n{doc[end:]}", encoding="utf-8")


if __name__ == "__main__":
    main()
