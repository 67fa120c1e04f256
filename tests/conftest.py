"""Suite-wide settings: both cores when pytest-xdist is installed, and CI's rule that tests
needing an optional tool (see ``requires.py``) must have run."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Any

import pytest
from requires import IN_CI

TESTS = Path(__file__).parent
NEEDS = ("needs_torch", "needs_graphviz", "needs_browser")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """``python -m pytest`` (no paths) runs on every core when pytest-xdist is installed;
    an explicit ``-n``, ``-p no:xdist``, a path or ``--pdb`` keeps the user's choice."""
    if (config.pluginmanager.hasplugin("xdist")
            and config.getoption("numprocesses", None) is None
            and config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.getoption("usepdb", False)
            and not config.getoption("collectonly", False)
            and not hasattr(config, "workerinput")):
        config.option.numprocesses = "auto"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every PyTorch comparison counts as slow (importing torch alone takes seconds), so
    ``-m "not slow"`` leaves them out (before ``-m`` deselects)."""
    for item in items:
        # A module that holds torch at module level compares with it (it may have imported
        # it with a plain pytest.importorskip): its tests need torch.
        module = getattr(item, "module", None)
        held = getattr(module, "torch", None)
        function = getattr(getattr(item, "function", None), "__name__", None)
        if (getattr(held, "__name__", None) == "torch"
                or function in _torch_functions(getattr(module, "__file__", None))
                ) and not item.get_closest_marker("needs_torch"):
            item.add_marker(pytest.mark.needs_torch)
        if item.get_closest_marker("needs_torch") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


_TORCH_CALL = re.compile(r"""importorskip\(["']torch|require_torch\(""")


@functools.cache
def _torch_functions(path: str | None) -> frozenset[str]:
    """Test functions of the file at ``path`` that fetch torch themselves
    (``pytest.importorskip("torch")`` or ``require_torch()`` in their body): they compare
    with torch too, so they are needs_torch (and slow) like a module holding torch."""
    if not path or not path.endswith(".py"):
        return frozenset()
    text = Path(path).read_text(encoding="utf-8")
    if not _TORCH_CALL.search(text):
        return frozenset()
    return frozenset(
        node.name for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and _TORCH_CALL.search(ast.get_source_segment(text, node) or ""))


_TORCH_MODULE = re.compile(r"^pytestmark = .*needs_torch|^torch = \S*(require_torch|importorskip)",
                           re.M)


def _selected(markexpr: str, marks: set[str]) -> bool:
    """Would ``-m markexpr`` select a test carrying exactly ``marks``?"""
    try:
        from _pytest.mark.expression import Expression

        return bool(Expression.compile(markexpr).evaluate(lambda name, **kw: name in marks))
    except Exception:  # pytest's private API moved: collect, and let -m deselect
        return True


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A module whose tests all need torch is not even imported when ``-m`` leaves out slow
    tests: importing torch would cost each worker seconds for tests it then deselects."""
    markexpr = config.getoption("markexpr")
    if (markexpr and collection_path.suffix == ".py" and collection_path.name.startswith("test_")
            and not _selected(markexpr, {"needs_torch", "slow"})
            and _TORCH_MODULE.search(collection_path.read_text(encoding="utf-8"))):
        return True
    return None


# -- CI: tests that need an optional tool must run ---------------------------------------------
# A skip for something missing. Other skips stay allowed in CI (e.g. a parity test that does
# not apply to this torch build), also for tests that need a tool.
_MISSING = re.compile(r"could not import|no module named|not installed|not available", re.I)
_ran: dict[str, int] = {m: 0 for m in NEEDS}
_missing: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not IN_CI:
        return
    marks = [m for m in NEEDS if m in report.keywords]
    if report.skipped and not hasattr(report, "wasxfail"):  # an xfail ran
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if _MISSING.search(reason):
            _missing.append(f"{report.nodeid}: {reason.removeprefix('Skipped: ')}")
    elif report.when == "call" or hasattr(report, "wasxfail"):
        for m in marks:
            _ran[m] += 1


_MARK_USE = re.compile(r"mark\.(needs_\w+)")


def _used_markers() -> set[str]:
    """The needs_* markers that some test file applies (a kind of test that exists)."""
    used: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        used.update(_MARK_USE.findall(path.read_text(encoding="utf-8", errors="replace")))
    return used & set(NEEDS)


def ci_problems(config: pytest.Config) -> list[str]:
    """Why this CI run does not count: optional-tool tests that skipped or did not run."""
    problems = []
    if _missing:
        problems.append(f"{len(_missing)} test(s) skipped for something missing, e.g. "
                        f"{_missing[0]}")
    whole = (config.args_source == pytest.Config.ArgsSource.TESTPATHS
             and not config.getoption("keyword") and not config.getoption("markexpr"))
    if whole:
        problems += [f"no {m} test ran" for m in sorted(_used_markers()) if not _ran[m]]
    return problems


def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    if not IN_CI or hasattr(session.config, "workerinput"):
        return  # xdist workers see a share of the tests; the controller checks the whole
    problems = ci_problems(session.config)
    session.config.stash[_PROBLEMS] = problems
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_PROBLEMS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    problems = config.stash.get(_PROBLEMS, [])
    if problems:
        terminalreporter.section("CI=true: tests that need an optional tool did not all run",
                                 red=True)
        for p in problems:
            terminalreporter.write_line(p)
