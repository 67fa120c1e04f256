"""``--jobs`` and ``--shard`` on ``gradcheck`` and ``run``: real processes, serial output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test starts several adcli processes (and their workers)

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "tests" / "check" / "plugins" / "mutants.py"

BAD_CUBE = """\
name: bad-cube
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - y = x * 2
  - z = cube_wrong_coefficient(y)
  - loss = z.sum()
  - loss.backward()
"""
INVALID = "name: broken\ntensors:\n  x: ones(3)\nsteps:\n  - {do: x.sum(), raises: nope}\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled specs, a failing gradient check and an invalid spec."""
    root = tmp_path_factory.mktemp("jobs")
    shutil.copytree(ROOT / "specs", root / "specs")
    (root / "specs" / "bad_cube.yaml").write_text(BAD_CUBE)
    (root / "specs" / "zz_invalid.yaml").write_text(INVALID)
    return root


def adcli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin",
           "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "adcli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def _same(a: str, b: str) -> bool:
    """Equal apart from timings and object addresses (which differ between any two runs)."""
    def norm(t: str) -> str:
        # progress lines (on stderr, when a check runs long) come with the clock
        t = re.sub(r"(?m)^adcli gradcheck: .*(inputs|left|elapsed).*\n", "", t)
        t = re.sub(r'("seconds": |time=")[0-9.e+-]+', r"\1T", t)
        t = re.sub(r"\b[0-9.]+ ?(ms|s)\b", "T", t)
        return re.sub(r"0x[0-9a-f]+", "0xADDR", t)
    return norm(a) == norm(b)


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_gradcheck_with_two_jobs_prints_what_a_serial_run_prints(tree: Path, fmt: str) -> None:
    extra = {"text": [], "json": ["--json"], "junit": ["--junit", "-"]}[fmt]
    args = ["gradcheck", "specs", "--plugin", str(PLUGIN), *extra]
    serial, parallel = adcli(tree, *args), adcli(tree, *args, "-j", "2")
    assert serial.returncode == parallel.returncode == 2  # the invalid spec wins over the FAIL
    assert _same(serial.stdout, parallel.stdout), (serial.stdout, parallel.stdout)
    assert _same(serial.stderr, parallel.stderr)
    assert "bad-cube" in serial.stdout and "zz_invalid.yaml" in serial.stderr + serial.stdout
    if fmt == "json":
        doc = json.loads(parallel.stdout)
        assert len(doc["checks"]) >= 20 and not doc["ok"]
        assert any(c["culprit"] for c in doc["checks"])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_run_with_two_jobs_prints_what_a_serial_run_prints(tree: Path, fmt: str) -> None:
    args = ["run", "specs", "--plugin", str(PLUGIN), *(["--json"] if fmt == "json" else [])]
    serial, parallel = adcli(tree, *args), adcli(tree, *args, "-j", "2")
    assert serial.returncode == parallel.returncode == 2
    assert _same(serial.stdout, parallel.stdout)
    assert _same(serial.stderr, parallel.stderr)
    assert len(serial.stdout) > 5000


def _checks(proc: subprocess.CompletedProcess[str]) -> list[str]:
    doc = json.loads(proc.stdout)
    return [f"{c['spec']}::{c['name']}" for c in doc["checks"]] + \
        [f"error::{e['spec']}" for e in doc["errors"]]


def test_shards_are_disjoint_cover_everything_and_are_stable(tree: Path) -> None:
    base = ["gradcheck", "specs", "--plugin", str(PLUGIN), "--json"]
    everything = _checks(adcli(tree, *base))
    shards = [_checks(adcli(tree, *base, "--shard", f"{k}/3")) for k in (1, 2, 3)]
    assert all(shards) and sorted(c for s in shards for c in s) == sorted(everything)
    # the order of paths on the command line does not move specs between shards
    files = sorted(str(p.relative_to(tree)) for p in (tree / "specs").glob("*.yaml"))
    again = _checks(adcli(tree, "gradcheck", *reversed(files), "--plugin", str(PLUGIN), "--json",
                          "--shard", "2/3", "-j", "2"))
    assert sorted(again) == sorted(shards[1])
    # run shards the same specs
    doc = json.loads(adcli(tree, "run", "specs", "--plugin", str(PLUGIN), "--json",
                           "--shard", "2/3").stdout)
    ran = {s["name"] for s in doc["specs"]}

    def names(checks: list[str]) -> set[str]:
        return {c.split("::")[1] for c in checks if not c.startswith("error::")}

    assert names(shards[1]) <= ran and not ran & (names(shards[0]) | names(shards[2]))


