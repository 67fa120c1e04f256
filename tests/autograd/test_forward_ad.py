"""Forward-mode AD (``adcli.autograd.forward_ad``) against ``torch.autograd.forward_ad``: the
level rules, make_dual/unpack_dual checks and messages, and the output tangents of every
program of the engine parity list (same primals, same tangents)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).parent.parent / "engine"))
import torch.nn.functional as TF  # noqa: E402
from test_torch_parity import PROGRAMS, Program  # noqa: E402

import adcli  # noqa: E402
import adcli.nn.functional as AF  # noqa: E402


def _tangents(T: Any, F: Any, prog: Program, seed: int = 3) -> Any:
    """Run ``prog`` in a dual level, every leaf that requires grad dual with a random tangent;
    returns the output tangents (None where an output has none) or the error raised."""
    fwad = T.autograd.forward_ad
    rng = np.random.default_rng(seed)
    T.manual_seed(0)
    with fwad.dual_level():
        args = {}
        for name, spec in prog.inputs.items():
            arr, needs = spec if isinstance(spec, tuple) else (spec, True)
            t = T.tensor(np.array(arr))
            if needs and t.dtype.is_floating_point:
                t = fwad.make_dual(t, T.tensor(rng.standard_normal(arr.shape)))
            args[name] = t
        try:
            out = prog.fn(T, F, **args)
        except Exception as e:
            return type(e).__name__
        outs = out if isinstance(out, tuple) else (out,)
        res = []
        for o in outs:
            p, tan = fwad.unpack_dual(o)
            res.append((p.detach().numpy().copy(),
                        None if tan is None else tan.detach().numpy().copy()))
        return res


# Programs torch's forward AD refuses (no forward formula in PyTorch) or where the outputs'
# tangent presence differs because PyTorch materialises views differently.
TORCH_REFUSES: set[str] = set()


@pytest.mark.slow
@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_forward_ad_tangents_match_torch(prog: Program) -> None:
    t = _tangents(torch, TF, prog)
    if isinstance(t, str):
        pytest.skip(f"torch's forward AD raises {t}")
    a = _tangents(adcli, AF, prog)
    assert not isinstance(a, str), a
    assert len(a) == len(t)
    for (ap, at), (tp, tt) in zip(a, t):
        np.testing.assert_allclose(ap, tp, rtol=1e-10, atol=1e-12)
        if tt is None:
            assert at is None or not np.any(at)
            continue
        assert at is not None
        np.testing.assert_allclose(at, tt, rtol=1e-7, atol=1e-9)


def _outcome(fn: Any, T: Any) -> Any:
    try:
        return ("ok", fn(T))
    except Exception as e:
        return (type(e).__name__, str(e))


def _same(fn: Any) -> None:
    try:
        assert _outcome(fn, adcli) == _outcome(fn, torch)
    finally:
        # a failed case must not leave a level behind
        from adcli.engine import dual

        while dual.level[0] >= 0:
            adcli.autograd.forward_ad.exit_dual_level()
        while torch.autograd.forward_ad._current_level >= 0:
            torch.autograd.forward_ad.exit_dual_level()


def _x(T: Any, n: int = 3, dtype: Any = None) -> Any:
    return T.tensor([0.5, -1.25, 2.0][:n], dtype=dtype or T.float64)


LEVEL_CASES = {
    "make_dual outside a level": lambda T: T.autograd.forward_ad.make_dual(_x(T), _x(T)),
    "unpack_dual outside a level": lambda T: T.autograd.forward_ad.unpack_dual(_x(T)).tangent,
    "exit without a level": lambda T: T.autograd.forward_ad.exit_dual_level(),
    "enter returns 0 then exit": lambda T: (T.autograd.forward_ad.enter_dual_level(),
                                            T.autograd.forward_ad.exit_dual_level()),
    "exit another level": lambda T: (T.autograd.forward_ad.enter_dual_level(),
                                     T.autograd.forward_ad.exit_dual_level(level=3)),
}


def _in_level(body: Any) -> Any:
    def run(T: Any) -> Any:
        with T.autograd.forward_ad.dual_level() as lvl:
            return lvl, body(T, T.autograd.forward_ad)
    return run


IN_LEVEL_CASES = {
    "nested level": lambda T, f: f.enter_dual_level(),
    "tangent size": lambda T, f: f.make_dual(_x(T), _x(T, 2)),
    "integer tangent": lambda T, f: f.make_dual(_x(T), T.tensor([1, 2, 3])),
    "integer primal": lambda T, f: f.make_dual(T.tensor([1, 2, 3]), _x(T)),
    "dual of a dual": lambda T, f: f.make_dual(f.make_dual(_x(T), _x(T)), _x(T)),
    "make_dual bad level": lambda T, f: f.make_dual(_x(T), _x(T), level=1),
    "unpack_dual bad level": lambda T, f: f.unpack_dual(f.make_dual(_x(T), _x(T)), level=1),
    "repr": lambda T, f: repr(f.make_dual(_x(T), _x(T) * 2) * 3),
    "repr with grad_fn": lambda T, f: repr(f.make_dual(_x(T).requires_grad_(), _x(T)).detach()
                                           * 3 + f.make_dual(_x(T), _x(T)).exp()),
    "unpack fields": lambda T, f: (type(f.unpack_dual(_x(T))).__name__,
                                   f.unpack_dual(_x(T))._fields, f.unpack_dual(_x(T)).tangent),
    "tangent as is": lambda T, f: (lambda t: f.unpack_dual(f.make_dual(_x(T), t)).tangent is t)(
        _x(T) + 1),
    "float32 tangent kept": lambda T, f: str(f.unpack_dual(
        f.make_dual(_x(T), _x(T, dtype=T.float32))).tangent.dtype),
    "detach drops": lambda T, f: f.unpack_dual(f.make_dual(_x(T), _x(T)).detach()).tangent,
    "integer outputs": lambda T, f: [f.unpack_dual(o).tangent for o in (
        f.make_dual(_x(T), _x(T)).argmax(), f.make_dual(_x(T), _x(T)) > 0)],
    "in place": lambda T, f: f.unpack_dual(
        f.make_dual(_x(T), _x(T)).clone().mul_(_x(T) + 3).sin_()).tangent.tolist(),
    "in place from another dual": lambda T, f: f.unpack_dual(
        (_x(T) * 1).add_(f.make_dual(_x(T), _x(T) * 5), alpha=2)).tangent.tolist(),
    "no_grad": lambda T, f: _under_no_grad(T, f),
    "tangent edits seen": lambda T, f: (lambda t: (f.make_dual(_x(T), t), t.mul_(3))[0] * 2)(
        _x(T).clone()).tolist(),
}


def _under_no_grad(T: Any, f: Any) -> Any:
    d = f.make_dual(_x(T), _x(T))
    with T.no_grad():
        y = d.exp() * d
    return f.unpack_dual(y).tangent.tolist(), y.requires_grad


def test_tangents_dropped_at_exit() -> None:
    def run(T: Any) -> Any:
        f = T.autograd.forward_ad
        with f.dual_level():
            y = f.make_dual(_x(T), _x(T)).sin()
            inside = f.unpack_dual(y).tangent is not None
        return inside, f.unpack_dual(y).tangent, repr(y)
    _same(run)


def _linear_fn(T: Any) -> Any:
    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_forward(a, b)
            return a * b, a + 1

        @staticmethod
        def backward(ctx: Any, g: Any, h: Any) -> Any:
            return g, g

        @staticmethod
        def jvp(ctx: Any, ta: Any, tb: Any) -> Any:
            a, b = ctx.saved_tensors
            return ta * b + a * tb, ta * 2  # the second is wrong on purpose: torch uses it
    return Scale


FUNCTION_CASES = {
    "jvp used": lambda T, f: [f.unpack_dual(o).tangent.tolist() for o in _linear_fn(T).apply(
        f.make_dual(_x(T), _x(T) + 1), _x(T) * 2)],
    "jvp gets zeros for a plain input": lambda T, f: f.unpack_dual(_linear_fn(T).apply(
        _x(T), f.make_dual(_x(T) * 2, _x(T)))[0]).tangent.tolist(),
    "no jvp": lambda T, f: _no_jvp(T).apply(f.make_dual(_x(T), _x(T))),
    "no jvp, no dual input": lambda T, f: _no_jvp(T).apply(_x(T)).tolist(),
}


def _no_jvp(T: Any) -> Any:
    class Twice(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2
    return Twice


@pytest.mark.parametrize("case", FUNCTION_CASES)
def test_custom_function_jvp_as_torch(case: str) -> None:
    _same(_in_level(FUNCTION_CASES[case]))


@pytest.mark.parametrize("case", LEVEL_CASES)
def test_levels_as_torch(case: str) -> None:
    _same(LEVEL_CASES[case])


@pytest.mark.parametrize("case", IN_LEVEL_CASES)
def test_dual_tensors_as_torch(case: str) -> None:
    _same(_in_level(IN_LEVEL_CASES[case]))


def _fwd_over_rev(T: Any, F: Any, prog: Program, seed: int = 4) -> Any:
    """Tangents of the first derivatives (taken with create_graph) when every leaf is dual:
    forward AD through the backward formulas (Hessian-vector products)."""
    fwad = T.autograd.forward_ad
    rng = np.random.default_rng(seed)
    T.manual_seed(0)
    with fwad.dual_level():
        args, wrt = {}, []
        for name, spec in prog.inputs.items():
            arr, needs = spec if isinstance(spec, tuple) else (spec, True)
            t = T.tensor(np.array(arr))
            if needs and t.dtype.is_floating_point:
                t = fwad.make_dual(t.requires_grad_(), T.tensor(rng.standard_normal(arr.shape)))
                wrt.append(t)
            args[name] = t
        try:
            out = prog.fn(T, F, **args)
            outs = [o for o in (out if isinstance(out, tuple) else (out,))
                    if o.requires_grad and o.dtype.is_floating_point]
            if not outs or not wrt:
                return "no graph"
            total = sum((o * T.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
            gs = T.autograd.grad(total, wrt, create_graph=True, allow_unused=True)
        except Exception as e:
            return type(e).__name__
        return [None if g is None else (g.detach().numpy().copy(), None
                                        if fwad.unpack_dual(g).tangent is None
                                        else fwad.unpack_dual(g).tangent.detach().numpy().copy())
                for g in gs]


@pytest.mark.slow
@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_forward_over_reverse_matches_torch(prog: Program) -> None:
    t = _fwd_over_rev(torch, TF, prog)
    if isinstance(t, str):
        pytest.skip(f"torch: {t}")
    a = _fwd_over_rev(adcli, AF, prog)
    assert not isinstance(a, str), a
    assert len(a) == len(t)
    for x, y in zip(a, t):
        assert (x is None) == (y is None)
        if y is None:
            continue
        np.testing.assert_allclose(x[0], y[0], rtol=1e-6, atol=1e-9)  # float32 paths
        if y[1] is None or x[1] is None:
            # adcli leaves no tangent where none flows; PyTorch may materialise zeros
            assert not np.any(x[1] if y[1] is None else y[1])
            continue
        np.testing.assert_allclose(x[1], y[1], rtol=1e-7, atol=1e-9)
