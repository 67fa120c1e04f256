"""The suite's own rules (tests/conftest.py, tests/requires.py), run on small suites with
pytester: optional tools skip outside CI and fail under CI=true, the session fails in CI when
tests that need a tool were skipped or none ran, and xdist is used when installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # each test runs pytest in a new process

HERE = Path(__file__).parent
INI = """[pytest]
testpaths = .
addopts = -p no:cacheprovider -p no:randomly -rs
markers =
    slow: slow
    needs_torch: torch
    needs_graphviz: dot
    needs_browser: chromium
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("conftest.py", "requires.py"):
        shutil.copy(HERE / name, pytester.path / name)
    pytester.makeini(INI)
    return pytester


def run(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: bool, *args: str):
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    return suite.runpytest_subprocess("-n", "0", *args)


MISSING_TOOL = """
import pytest
from requires import require_tool

@pytest.mark.needs_graphviz
def test_dot():
    require_tool("no-such-command-adcli-test")

def test_plain():
    pass
"""


def test_missing_tool_skips_with_a_how_to_outside_ci(suite, monkeypatch) -> None:
    suite.makepyfile(test_tool=MISSING_TOOL)
    result = run(suite, monkeypatch, False)
    assert result.ret == 0
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*the command 'no-such-command-adcli-test' is not available; "
                                 "install 'no-such-command-adcli-test' to run this test*"])


def test_missing_tool_fails_under_ci(suite, monkeypatch) -> None:
    suite.makepyfile(test_tool=MISSING_TOOL)
    result = run(suite, monkeypatch, True)
    assert result.ret == 1
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*CI=true and the command 'no-such-command-adcli-test' is not "
                                 "available*"])


def test_ci_fails_when_a_test_skips_for_something_missing(suite, monkeypatch) -> None:
    suite.makepyfile(test_skip="""
import pytest

@pytest.mark.needs_torch
def test_parity():
    pytest.skip("torch is not installed")

@pytest.mark.needs_torch
def test_parity_that_does_not_apply():
    pytest.skip("this torch build draws from another stream")  # allowed

@pytest.mark.needs_graphviz
def test_dot():
    pass

@pytest.mark.needs_graphviz
@pytest.mark.xfail(strict=True, reason="a known bug: an xfail ran")
def test_dot_bug():
    assert False
""")
    result = run(suite, monkeypatch, True)
    assert result.ret == 1
    assert "test_dot_bug" not in result.stdout.str().split("did not all run")[1]
    result.stdout.fnmatch_lines(["*tests that need an optional tool did not all run*",
                                 "1 test(s) skipped for something missing, e.g. "
                                 "test_skip.py::test_parity: torch is not installed"])
    assert run(suite, monkeypatch, False).ret == 0


def test_ci_fails_on_an_importorskip(suite, monkeypatch) -> None:
    suite.makepyfile(test_imp="""
import pytest

def test_uses_a_module():
    pytest.importorskip("no_such_module_adcli_test")
""")
    result = run(suite, monkeypatch, True)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["1 test(s) skipped for something missing, e.g. *"])


def test_ci_fails_when_no_test_of_a_used_marker_ran(suite, monkeypatch) -> None:
    suite.makepyfile(test_ran="""
import pytest

@pytest.mark.needs_graphviz
def test_dot():
    pass

def test_torch_free():
    pass  # pytest.mark.needs_torch is named here, so torch tests exist and must run
""")
    result = run(suite, monkeypatch, True)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["no needs_torch test ran"])
    assert "needs_graphviz" not in result.stdout.str().split("did not all run")[1]
    assert "needs_browser" not in result.stdout.str()  # no browser tests yet: not required
    # A selection (a path, -k or -m) does not have to include every kind of test.
    assert run(suite, monkeypatch, True, "test_ran.py").ret == 0
    assert run(suite, monkeypatch, True, "-k", "dot").ret == 0


def test_xdist_is_used_when_installed_and_no_n_is_given(suite, monkeypatch) -> None:
    pytest.importorskip("xdist")  # the suite runs without it; this test is about it
    suite.makepyfile(test_worker="""
import os

def test_runs_in_a_worker():
    assert os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
""")
    monkeypatch.delenv("CI", raising=False)
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)  # when this suite itself runs under xdist
    assert suite.runpytest_subprocess().ret == 0  # -n auto added
    assert suite.runpytest_subprocess("-p", "no:xdist").ret == 1  # the user's choice wins
    assert suite.runpytest_subprocess("test_worker.py").ret == 1  # a path: one process
