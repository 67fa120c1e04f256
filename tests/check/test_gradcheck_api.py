"""adcli.gradcheck / adcli.gradgradcheck on Python functions: reports, modes, diagnosis."""

from __future__ import annotations

import numpy as np
import pytest
from check_helpers import load_plugin

import adcli
from adcli.check.report import GradcheckReport


def leaf(data, dtype=None):
    return adcli.tensor(data, dtype=dtype or adcli.float64, requires_grad=True)


def test_contract_cube_example() -> None:
    Cube = load_plugin("cube").Cube
    report = adcli.gradcheck(lambda x: Cube.apply(x).sum(),
                             (adcli.randn(4, dtype=adcli.float64, requires_grad=True),))
    assert isinstance(report, GradcheckReport)
    assert report.ok and bool(report)
    assert report.max_abs_error < 1e-6 and report.culprit is None and report.mismatches == []


def test_report_fields_on_failure_and_no_exception() -> None:
    Bad = load_plugin("mutants").CubeWrongCoefficient
    x = leaf([1.0, -2.0, 0.5])
    report = adcli.gradcheck(lambda x: Bad.apply(x).sum(), (x,), names=["x"])
    assert not report.ok
    worst = report.mismatches[0]
    assert worst.input == "x" and worst.index == (1,) and worst.output_index == ()
    assert worst.analytical == pytest.approx(2 * 4.0)
    assert worst.numerical == pytest.approx(3 * 4.0, rel=1e-6)
    assert report.max_abs_error == pytest.approx(4.0, rel=1e-6)
    assert report.max_rel_error == pytest.approx(1 / 3, rel=1e-6)
    assert report.culprit is not None and report.culprit.node == "CubeWrongCoefficientBackward"
    pair = report.pairs[0]
    assert pair.input == "x" and pair.n_mismatches == 3 and pair.stable is True
    assert "FAILED" in report.summary()


def test_jacobian_of_non_scalar_outputs_and_several_inputs() -> None:
    a, b = leaf(np.random.default_rng(0).standard_normal((3, 2))), leaf([0.5, -1.0])
    report = adcli.gradcheck(lambda a, b: (adcli.tanh(a * b), a.sum(dim=1)), (a, b))
    assert report.ok
    assert {(p.input, p.output) for p in report.pairs} == {
        ("input0", "output0"), ("input0", "output1"), ("input1", "output0"),
        ("input1", "output1")}
    assert all(p.n_checked == (6 if p.output == "output0" else 3) * (6 if p.input == "input0"
                                                                      else 2)
               for p in report.pairs)


