""""Did you mean" hints by edit distance (issue 12, point 7)."""

from __future__ import annotations

from pathlib import Path

from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs
from adcli.spec.suggest import closest, did_you_mean, distance


def test_distance() -> None:
    assert distance("kitten", "sitting") == 3
    assert distance("SumBackward", "SumBackward0") == 1
    assert distance("", "abc") == 3


def test_closest_by_edit_distance_not_alphabet() -> None:
    # 'sigmod' is one edit from 'sigmoid'; 'sign' and 'sin' are alphabetical neighbours
    assert closest("sigmod", ["sign", "sin", "sigmoid", "silu"])[0] == "sigmoid"
    assert did_you_mean("xyzzy", ["sigmoid", "relu"]) == ""


def _error(tmp_path: Path, text: str) -> str:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    try:
        (spec,) = load_specs(p)
    except Exception as err:  # an invalid spec: the loader names the problem
        return str(err)
    return str(run_spec(spec))


def test_unknown_names_suggest_the_closest(tmp_path: Path) -> None:
    msg = _error(tmp_path, "tensors:\n  weight: randn(3)\nsteps:\n  - y = wieght * 2\n")
    assert "did you mean weight?" in msg
    msg = _error(tmp_path, "tensors:\n  x: randn(3)\nsteps:\n  - y = sigmod(x)\n")
    assert "did you mean sigmoid" in msg


def test_grad_fn_expectation_suggests_the_real_name(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("tensors:\n  x: randn(3, requires_grad=True)\nsteps:\n  - y = x.sum()\n"
                 "  - expect:\n      y.grad_fn: SumBackward\n")
    (spec,) = load_specs(p)
    report = run_spec(spec)
    msgs = [e.message for s in report.steps for e in getattr(s, "expectations", [])]
    assert any("did you mean SumBackward0?" in m for m in msgs), msgs
