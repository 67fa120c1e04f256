"""Long checks (issue 12, point 6): progress through a callback (done of total, rate, time
left), a plain line on stderr when it is not a terminal, one ``--mode fast`` hint for a long
full check, and ``--max-seconds`` stopping a check cleanly (exit 1, also in --json)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from adcli.check.progress import CheckTimeoutError, Status, Tracker

ROOT = Path(__file__).parents[2]

SPEC = """\
name: wide
tensors:
  x: randn(12, 12, requires_grad=True)
  w: randn(12, 12)
steps:
  - y = torch.tanh(x @ w).sum()
gradcheck:
  - of: y
    wrt: [x]
"""


class _Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_tracker_reports_done_rate_eta_and_one_hint() -> None:
    clock = _Clock()
    seen: list[Status] = []
    tr = Tracker(seen.append, interval=0.0, clock=clock)
    tr.start_check("s: y")
    tr.begin(1000)
    for _ in range(10):
        clock.t += 1.0  # 10 inputs a second: 1000 inputs take 100 s
        tr.advance(10)
    adv = [s for s in seen if s.kind == "advance"]
    assert adv[-1].done == 100 and adv[-1].total == 1000
    assert adv[-1].rate == pytest.approx(10.0)
    assert adv[-1].eta == pytest.approx(90.0)
    hints = [s for s in seen if s.kind == "hint"]
    assert len(hints) == 1 and "--mode fast" in hints[0].message
    assert seen[0].kind == "start" and seen[0].label == "s: y"


def test_short_check_gets_no_hint() -> None:
    clock = _Clock()
    seen: list[Status] = []
    tr = Tracker(seen.append, interval=0.0, clock=clock)
    tr.start_check("s: y")
    tr.begin(100)
    for _ in range(10):
        clock.t += 0.1  # 1 s in all
        tr.advance(10)
    assert not [s for s in seen if s.kind == "hint"]


def test_deadline_raises_once_past_and_keeps_raising() -> None:
    clock = _Clock()
    tr = Tracker(None, max_seconds=2.0, clock=clock)
    tr.start_check("s: y")
    tr.begin(10)
    tr.advance(1)
    clock.t += 2.5
    with pytest.raises(CheckTimeoutError, match=r"--max-seconds 2\b.*1 of 10 inputs"):
        tr.tick()
    with pytest.raises(CheckTimeoutError):  # the order-2 part of the same check stops too
        tr.tick()
    tr.start_check("next")  # the next check has its own time
    tr.tick()


def _adcli(tmp_path: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    spec = tmp_path / "wide.yaml"
    spec.write_text(SPEC)
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    # stderr is a pipe here: not a terminal
    return subprocess.run([sys.executable, "-m", "adcli", "gradcheck", str(spec), *args],
                          capture_output=True, text=True, env=full_env, timeout=300, cwd=ROOT)


def test_piped_stderr_gets_plain_progress_lines_and_the_hint(tmp_path: Path) -> None:
    r = _adcli(tmp_path, env={"ADCLI_PROGRESS_INTERVAL": "0", "ADCLI_FAST_HINT_SECONDS": "0"})
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [ln for ln in r.stderr.splitlines() if "inputs (" in ln]
    assert lines, r.stderr
    assert re.search(r"wide: y: [\d,]+/144 inputs \(\d+%\), [\d,]+/s", lines[-1]), lines[-1]
    assert "144/144 inputs (100%)" in r.stderr
    assert "\x1b[" not in r.stderr  # plain text, no terminal codes
    hints = [ln for ln in r.stderr.splitlines() if "hint:" in ln]
    assert len(hints) == 1 and "--mode fast" in hints[0]


def test_default_interval_prints_nothing_for_a_short_check(tmp_path: Path) -> None:
    r = _adcli(tmp_path)
    assert r.returncode == 0
    assert "inputs (" not in r.stderr and "hint:" not in r.stderr


def test_max_seconds_stops_the_check(tmp_path: Path) -> None:
    r = _adcli(tmp_path, "--max-seconds", "0.001")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "stopped after" in r.stdout and "--max-seconds 0.001" in r.stdout
    r = _adcli(tmp_path, "--max-seconds", "0.001", "--json")
    assert r.returncode == 1
    check = json.loads(r.stdout)["checks"][0]
    assert check["ok"] is False
    assert check["error"]["kind"] == "timeout"
    assert "--max-seconds 0.001" in check["error"]["message"]
    assert _adcli(tmp_path, "--max-seconds", "0").returncode == 2
