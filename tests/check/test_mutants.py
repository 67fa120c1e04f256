"""Mutation tests: every deliberately wrong backward fails, with its node named as culprit."""

from __future__ import annotations

import numpy as np
import pytest
from check_helpers import load_plugin

import adcli
from adcli.check.spec_checks import check_spec
from adcli.spec.loader import load_specs

MUTANTS = load_plugin("mutants").MUTANTS


def _inputs(makers):
    adcli.manual_seed(3)
    return tuple(m().detach().requires_grad_(True) for m in makers)


def _checked(cls, inputs):
    """A function around the mutant: ops before and after it, random output weights."""
    with adcli.no_grad():
        shape = cls.apply(*inputs).shape
    weights = adcli.tensor(np.random.default_rng(0).uniform(0.5, 1.5, tuple(shape)),
                           dtype=adcli.float64)

    def fn(*xs):
        pre = [x * 1.0 for x in xs]
        return (cls.apply(*pre) * weights + 0.25).sum()

    return fn


@pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_fails_with_culprit(name: str, fast: bool) -> None:
    cls, makers, _why = MUTANTS[name]
    inputs = _inputs(makers)
    report = adcli.gradcheck(_checked(cls, inputs), inputs, fast_mode=fast)
    assert not report.ok, f"{name} passed"
    assert report.culprit is not None, f"{name}: no culprit"
    assert report.culprit.node == f"{cls.__name__}Backward"
    if report.error is None:
        assert report.mismatches, f"{name}: no worst entries"


def test_at_least_ten_mutants() -> None:
    assert len(MUTANTS) >= 10


def test_culprit_in_spec_names_step_and_line(tmp_path) -> None:
    load_plugin("mutants")
    text = """\
name: mutant-in-spec
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - y = x * 2
  - z = sin_wrong_sign(y) + 1
  - loss = (z * z).sum()
  - loss.backward()
"""
    p = tmp_path / "m.yaml"
    p.write_text(text)
    (spec,) = load_specs(p)
    (check,) = check_spec(spec)
    assert not check.ok and check.of == "loss" and check.wrt == ["x"]
    c = check.report.culprit
    assert (c.node, c.step, c.line, c.tensor) == ("SinWrongSignBackward", 1, 6, "z")


def test_culprit_made_by_a_statement_that_binds_no_name(tmp_path) -> None:
    """An op inside an in-place statement: the culprit's place is that statement, not the
    next named tensor's."""
    load_plugin("mutants")
    text = """\
name: mutant-in-place
tensors:
  x: {data: [[0.5, -1.0], [2.0, 0.3]], requires_grad: true}
steps:
  - y = x * 1
  - y[0].mul_(sin_wrong_sign(x[1]))
  - y += 1
  - loss = y.tanh().sum()
  - loss.backward()
"""
    p = tmp_path / "m.yaml"
    p.write_text(text)
    (spec,) = load_specs(p)
    (check,) = check_spec(spec)
    c = check.report.culprit
    assert (c.node, c.step, c.line, c.tensor) == ("SinWrongSignBackward", 1, 6, None)


def test_correct_plugin_passes_in_spec(tmp_path) -> None:
    load_plugin("cube")
    p = tmp_path / "c.yaml"
    p.write_text("tensors:\n  x: {data: [0.5, -1.0], requires_grad: true}\n"
                 "steps:\n  - y = cube(x * 3).sum()\n  - y.backward()\n")
    (spec,) = load_specs(p)
    (check,) = check_spec(spec)
    assert check.ok and check.report.culprit is None


def test_culprit_deep_in_a_branching_graph(tmp_path) -> None:
    """The wrong node sits at the bottom, its output used twice, many correct nodes above."""
    load_plugin("mutants")
    p = tmp_path / "deep.yaml"
    p.write_text("""\
name: deep
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
  w: {data: [1.5, 0.3, -0.7], requires_grad: true}
steps:
  - h = sin_wrong_sign(x)
  - a = h.exp() * w
  - b = torch.tanh(a) + h
  - c = torch.matmul(b, w)
  - loss = c * c + b.sum()
  - loss.backward()
""")
    (spec,) = load_specs(p)
    for mode in ("full", "fast"):
        from adcli.check.spec_checks import Options

        (check,) = check_spec(spec, Options(mode=mode))
        assert not check.ok and check.wrt == ["x", "w"]
        c = check.report.culprit
        assert (c.node, c.step, c.line, c.tensor) == ("SinWrongSignBackward", 0, 6, "h")
        # only the input that flows through the wrong node fails
        assert {m.input for m in check.report.mismatches} == {"x"}
