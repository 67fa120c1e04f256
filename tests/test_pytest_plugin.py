"""The pytest plugin, driven through pytest's own ``pytester``: specs as test items."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # every test runs pytest again (some in a new process)

ROOT = Path(__file__).resolve().parent.parent

PASSING = """\
name: squares
tensors:
  x: {data: [1.0, 2.0, 3.0], requires_grad: true}
steps:
  - y = (x ** 2).sum()
  - y.backward()
  - expect: {x.grad: [2.0, 4.0, 6.0]}
gradcheck:
  - of: (x ** 2).sum()
"""

FAILING = """\
name: wrong-grad
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x ** 2).sum()
  - y.backward()
  - expect: {x.grad: [2.0, 5.0]}
"""

INVALID = """\
name: broken
tensors:
  x: ones(3)
steps:
  - {do: x.sum(), raises: no_such_kind}
"""

STREAM = """\
name: first-doc
steps:
  - a = ones(2)
---
name: second-doc
steps:
  - b = zeros(2)
  - expect: {b: [0.0, 0.0]}
"""


def _entry_point_active() -> bool:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    eps = importlib.metadata.entry_points(group="pytest11")
    return any(ep.value == "adcli.pytest_plugin" for ep in eps)


# Loaded by its entry point once adcli is installed; by name while it is not.
PLUGIN = [] if _entry_point_active() else ["-p", "adcli.pytest_plugin"]


@pytest.fixture(autouse=True)
def _preload() -> None:
    """In-process pytester runs drop modules first imported inside them, and numpy cannot be
    imported twice in one process: import what the plugin uses up front."""
    import importlib

    for mod in ("numpy", "yaml", "rich.console", "adcli.engine", "adcli.spec.loader",
                "adcli.spec.interpreter", "adcli.view.run_report", "adcli.check.spec_checks",
                "adcli.view.gradcheck_report"):
        importlib.import_module(mod)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, "-p", "no:cacheprovider", *args)


def test_off_by_default(pytester: pytest.Pytester):
    pytester.makefile(".yaml", spec=FAILING)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_passing_spec_with_flag(pytester: pytest.Pytester):
    pytester.makefile(".yaml", squares=PASSING)
    result = run(pytester, "--adcli", "squares.yaml", "-v")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*squares.yaml::squares PASSED*"])
    result.assert_outcomes(passed=1)


def test_failing_spec_shows_adclis_report(pytester: pytest.Pytester):
    pytester.makefile(".yaml", bad=FAILING)
    result = run(pytester, "--adcli", ".", "-rf")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*adcli spec wrong-grad*",
        "FAIL wrong-grad: 3 steps, 0/1 expectations held",
        "  FAIL  2  expect x.grad",
        "*FAIL x.grad: wanted [[]2.0, 5.0[]], got tensor([[]2., 4.[]])*",
        "*short test summary*",
        "FAILED bad.yaml::wrong-grad - FAIL wrong-grad: 3 steps, 0/1 expectations held",
    ])
    assert "Traceback" not in result.stdout.str()
    assert "pytest_plugin.py" not in result.stdout.str()


def test_invalid_spec_is_a_collection_error(pytester: pytest.Pytester):
    pytester.makefile(".yaml", broken=INVALID)
    result = run(pytester, "--adcli", ".")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # 2, like adcli's exit code
    result.stdout.fnmatch_lines([
        "*invalid adcli spec: broken.yaml:5:*raises: 'no_such_kind' is not one of*",
        "*1 error*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_ini_option_collects_spec_folders_with_testpaths(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\ntestpaths = tests\nadcli_specs = specs\n")
    specs = pytester.mkdir("specs")
    (specs / "squares.yaml").write_text(PASSING)
    (specs / "nested").mkdir()
    (specs / "nested" / "stream.yml").write_text(STREAM)
    tests = pytester.mkdir("tests")
    (tests / "test_py.py").write_text("def test_plain():\n    assert True\n")
    (tests / "other.yaml").write_text("not: a spec\n")  # outside adcli_specs: ignored
    result = run(pytester, "-v")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines_random([
        "*specs/squares.yaml::squares PASSED*",
        "*specs/nested/stream.yml::first-doc PASSED*",
        "*specs/nested/stream.yml::second-doc PASSED*",
        "*tests/test_py.py::test_plain PASSED*",
    ])


def test_explicit_python_path_does_not_pull_in_specs(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nadcli_specs = specs\n")
    pytester.mkdir("specs")
    (pytester.path / "specs" / "bad.yaml").write_text(FAILING)
    pytester.makepyfile(test_only="def test_one():\n    pass\n")
    result = run(pytester, "test_only.py")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)


def test_flag_defaults_to_the_specs_folder(pytester: pytest.Pytester):
    pytester.mkdir("specs")
    (pytester.path / "specs" / "squares.yaml").write_text(PASSING)
    (pytester.path / "ci.yaml").write_text("jobs: {}\n")  # not under specs/: not a spec
    result = run(pytester, "--adcli")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)


def test_k_selects_specs_by_name(pytester: pytest.Pytester):
    pytester.makefile(".yaml", squares=PASSING, bad=FAILING, stream=STREAM)
    result = run(pytester, "--adcli", ".", "-k", "squares or second-doc", "-v")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2, deselected=2)
    result = run(pytester, "--adcli", ".", "-k", "wrong-grad")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1, deselected=3)


def test_marker_selects_spec_items(pytester: pytest.Pytester):
    pytester.makefile(".yaml", squares=PASSING)
    pytester.makepyfile(test_py="def test_plain():\n    pass\n")
    result = run(pytester, "--adcli", ".", "-m", "not adcli")
    result.assert_outcomes(passed=1, deselected=1)
    result = run(pytester, "--adcli", ".", "-m", "adcli")
    result.assert_outcomes(passed=1, deselected=1)


CUBE_CONFTEST = """\
from adcli.engine.function import Function
from adcli.engine.registry import register_op


class BadCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x ** 2          # wrong on purpose: should be 3 * x ** 2


register_op("badcube", BadCube.apply)
"""

CUBE_SPEC = """\
name: bad-cube
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = badcube(x).sum()
  - y.backward()
gradcheck:
  - of: badcube(x).sum()
    wrt: [x]
"""


def _subprocess_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), path) if p))


def test_gradient_check_failure(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    # A subprocess: the conftest registers an op, which must not leak into this process.
    _subprocess_env(pytester, monkeypatch)
    pytester.makeconftest(CUBE_CONFTEST)
    pytester.makefile(".yaml", cube=CUBE_SPEC)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "--adcli", ".")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "FAIL cube.yaml: bad-cube: d(badcube(x).sum())/d(x)" in out
    assert "BadCube" in out  # the culprit node
    assert "Traceback" not in out

    # Steps only: the wrong backward goes unnoticed.
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "--adcli",
                                           "--adcli-no-gradcheck", ".")
    assert result.ret == pytest.ExitCode.OK
    pytester.makeini("[pytest]\nadcli_gradcheck = false\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "--adcli", ".")
    assert result.ret == pytest.ExitCode.OK


def test_bundled_specs_pass_as_pytest_items(pytester: pytest.Pytester):
    result = run(pytester, "--adcli", str(ROOT / "specs"), "--rootdir", str(ROOT))
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= len(list((ROOT / "specs").glob("*.y*ml")))


def test_importing_the_plugin_is_cheap():
    # It loads in every pytest run once adcli is installed: no engine, numpy, yaml or rich.
    code = ("import sys, adcli.pytest_plugin; "
            "heavy = [m for m in ('numpy', 'yaml', 'rich', 'adcli.engine', 'adcli.spec') "
            "if m in sys.modules]; print(heavy)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "[]"


def test_specs_spread_over_xdist_workers(pytester: pytest.Pytester,
                                         monkeypatch: pytest.MonkeyPatch):
    """``pytest --adcli -n 2``: the spec items run in two worker processes with the same
    outcomes as in one process, failures reported with adcli's report."""
    pytest.importorskip("xdist")
    _subprocess_env(pytester, monkeypatch)
    pytester.makefile(".yaml", squares=PASSING, wrong=FAILING, stream=STREAM)
    pytester.makeconftest(CUBE_CONFTEST)
    pytester.makefile(".yaml", cube=CUBE_SPEC)
    args = [*PLUGIN, "-p", "no:cacheprovider", "-p", "no:randomly", "--adcli", ".", "-rA"]
    serial = pytester.runpytest_subprocess(*args, "-p", "no:xdist")
    spread = pytester.runpytest_subprocess(*args, "-n", "2")
    assert spread.ret == serial.ret == pytest.ExitCode.TESTS_FAILED, spread.stdout.str()

    def counts(r: pytest.RunResult) -> dict[str, int]:
        return {k: v for k, v in r.parseoutcomes().items() if k in ("passed", "failed", "errors")}

    assert counts(spread) == counts(serial) == {"passed": 3, "failed": 2}
    out = spread.stdout.str()
    assert "created: 2/2 workers" in out or "2 workers" in out
    assert "FAIL cube.yaml: bad-cube" in out and "BadCube" in out
    for line in ("PASSED squares.yaml::squares", "PASSED stream.yaml::first-doc",
                 "PASSED stream.yaml::second-doc", "FAILED wrong.yaml::wrong-grad",
                 "FAILED cube.yaml::bad-cube"):
        assert line in out, out
