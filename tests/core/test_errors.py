"""The exception tree: drawn once in errors.py, every class under StatlibError, one exit-code
table used by the command and README."""

from __future__ import annotations

import ast
import pickle
import re
import signal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import statlib
from statlib import errors
from statlib._cli_common import handle_errors
from statlib.errors import (
    EXIT_CODES,
    BuildInterrupted,
    CheckError,
    ConfigError,
    DataError,
    DisclosureError,
    EditionError,
    EmbargoError,
    ExecutionError,
    InputError,
    LeakError,
    LockedError,
    OutputError,
    RegistryError,
    RenderError,
    StatlibError,
    StoreLockedError,
    UnsafePathError,
)

PACKAGE = Path(statlib.__file__).parent
README = PACKAGE.parent / "README.md"


def _drawn() -> dict[str, str | None]:
    """Class name → parent name, read from the tree in errors.py's docstring."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []  # (column of the name, name)
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*(?:[│ ]*[├└]── )?)([A-Z]\w+)\s{2,}\S", line)
        if not match:
            continue
        column, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= column:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((column, name))
    return parents


def _classes(root: type[StatlibError]) -> dict[str, str | None]:
    """Class name → parent name, from the classes themselves (recursively)."""
    found: dict[str, str | None] = {root.__name__: None}

    def walk(cls: type[StatlibError]) -> None:
        for sub in cls.__subclasses__():
            found[sub.__name__] = cls.__name__
            walk(sub)

    walk(root)
    return found


def test_the_drawn_tree_is_the_class_tree() -> None:
    drawn, real = _drawn(), _classes(StatlibError)
    assert len(drawn) == 17  # the drawing was read, not skipped
    assert set(drawn) - set(real) == set(), "drawn but not a class"
    assert set(real) - set(drawn) == set(), "a class that is not drawn"
    assert drawn == real
    assert drawn["EmbargoError"] == "RegistryError" and drawn["RegistryError"] == "ConfigError"


def test_every_class_of_errors_is_exported_and_under_the_root() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and value.__module__ == "statlib.errors"
    }
    assert defined == {n for n in errors.__all__ if n[0].isupper() and n != "EXIT_CODES"}
    for name in defined:
        assert issubclass(getattr(errors, name), StatlibError), name


def _exception_classes(path: Path) -> list[str]:
    """Names of the classes in ``path`` that derive from an exception (by their bases)."""
    known = set(_classes(StatlibError)) | {"Exception", "BaseException", "RuntimeError"}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & known or any(b.endswith(("Error", "Exception")) for b in bases):
                names.append(node.name)
    return names


def test_every_exception_statlib_raises_is_in_errors_py() -> None:
    outside = {
        f"{path.relative_to(PACKAGE)}:{name}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "errors.py"
        for name in _exception_classes(path)
        if not name.startswith("_")  # a private signal, caught where it is raised
    }
    assert outside == set()
    assert "_NothingNew" in _exception_classes(PACKAGE / "ingest" / "loader.py")  # it sees


def test_no_bare_statlib_error_is_raised() -> None:
    """A bare StatlibError exits 1, "internal error", for a problem the user can fix."""
    bare = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"raise StatlibError\(", line)
    ]
    assert bare == []


def test_every_exit_code_is_documented_and_reachable() -> None:
    codes = {cls.exit_code for cls in errors._tree(StatlibError) if cls is not StatlibError}
    codes |= {BuildInterrupted(signal.SIGINT).exit_code, BuildInterrupted(signal.SIGTERM).exit_code}
    assert codes <= set(EXIT_CODES), "a code the table does not explain"
    # 0 is success and 1 an exception that is not a StatlibError (a bug): the rest are raised
    assert set(EXIT_CODES) - codes == {0, 1}
    assert sorted(EXIT_CODES) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130, 143]
    assert StatlibError.exit_code == 1


def test_readme_exit_code_section_is_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"<!-- exit-codes:begin -->\n(.*?)<!-- exit-codes:end -->", text, re.S)
    assert section is not None, "README has no exit-code section"
    assert section.group(1) == errors.exit_code_table()
    assert "| 7 | the release was stopped" in section.group(1)
    assert "`CheckError`, `LeakError`, `DisclosureError`" in section.group(1)


CASES = [
    (ConfigError("--period: 2023-13 is not a period"), 2, "2023-13 is not a period"),
    (EditionError("a public run may not read unit records"), 2, "unit records"),
    (RegistryError("bulletin 2023 11 public is not registered"), 2, "not registered"),
    (EmbargoError("embargo until 2023-12-15 09:30"), 2, "embargo until"),
    (DataError("unknown indicator 'x'"), 3, "unknown indicator"),
    (StoreLockedError("held by PID 4242"), 3, "PID 4242"),
    (InputError("not a number", file="a.csv", row=2, column="value"), 4, "row 2, column 'value'"),
    (RenderError("bulletin.ipynb: no front matter"), 5, "no front matter"),
    (
        ExecutionError("nb/bulletin.ipynb", 3, "ZeroDivisionError", "division by zero"),
        6,
        "bulletin.ipynb, cell 3: ZeroDivisionError: division by zero",
    ),
    (CheckError("rule gdp_positive fails for 990201"), 7, "gdp_positive"),
    (LeakError("outputs/2023-11", ["bulletin.html: 1234.5"]), 7, "1 leak(s)"),
    (DisclosureError("still recoverable after 50 rounds: 煤炭"), 7, "煤炭"),
    (OutputError("/srv/outputs", "No space left on device"), 8, "cannot write to /srv/outputs"),
    (UnsafePathError("outputs/site is a link statlib did not make"), 8, "did not make"),
    (LockedError("build 2023-11 is held by PID 77"), 9, "PID 77"),
    (BuildInterrupted(signal.SIGINT), 130, "stopped by SIGINT"),
    (BuildInterrupted(signal.SIGTERM), 143, "stopped by SIGTERM"),
    (KeyboardInterrupt(), 130, "stopped by Ctrl-C"),
]


@pytest.mark.parametrize(
    ("error", "code", "words"), CASES, ids=[type(c[0]).__name__ for c in CASES]
)
def test_the_command_exits_with_the_code_of_the_table(
    error: BaseException, code: int, words: str
) -> None:
    @click.command()
    @handle_errors
    def fails() -> None:
        raise error

    result = CliRunner().invoke(fails, [])
    assert result.exit_code == code
    assert result.output.startswith("error: ") and words in result.output
    assert result.output.count("\n") == (1 if not isinstance(error, LeakError) else 3)
    assert "Traceback" not in result.output


def test_every_class_has_a_case_above() -> None:
    assert {type(c[0]).__name__ for c in CASES} >= set(_classes(StatlibError)) - {"StatlibError"}


def test_a_bug_is_not_dressed_as_an_error() -> None:
    @click.command()
    @handle_errors
    def fails() -> None:
        raise ZeroDivisionError("division by zero")

    result = CliRunner().invoke(fails, [])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)
    assert "error: " not in result.output


def test_the_help_lists_every_exit_code() -> None:
    from statlib.cli import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for code, meaning in EXIT_CODES.items():
        assert re.search(rf"^\s+{code}\s+{re.escape(meaning[:30])}", result.output, re.M), code


def test_an_execution_error_carries_its_cell_and_travels_between_processes() -> None:
    error = ExecutionError(
        "notebooks/bulletin.ipynb", 4, "KeyError", "'gdp'", "Traceback …", {"cells": []}
    )
    back = pickle.loads(pickle.dumps(error))
    assert (back.notebook, back.cell, back.ename, back.evalue) == (
        "notebooks/bulletin.ipynb",
        4,
        "KeyError",
        "'gdp'",
    )
    assert back.executed == {"cells": []} and back.traceback == "Traceback …"
    assert str(back) == "bulletin.ipynb, cell 4: KeyError: 'gdp'"
    assert str(ExecutionError("", None, "Timeout", "the job exceeded its 300 s")) == (
        "notebook: Timeout: the job exceeded its 300 s"
    )
    stopped = pickle.loads(pickle.dumps(BuildInterrupted(signal.SIGTERM)))
    assert stopped.exit_code == 143 and stopped.signum == signal.SIGTERM
