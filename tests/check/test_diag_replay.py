"""Replay honours the spec (issue 12, point 5): `raises:` steps are skipped and a `wrt`
name that is not a floating-point leaf makes the spec invalid (exit 2, file:line:col)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from adcli.check.spec_checks import check_paths
from adcli.exit_codes import EXIT_INVALID, EXIT_OK

ROOT = Path(__file__).parents[2]

RAISES = """\
name: raises-inplace
tensors:
  x: randn(4, requires_grad=True)
steps:
  - y = x.sigmoid()
  - y.mul_(2)
  - {do: y.sum().backward(), raises: inplace_modified}
  - out = (x * x).sum()
  - out.backward()
"""

BAD_WRT = """\
name: wrt-bad
tensors:
  x: randn(4, requires_grad=True)
  n: arange(4)
steps:
  - y = x * 2
  - out = (y * n).sum()
gradcheck:
  - of: out
    wrt: [x, n]
  - of: out
    wrt: [y]
  - of: out
    wrt: [x]
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_declared_error_does_not_fail_the_check(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(RAISES)
    run = check_paths([str(p)])
    assert run.exit_code == EXIT_OK, [c.to_dict() for c in run.checks]
    assert [c.of for c in run.checks] == ["out"]
    assert _cli("run", str(p)).returncode == 0


def test_wrt_not_a_float_leaf_is_an_invalid_spec(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(BAD_WRT)
    run = check_paths([str(p)])
    assert run.exit_code == EXIT_INVALID
    assert [(e.line, e.column) for e in run.errors] == [(10, 14), (12, 11)]
    assert "'n'" in run.errors[0].message and "int64" in run.errors[0].message
    assert "not a leaf" in run.errors[1].message
    assert [c.ok for c in run.checks] == [True]  # the valid entry is still checked
    r = _cli("gradcheck", str(p))
    assert r.returncode == EXIT_INVALID
    assert f"{p}:10:14: wrt: 'n'" in r.stderr
    assert f"{p}:12:11: wrt: 'y'" in r.stderr
    doc = json.loads(_cli("gradcheck", "--json", str(p)).stdout)
    assert [(e["line"], e["column"]) for e in doc["errors"]] == [(10, 14), (12, 11)]