def test_mismatch_rule_is_the_contracts() -> None:
    class Scaled(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * 1.0015  # 0.0015 off: rtol 1e-3 (plus atol 1e-5) does not cover it

    x = leaf([1.0])
    assert not adcli.gradcheck(lambda x: Scaled.apply(x).sum(), (x,)).ok
    assert adcli.gradcheck(lambda x: Scaled.apply(x).sum(), (x,), rtol=2e-3).ok
    assert adcli.gradcheck(lambda x: Scaled.apply(x).sum(), (x,), atol=2e-3).ok


def test_inputs_not_requiring_grad_are_passed_through() -> None:
    x = leaf([1.0, 2.0])
    c = adcli.tensor([3.0, 4.0], dtype=adcli.float64)
    report = adcli.gradcheck(lambda x, c, k: (x * c * k).sum(), (x, c, 2.0))
    assert report.ok and report.inputs == ["input0"]


def test_function_errors_become_reports() -> None:
    report = adcli.gradcheck(lambda x: x.reshape(7), (leaf([1.0, 2.0]),))
    assert not report.ok and report.error
    nothing = adcli.gradcheck(lambda x: x * 2, (adcli.tensor([1.0]),))
    assert not nothing.ok and "requires grad" in nothing.error


def test_float32_inputs_are_promoted() -> None:
    x = adcli.tensor([0.3, -1.2, 2.0], dtype=adcli.float32, requires_grad=True)
    report = adcli.gradcheck(lambda x: (x.sin() * x.exp()).sum(), (x,))
    assert report.ok
    assert any(n.kind == "promotion" for n in report.notes)


def test_default_dtype_float32_constants_do_not_spoil_precision() -> None:
    prev = adcli.get_default_dtype()
    adcli.set_default_dtype(adcli.float32)
    try:
        report = adcli.gradcheck(lambda x: (x * adcli.ones(3) * 0.1).exp().sum(),
                                 (leaf([0.1, 0.2, 0.3]),))
    finally:
        adcli.set_default_dtype(prev)
    assert report.ok


# -- kinks ---------------------------------------------------------------------------------------
def test_relu_at_zero_is_a_kink_warning() -> None:
    report = adcli.gradcheck(lambda x: adcli.relu(x).sum(), (leaf([0.0, 1.0, -1.0]),),
                             names=["x"])
    assert report.ok
    kinks = [n for n in report.notes if n.kind == "kink"]
    assert [n.message for n in kinks] == ["1 entry accepted as a subgradient at x[0] (a "
                                          "non-differentiable point; --strict fails it as "
                                          "torch does)"]


def test_abs_at_zero_and_max_at_ties_pass() -> None:
    assert adcli.gradcheck(lambda x: adcli.abs(x).sum(), (leaf([0.0, 1.5, -2.0]),)).ok
    assert adcli.gradcheck(lambda x: x.max(), (leaf([2.0, 2.0, 1.0]),)).ok
    assert adcli.gradcheck(lambda x: adcli.amax(x, dim=0), (leaf([[1.0, 3.0], [1.0, 2.0]]),)).ok


def test_a_kink_with_a_wrong_subgradient_still_fails() -> None:
    class BadRelu(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return adcli.relu(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 5.0 * (x >= 0)  # 5 is outside [0, 1]

    report = adcli.gradcheck(lambda x: BadRelu.apply(x).sum(), (leaf([0.0, 1.0]),))
    assert not report.ok


# -- noise vs error ------------------------------------------------------------------------------
def test_unstable_estimate_is_noise_not_failure() -> None:
    # Large values and a tiny step: roundoff dominates the central difference.
    x = leaf([3.0e4, -2.0e4])
    report = adcli.gradcheck(lambda x: (x ** 2).sum(), (x,), eps=1e-9)
    noise = [n for n in report.notes if n.kind == "noise"]
    assert report.ok and noise
    assert "unstable" in noise[0].message


def test_real_error_is_reported_as_stable() -> None:
    Bad = load_plugin("mutants").SinWrongSign
    report = adcli.gradcheck(lambda x: Bad.apply(x).sum(), (leaf([0.1, 0.4]),))
    assert not report.ok and all(p.stable for p in report.pairs if not p.ok)


# -- fast mode -----------------------------------------------------------------------------------
def test_fast_mode_passes_and_fails_like_full() -> None:
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((20, 10)))
    w = leaf(rng.standard_normal((10, 3)))
    good = adcli.gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w), fast_mode=True)
    assert good.ok and good.mode == "fast"
    Bad = load_plugin("mutants").MatmulMissingTranspose
    a, b = leaf(rng.standard_normal((3, 3))), leaf(rng.standard_normal((3, 3)))
    bad = adcli.gradcheck(lambda a, b: Bad.apply(a, b).sum(), (a, b), fast_mode=True,
                          names=["a", "b"])
    assert not bad.ok
    assert bad.mismatches and bad.mismatches[0].input == "a"  # re-checked in full
    assert bad.culprit is not None and bad.culprit.node == "MatmulMissingTransposeBackward"


def test_fast_mode_large_input() -> None:
    x = adcli.randn(200_000, dtype=adcli.float64, requires_grad=True)
    assert adcli.gradcheck(lambda x: (x.sin() * 2).sum(), (x,), fast_mode=True).ok


# -- order 2 -------------------------------------------------------------------------------------
def test_gradgradcheck_passes_for_table_ops_and_cube() -> None:
    Cube = load_plugin("cube").Cube
    x = leaf([0.5, -1.0, 2.0])
    assert adcli.gradgradcheck(lambda x: (adcli.tanh(x) * x.exp()).sum(), (x,)).ok
    r = adcli.gradgradcheck(lambda x: (Cube.apply(x) * x).sum(), (x,))
    assert r.ok and r.order == 2


def test_gradgradcheck_catches_a_backward_that_is_wrong_only_in_second_order() -> None:
    class Square(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            # right value, but detached from x: its own derivative is lost
            return g * 2 * x.detach()

    x = leaf([0.5, -1.0])
    assert adcli.gradcheck(lambda x: Square.apply(x).sum(), (x,)).ok
    r = adcli.gradgradcheck(lambda x: (Square.apply(x) * x).sum(), (x,))
    assert not r.ok


def test_batched_replay_is_used_and_agrees() -> None:
    rng = np.random.default_rng(2)
    x, w = leaf(rng.standard_normal((8, 8))), leaf(rng.standard_normal((8, 8)))
    r = adcli.gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w))
    assert r.ok and "batched" in r.strategy


def test_function_that_defeats_the_replay_falls_back_to_calls() -> None:
    def f(x):
        y = x * 2
        y.add_(1.0)  # in place: the tape does not replay writes
        return (y * y).sum()

    r = adcli.gradcheck(f, (leaf([0.3, 0.7]),))
    assert r.ok and "loop" in r.strategy


def test_zero_dim_inputs_in_both_modes() -> None:
    x = adcli.tensor(2.0, dtype=adcli.float64, requires_grad=True)
    v = adcli.tensor([1.0, -2.0], dtype=adcli.float64, requires_grad=True)
    for fast in (False, True):
        report = adcli.gradcheck(lambda a, b: (a ** 3) * b, (x, v), fast_mode=fast)
        assert report.ok and report.error is None, report.summary()
        assert adcli.gradgradcheck(lambda a: a ** 3, (x,), fast_mode=fast).ok