@pytest.mark.parametrize(("args", "message"), [
    (["-j", "0"], "--jobs"), (["-j", "many"], "--jobs"), (["--shard", "0/2"], "--shard"),
    (["--shard", "3/2"], "--shard"), (["--shard", "1"], "--shard"),
])
def test_bad_jobs_and_shard_values_are_refused(tree: Path, args: list[str], message: str) -> None:
    for cmd in ("gradcheck", "run"):
        proc = adcli(tree, cmd, "specs/softmax.yaml", *args)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_jobs_auto_and_expr(tree: Path) -> None:
    proc = adcli(tree, "gradcheck", "specs/softmax.yaml", "specs/reductions.yaml", "-j", "auto")
    assert proc.returncode == 0, proc.stderr
    proc = adcli(tree, "gradcheck", "--expr", "x.sin().sum()", "--input", "x=randn(3)",
                 "-j", "2")
    assert proc.returncode == 2 and "--expr" in proc.stderr


# -- one big check: its Jacobian columns split across the jobs ----------------------------------
BIG_MLP = """\
name: big-mlp
seed: 0
tensors:
  x: randn(8, 32)
  w1: randn(32, 48, requires_grad=True)
  w2: randn(48, 10, requires_grad=True)
steps:
  - h = torch.tanh(x @ w1 / 6)
  - out = torch.softmax(h @ w2 / 7, dim=-1)
  - loss = (out * torch.log(out + 1e-3)).sum()
gradcheck:
  - of: loss
    wrt: [w1, w2]
  - of: out[0]
    wrt: [w2]
"""
BIG_BAD = """\
name: big-bad-cube
seed: 1
tensors:
  x: randn(24, 24, requires_grad=True)
steps:
  - y = cube_wrong_coefficient(torch.tanh(x) * 0.5)
  - loss = (y * y.detach()).sum(dim=0)
gradcheck:
  - of: loss
"""


@pytest.mark.parametrize("spec", ["big_mlp", "big_bad"])
@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_one_big_check_split_across_jobs_prints_the_serial_output(tmp_path: Path, spec: str,
                                                                  fmt: str) -> None:
    (tmp_path / f"{spec}.yaml").write_text(BIG_MLP if spec == "big_mlp" else BIG_BAD)
    extra = {"text": [], "json": ["--json"], "junit": ["--junit", "-"]}[fmt]
    args = ["gradcheck", f"{spec}.yaml", "--plugin", str(PLUGIN), *extra]
    serial, parallel = adcli(tmp_path, *args), adcli(tmp_path, *args, "-j", "2")
    assert serial.returncode == parallel.returncode == (0 if spec == "big_mlp" else 1)
    assert _same(serial.stdout, parallel.stdout), (serial.stdout, parallel.stdout)
    assert _same(serial.stderr, parallel.stderr), (serial.stderr, parallel.stderr)
    if spec == "big_bad" and fmt == "json":
        (check,) = json.loads(parallel.stdout)["checks"]
        assert check["culprit"]["node"] and check["mismatches"]


def test_jobs_on_one_spec_reach_the_column_split(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: ``-j 2`` on one spec hands the jobs to its full checks, which split."""
    from adcli.check import split
    from adcli.check.spec_checks import Options
    from adcli.cli.jobs import gradcheck_items, items_of

    (tmp_path / "big_mlp.yaml").write_text(BIG_MLP)
    seen: list[int] = []
    real = split.chunks

    def spy(ev: object, i: int, eps: float, columns: object, jobs: int) -> object:
        seen.append(jobs)
        return real(ev, i, eps, columns, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(split, "chunks", spy)
    run = gradcheck_items(items_of([str(tmp_path / "big_mlp.yaml")]), Options(), 2, None, None,
                          False)
    assert seen == [2, 2, 2] and all(c.report.ok for c in run.checks)
    assert all("split" in c.report.strategy for c in run.checks)
