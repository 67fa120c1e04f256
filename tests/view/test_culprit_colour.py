"""On a terminal the culprit line and the ``!!`` node are bold red; without colour the marks
(``culprit:``, ``!!``, ``<<< culprit``) carry the same information."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _render(colour: bool) -> str:
    # A plugin registers an op for good: render in a child process.
    code = f"""
import sys
from rich.console import Console
from adcli.cli.common import load_plugin
load_plugin({str(ROOT / 'examples' / 'cube_plugin.py')!r})
from adcli.check.spec_checks import check_paths
from adcli.view.gradcheck_report import render_gradcheck
run = check_paths([{str(ROOT / 'examples' / 'cube.yaml')!r}])
console = Console(file=sys.stdout, width=140, force_terminal={colour}, no_color={not colour},
                  color_system="standard" if {colour} else None)
render_gradcheck(console, run, plain={not colour})
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert res.returncode == 0, res.stderr
    return res.stdout


BOLD_RED = "\x1b[1;31m"


def test_culprit_line_and_node_are_bold_red_on_a_terminal():
    out = _render(colour=True)
    culprit = next(ln for ln in out.splitlines() if "culprit: CubeBackward" in ln)
    assert culprit.lstrip().startswith(BOLD_RED)
    node = next(ln for ln in out.splitlines() if "!! " in ln)
    assert BOLD_RED + "!! " in node and "<<< culprit" in node


def test_marks_stay_readable_without_colour():
    out = _render(colour=False)
    assert "\x1b[" not in out
    assert any(ln.startswith("    culprit: CubeBackward") for ln in out.splitlines())
    assert any("!! n2 CubeBackward" in ln and "<<< culprit" in ln for ln in out.splitlines())




def _render_plain(width: int) -> str:
    code = f"""
import sys
from rich.console import Console
from adcli.cli.common import load_plugin
load_plugin({str(ROOT / 'examples' / 'cube_plugin.py')!r})
from adcli.check.spec_checks import check_paths
from adcli.view.gradcheck_report import render_gradcheck
run = check_paths([{str(ROOT / 'examples' / 'cube.yaml')!r}])
render_gradcheck(Console(file=sys.stdout, width={width}, no_color=True, force_terminal=False),
                 run, plain=True)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_numbers_are_never_cut_at_any_width():
    import re

    wide = _render_plain(200)
    numbers = re.findall(r"-?\d+\.\d+", wide.split("the numerical estimate")[0])
    assert len(numbers) >= 8 * 4
    for width in (40, 60, 80):
        out = _render_plain(width)
        assert "…" not in out and "..." not in out
        for n in numbers:  # every number of the wide table is still there, whole
            assert re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", out), (width, n)
