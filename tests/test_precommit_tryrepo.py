"""The pre-commit hooks, tried for real with ``pre-commit try-repo`` on a throwaway project.

pre-commit builds the hook's environment from this repository (a pip install of adcli), so
this test is slow; it needs the ``pre-commit`` command (in the test extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x * x).sum()
  - y.backward()
  - expect: {x.grad: [2.0, 4.0]}
"""
BAD_EXPECT = GOOD.replace("[2.0, 4.0]", "[2.0, 5.0]")

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as a git repository with the working tree committed (try-repo clones
    HEAD, and the test must try the hooks as they are now)."""
    dest = tmp_path_factory.mktemp("adcli-repo")
    ignore = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache",
                                    "build", "dist")
    shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=ignore)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "snapshot")
    return dest


def _try(repo: Path, project: Path, hook: str, files: list[str]) -> subprocess.CompletedProcess:
    exe = shutil.which("pre-commit")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit is not installed; CI installs the test extra, which has it")
        pytest.skip("pre-commit is not installed: pip install -e '.[test]' to run this test")
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "pc-cache")}
    return subprocess.run([exe, "try-repo", str(repo), hook, "--files", *files], cwd=project,
                          capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    (p / "specs").mkdir(parents=True)
    (p / "specs" / "good.yaml").write_text(GOOD)
    (p / "specs" / "bad_expect.yaml").write_text(BAD_EXPECT)
    _git(p, "init", "-q")
    _git(p, "add", "-A")
    return p


def test_run_hook_fails_on_a_failing_expectation(repo_copy: Path, project: Path):
    ok = _try(repo_copy, project, "adcli-run", ["specs/good.yaml"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "adcli run" in ok.stdout and "Passed" in ok.stdout
    bad = _try(repo_copy, project, "adcli-run", ["specs/bad_expect.yaml"])
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "expectation" in bad.stdout


def test_validate_and_gradcheck_hooks_pass_a_good_spec(repo_copy: Path, project: Path):
    for hook in ("adcli-validate", "adcli-gradcheck"):
        res = _try(repo_copy, project, hook, ["specs/good.yaml"])
        assert res.returncode == 0, (hook, res.stdout + res.stderr)
        assert "Passed" in res.stdout
