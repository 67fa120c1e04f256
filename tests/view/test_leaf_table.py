"""The leaves table of ``adcli run``: grads as ``print`` shows them, never cut, at any width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs
from adcli.view.run_report import render_run

ROOT = Path(__file__).resolve().parents[2]


def _render(width: int) -> list[str]:
    report = run_spec(load_specs(str(ROOT / "specs" / "tutorial_backward.yaml"))[0])
    console = Console(width=width, no_color=True, force_terminal=False)
    with console.capture() as cap:
        render_run(console, report, plain=True)
    return cap.get().splitlines()


def _printed_grad(lines: list[str]) -> list[str]:
    """The lines step 5 (``print(w.grad)``) printed, without the step's indentation."""
    start = next(i for i, ln in enumerate(lines) if "print(w.grad)" in ln) + 1
    out = []
    for ln in lines[start:]:
        if re.match(r"\s+ok\s+\d+", ln):
            break
        out.append(ln.strip())
    return out


@pytest.mark.parametrize("width", [100, 200])
def test_leaf_grad_is_formatted_as_print(width):
    lines = _render(width)
    want = _printed_grad(lines)
    assert want[0].startswith("tensor([[") and len(want) == 5
    start = next(i for i, ln in enumerate(lines) if ln.startswith("w "))
    cells = [ln.split("True", 1)[1].strip() if i == 0 else ln.strip()
             for i, ln in enumerate(lines[start:start + 5])]
    assert cells == want


@pytest.mark.parametrize("width", [30, 40, 60])
def test_narrow_output_never_cuts_a_number_or_a_word(width):
    lines = _render(width)
    text = "\n".join(lines)
    assert "..." not in text and "…" not in text
    # every number of w.grad appears whole, and the header words are never split
    assert text.count("0.2661") >= 10
    assert "requires_grad" in text and "s_grad" not in text.replace("requires_grad", "")
