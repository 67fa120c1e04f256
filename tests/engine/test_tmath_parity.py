"""Math leftovers of torch's surface (session 13, "tmath") against torch 2.13: inverse
hyperbolics and their in-place forms, angle, positive, the complex surface on real tensors,
the in-place special functions, igamma/igammac, the in-place scans and comparisons, renorm,
msort, the at::norm leftovers.

Each program runs on adcli and on torch: values, grad_fn graphs, gradients, the graphs of the
create_graph first derivatives and forward-AD tangents are compared (the helpers of the engine
parity list); errors are compared class and message.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "autograd"))
import torch.nn.functional as TF  # noqa: E402
from test_double_backward_structure import first_derivatives  # noqa: E402
from test_forward_ad import _tangents  # noqa: E402
from test_torch_parity import Program, _run, const, graph_tree, pos, r, unit  # noqa: E402

import adcli  # noqa: E402
import adcli.nn.functional as AF  # noqa: E402

pytestmark = pytest.mark.slow


def _w(x: Any, name: str, *args: Any, **kw: Any) -> Any:
    """``x * 1`` written in place by ``name`` (a non-leaf, so that the write is recorded)."""
    b = x * 1
    out = getattr(b, name)(*args, **kw)
    assert out is b
    return b


PROGRAMS = [
    Program("acosh", lambda T, F, x: T.acosh(x + 1) * T.arccosh(x + 2), {"x": pos(3, 2)}),
    Program("atanh", lambda T, F, x: T.atanh(x) + x.arctanh() * x, {"x": unit(4)}),
    Program("angle", lambda T, F, x: T.angle(x) * x + x.angle(), {"x": r(5)}),
    Program("positive", lambda T, F, x: T.positive(x) * x.positive(), {"x": r(3)}),
    Program("conj family", lambda T, F, x: T.conj(x) * x.conj_physical() + T.resolve_conj(x)
            * T.resolve_neg(x) + x.real, {"x": r(3)}),
    Program("conj_physical_", lambda T, F, x: _w(x, "conj_physical_") * x, {"x": r(3)}),
    Program("adjoint mH H", lambda T, F, x: x.adjoint() * x.mH + T.adjoint(x) * x.H,
            {"x": r(3, 2)}),
    Program("sinc_", lambda T, F, x: _w(x, "sinc_") * x, {"x": r(4)}),
    Program("logit_", lambda T, F, x: _w(x, "logit_") + _w(x, "logit_", 0.2) * x,
            {"x": unit(4)}),
    Program("erfc_", lambda T, F, x: _w(x, "erfc_") * x, {"x": r(4)}),
    Program("erfinv_", lambda T, F, x: _w(x, "erfinv_") * x, {"x": unit(4)}),
    Program("i0_", lambda T, F, x: _w(x, "i0_") * x, {"x": r(4)}),
    Program("digamma_", lambda T, F, x: _w(x, "digamma_") * x, {"x": pos(4)}),
    Program("lgamma_", lambda T, F, x: _w(x, "lgamma_") * x, {"x": pos(4)}),
    Program("polygamma_", lambda T, F, x: _w(x, "polygamma_", 1) * x, {"x": pos(4)}),
    Program("torch.sinc_ logit_ erfc_ i0_",
            lambda T, F, x: T.sinc_(x * 1) + T.logit_(x * 0.5) + T.erfc_(x * 1) + T.i0_(x * 1),
            {"x": unit(4)}),
    Program("igamma igammac", lambda T, F, a, x: T.igamma(a, x) * x + a.igammac(x),
            {"a": const(pos(3)), "x": pos(2, 3)}),
    Program("igammac_", lambda T, F, a, x: _w(a * T.ones(2, 3, dtype=T.float64), "igammac_", x)
            * x, {"a": const(pos(3)), "x": pos(2, 3)}),
    Program("cumsum_", lambda T, F, x: _w(x, "cumsum_", 1) * x, {"x": r(2, 3)}),
    Program("cumprod_", lambda T, F, x: _w(x, "cumprod_", 0) * x, {"x": r(3, 2)}),
    Program("msort", lambda T, F, x: T.msort(x) * x.msort(), {"x": r(4, 3)}),
    Program("renorm p=2", lambda T, F, x: T.renorm(x, 2, 0, 1.0), {"x": r(3, 4)}),
    Program("renorm p=1 dim=1", lambda T, F, x: x.renorm(1, 1, 0.8), {"x": r(3, 4)}),
    Program("renorm p=3 dim=-1", lambda T, F, x: T.renorm(x, 3, -1, 0.7), {"x": r(2, 3, 2)}),
    Program("renorm_", lambda T, F, x: _w(x, "renorm_", 2, 1, 0.9) * x, {"x": r(3, 4)}),
    Program("frobenius_norm", lambda T, F, x: T.frobenius_norm(x, (0, 1)) + T.frobenius_norm(
        x, (1,), True).sum(), {"x": r(3, 4)}),
    Program("nuclear_norm", lambda T, F, x: T.nuclear_norm(x), {"x": r(3, 4)}),
    Program("nuclear_norm keepdim", lambda T, F, x: T.nuclear_norm(x, (0, 1), True),
            {"x": r(3, 4)}),
    Program("norm_except_dim", lambda T, F, x: T.norm_except_dim(x) * T.norm_except_dim(
        x, 3, 2).sum() + T.norm_except_dim(x, 2, 1).sum() + T.norm_except_dim(x, 2, -1),
        {"x": r(2, 3, 4)}),
]
PROGRAMS += [
    Program("fill number", lambda T, F, x: T.fill(x, 2.5) * x, {"x": r(3)}),
    Program("fill tensor", lambda T, F, x, v: T.fill(x, v) * x, {"x": r(3), "v": r()}),
    Program("fill_ tensor", lambda T, F, x, v: _w(x, "fill_", v) * x, {"x": r(3), "v": r()}),
]


def _seeded(fn: Any) -> Any:
    def prog(T: Any, F: Any, **leaves: Any) -> Any:
        T.manual_seed(11)
        return fn(T, F, **leaves)
    return prog


PROGRAMS += [
    Program("torch.kl_div", lambda T, F, x, t: (T.kl_div(x, t), T.kl_div(x, t, 1),
                                                T.kl_div(x, t, 2, log_target=True)),
            {"x": r(2, 3), "t": const(unit(2, 3))}),
    Program("torch.binary_cross_entropy_with_logits", lambda T, F, x, t, w: (
        T.binary_cross_entropy_with_logits(x, t),
        T.binary_cross_entropy_with_logits(x, t, w, None, 1),
        T.binary_cross_entropy_with_logits(x, t, None, w, 2)),
        {"x": r(2, 3), "t": const(unit(2, 3)), "w": const(pos(3))}),
    Program("native_dropout", _seeded(lambda T, F, x: T.native_dropout(x, 0.4, True)[0]),
            {"x": r(4, 5)}),
    Program("native_dropout eval", lambda T, F, x: T.native_dropout(x, 0.4, False)[0],
            {"x": r(4, 5)}),
    Program("dropout_ forms", _seeded(lambda T, F, x: (
        T.dropout_(x * 1, 0.3, True), T.alpha_dropout_(x * 1, 0.3, True),
        T.feature_dropout(x, 0.5, True), T.feature_dropout_(x * 1, 0.5, True),
        T.feature_alpha_dropout_(x * 1, 0.2, True), T.dropout_(x * 1, 0.3, False))),
        {"x": r(3, 4, 2)}),
    Program("native_layer_norm", lambda T, F, x, w, b: T.native_layer_norm(x, [3], w, b, 1e-5),
            {"x": r(2, 3), "w": r(3), "b": r(3)}),
    Program("native_batch_norm", lambda T, F, x, w, b: T.native_batch_norm(
        x, w, b, T.zeros(3, dtype=T.float64), T.ones(3, dtype=T.float64), True, 0.1, 1e-5),
        {"x": r(4, 3, 2), "w": r(3), "b": r(3)}),
    Program("native_batch_norm eval", lambda T, F, x, w: T.native_batch_norm(
        x, w, None, T.zeros(3, dtype=T.float64), T.ones(3, dtype=T.float64), False, 0.1, 1e-5),
        {"x": r(4, 3, 2), "w": r(3)}),
    Program("native_group_norm", lambda T, F, x, w, b: T.native_group_norm(
        x, w, b, 2, 4, 3, 2, 1e-5), {"x": r(2, 4, 3), "w": r(4), "b": r(4)}),
]
for _name in ("eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
              "less_equal_", "not_equal_"):
    PROGRAMS += [
        Program(f"{_name} number", lambda T, F, x, n=_name: _w(x, n, 0.1) * x, {"x": r(5)}),
        Program(f"{_name} tensor", lambda T, F, x, y, n=_name: _w(x, n, y) * x + y,
                {"x": r(2, 3), "y": r(3)}),
    ]


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_values_graph_and_grads(prog: Program) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a_outs, a_leaves = _run(adcli, AF, prog)
        t_outs, t_leaves = _run(torch, TF, prog)
    assert len(a_outs) == len(t_outs)
    for a, t in zip(a_outs, t_outs):
        assert tuple(a.shape) == tuple(t.shape)
        assert str(a.dtype) == str(t.dtype)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        assert graph_tree(a.grad_fn) == graph_tree(t.grad_fn)
        assert a.requires_grad == t.requires_grad
    # (outputs without a gradient, native_*'s statistics, are compared as values only)
    a_outs = [a for a, t in zip(a_outs, t_outs) if t.requires_grad]
    t_outs = [t for t in t_outs if t.requires_grad]
    rng = np.random.default_rng(0)
    cots = [rng.standard_normal(tuple(t.shape)) for t in t_outs]
    adcli.autograd.backward(a_outs, [adcli.tensor(c) for c in cots])
    torch.autograd.backward(t_outs, [torch.tensor(c) for c in cots])
    for name in prog.inputs:
        ag, tg = a_leaves[name].grad, t_leaves[name].grad
        assert (ag is None) == (tg is None), name
        if tg is not None:
            np.testing.assert_allclose(ag.numpy(), tg.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_double_backward_graph(prog: Program) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            t = first_derivatives(torch, TF, prog)
        except Exception as exc:
            pytest.skip(f"torch: {exc}")
        a = first_derivatives(adcli, AF, prog)
    assert a == t


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_forward_ad(prog: Program) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _tangents(torch, TF, prog)
        if isinstance(t, str):
            pytest.skip(f"torch's forward AD raises {t}")
        a = _tangents(adcli, AF, prog)
    assert not isinstance(a, str), a
    for (ap, at), (tp, tt) in zip(a, t):
        np.testing.assert_allclose(ap, tp, rtol=1e-10, atol=1e-12)
        if tt is None:
            assert at is None or not np.any(at)
        else:
            assert at is not None
            np.testing.assert_allclose(at, tt, rtol=1e-7, atol=1e-9)


# ----------------------------------------------------------------------------------------------
# backward through a node without a derivative: torch's message
# ----------------------------------------------------------------------------------------------
def _ni_asinh_(T: Any) -> Any:
    x = T.tensor([0.3, 0.5], dtype=T.float64, requires_grad=True)
    y = x * 1
    y.asinh_()
    return y


NI_PROGRAMS = {
    "asinh_": _ni_asinh_,
    "arcsinh_": lambda T: (T.tensor([0.3], requires_grad=True) * 1).arcsinh_(),
    "acosh_": lambda T: (T.tensor([1.3], requires_grad=True) * 1).acosh_(),
    "arccosh_": lambda T: (T.tensor([1.3], requires_grad=True) * 1).arccosh_(),
    "atanh_": lambda T: (T.tensor([0.3], requires_grad=True) * 1).atanh_(),
    "torch.arctanh_": lambda T: T.arctanh_(T.tensor([0.3], requires_grad=True) * 1),
    "igamma self": lambda T: T.igamma(T.tensor([1.5], requires_grad=True), T.tensor([2.0])),
    "igammac self": lambda T: T.igammac(T.tensor([1.5], requires_grad=True), T.tensor([2.0])),
    "igamma_ self": lambda T: (T.tensor([1.5], requires_grad=True) * 1).igamma_(
        T.tensor([2.0])),
}


@pytest.mark.parametrize("name", list(NI_PROGRAMS))
def test_no_derivative_message(name: str) -> None:
    t = NI_PROGRAMS[name](torch)
    a = NI_PROGRAMS[name](adcli)
    assert a.grad_fn.name() == t.grad_fn.name()
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError) as te:
        t.sum().backward()
    with pytest.raises(NotImplementedError) as ae:
        a.sum().backward()
    assert str(ae.value) == str(te.value)


# ----------------------------------------------------------------------------------------------
# errors: class and message
# ----------------------------------------------------------------------------------------------
ERRORS = {
    "positive bool": lambda T: T.positive(T.tensor([True])),
    "imag of real": lambda T: T.ones(3).imag,
    "torch.imag": lambda T: T.imag(T.ones(3)),
    "imag set": lambda T: setattr(T.ones(3), "imag", T.zeros(3)),
    "view_as_real": lambda T: T.view_as_real(T.ones(3)),
    "view_as_complex long": lambda T: T.view_as_complex(T.ones(3, 2, dtype=T.long)),
    "view_as_complex last dim": lambda T: T.view_as_complex(T.ones(3, 3)),
    "view_as_complex stride": lambda T: T.view_as_complex(T.ones(2, 3).t()),
    "view_as_complex 0-d": lambda T: T.view_as_complex(T.tensor(1.0)),
    "complex dtypes": lambda T: T.complex(T.ones(3), T.ones(3, dtype=T.float64)),
    "complex long": lambda T: T.complex(T.ones(3, dtype=T.long), T.ones(3, dtype=T.long)),
    "complex number": lambda T: T.complex(T.ones(3), 1.0),
    "polar long": lambda T: T.polar(T.ones(3, dtype=T.long), T.ones(3, dtype=T.long)),
    "polar dtypes": lambda T: T.polar(T.ones(3), T.ones(3, dtype=T.float64)),
    "adjoint 1-D": lambda T: T.ones(3).adjoint(),
    "mH 1-D": lambda T: T.ones(3).mH,
    "H 1-D": lambda T: T.ones(3).H,
    "H 3-D": lambda T: T.ones(2, 3, 4).H,
    "igamma long": lambda T: T.igamma(T.tensor([1, 2]), T.tensor([1, 2])),
    "igamma number": lambda T: T.igamma(T.ones(2), 2.0),
    "igamma_ into long": lambda T: T.tensor([1, 2]).igamma_(T.ones(2)),
    "sinc_ into long": lambda T: T.tensor([1, 2]).sinc_(),
    "acosh_ into long": lambda T: T.tensor([1, 2]).acosh_(),
    "cumsum_ dtype": lambda T: T.tensor([1, 2, 3]).cumsum_(0, dtype=T.float64),
    "cumprod_ dtype": lambda T: T.ones(3).cumprod_(0, dtype=T.float64),
    "eq_ broadcast": lambda T: T.ones(3).eq_(T.ones(2, 3)),
    "lt_ leaf": lambda T: T.ones(3, requires_grad=True).lt_(1.0),
    "renorm p": lambda T: T.renorm(T.ones(3, 4), -1, 0, 5),
    "renorm p=0": lambda T: T.renorm(T.ones(3, 4), 0, 0, 5),
    "renorm maxnorm": lambda T: T.renorm(T.ones(3, 4), 2, 0, -5),
    "renorm long": lambda T: T.renorm(T.ones(3, 4, dtype=T.long), 2, 0, 5),
    "renorm dim": lambda T: T.renorm(T.ones(3, 4), 2, 3, 5),
    "renorm 0-d": lambda T: T.renorm(T.tensor(3.0), 2, 0, 5),
    "renorm 1-d": lambda T: T.ones(3).renorm_(2, 0, 5),
    "frobenius_norm dims": lambda T: T.frobenius_norm(T.ones(3, 4), (0, 1, 1)),
    "frobenius_norm repeated": lambda T: T.frobenius_norm(T.ones(3, 4), (0, 0)),
    "nuclear_norm 1-d": lambda T: T.nuclear_norm(T.ones(3)),
    "polygamma_ n": lambda T: T.ones(3).polygamma_(-1),
    "mvlgamma_ p": lambda T: T.ones(3).mvlgamma_(0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_parity(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as te:
            ERRORS[name](torch)
        with pytest.raises(Exception) as ae:
            ERRORS[name](adcli)
    assert isinstance(ae.value, te.type), (type(ae.value), te.type)
    assert str(ae.value) == str(te.value)


def test_native_norm_has_no_dense_kernel() -> None:
    for args in ((), (3,), (2, (1,), True, None)):
        with pytest.raises(NotImplementedError) as te:
            torch.native_norm(torch.ones(2, 3), *args)
        with pytest.raises(NotImplementedError) as ae:
            adcli.native_norm(adcli.ones(2, 3), *args)
        assert str(te.value).startswith(str(ae.value))


def test_complex_half_is_one_clear_error() -> None:
    # complex64/128 exist now (tests/complex/); ComplexHalf stays refused, with one error
    for fn in (lambda T: T.complex(T.ones(2, dtype=T.half), T.ones(2, dtype=T.half)),
               lambda T: T.view_as_complex(T.ones(3, 2, dtype=T.half))):
        fn(torch)  # valid in torch
        with pytest.raises(adcli.engine.dtypes.UnsupportedDtypeError,
                           match=r"adcli has no tensors of dtype torch\.complex32"):
            fn(adcli)
    with pytest.raises(NotImplementedError) as te:
        torch.polar(torch.ones(2, dtype=torch.half), torch.ones(2, dtype=torch.half))
    with pytest.raises(NotImplementedError) as ae:
        adcli.polar(adcli.ones(2, dtype=adcli.half), adcli.ones(2, dtype=adcli.half))
    assert str(ae.value) == str(te.value)


# ----------------------------------------------------------------------------------------------
# values: dtypes, special cases, in-place results
# ----------------------------------------------------------------------------------------------
def _same(a: Any, t: Any, rtol: float = 0.0) -> None:
    assert str(a.dtype) == str(t.dtype)
    assert tuple(a.shape) == tuple(t.shape)
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=rtol, atol=0, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pointwise_values_bit_for_bit(dtype: str) -> None:
    x = np.array([-3.0, -1.0, -0.5, -0.0, 0.0, 0.25, 0.999, 1.0, 1.5, 10.0, np.inf, -np.inf,
                  np.nan])
    for name in ("acosh", "arccosh", "atanh", "arctanh", "angle"):
        a = getattr(adcli, name)(adcli.tensor(x, dtype=getattr(adcli, dtype)))
        t = getattr(torch, name)(torch.tensor(x, dtype=getattr(torch, dtype)))
        # within one ulp (torch's vectorised kernels and NumPy's libm may round differently)
        _same(a, t, rtol=0 if name == "angle" else 2.3e-16 if dtype == "float64" else 1.2e-7)


def test_integer_inputs() -> None:
    for fn in (lambda T: T.acosh(T.tensor([1, 2, 3])), lambda T: T.atanh(T.tensor([0, 1])),
               lambda T: T.angle(T.tensor([-1, 0, 2])), lambda T: T.angle(T.tensor([True])),
               lambda T: T.tensor([1, 2, 3]).eq_(2), lambda T: T.tensor([1, 2, 3]).lt_(2.5),
               lambda T: T.tensor([1, 2, 3], dtype=T.int32).cumsum_(0),
               lambda T: T.tensor([1, 2, 3]).cumprod_(0, dtype=T.long),
               lambda T: T.ones(2, 3).ge_(T.tensor([1.0, 0.0, 2.0])),
               lambda T: T.msort(T.tensor([[3, 1], [2, 5]])),
               lambda T: T.positive(T.tensor([1, 2])), lambda T: T.conj_physical_(T.ones(2)),
               lambda T: T.tensor([1, 2]).conj_physical_()):
        a, t = fn(adcli), fn(torch)
        assert str(a.dtype) == str(t.dtype)
        assert a.tolist() == t.tolist()


def test_conj_and_real_are_the_tensor() -> None:
    for T in (adcli, torch):
        x = T.ones(3, requires_grad=True)
        assert T.conj(x) is x and x.conj_physical() is x and T.resolve_conj(x) is x
        assert T.resolve_neg(x) is x and x.real is x and T.real(x) is x
        assert not x.is_conj() and not T.is_neg(x)
        y = T.ones(3)
        y.real = T.zeros(3)
        assert y.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_igamma_values(dtype: str) -> None:
    a = np.array([0.0, 0.5, 1, 3, 0.1, 7, 1e-3, 2, 2, 0, -1, np.inf, 12, 11, 150, 4.0])
    x = np.array([1.0, 0.3, 2, 1, 5, 0.5, 2, np.inf, 0, 0, 1, 2, 3, 30, 100, 20.0])
    for name in ("igamma", "igammac"):
        at = getattr(adcli, name)(adcli.tensor(a, dtype=getattr(adcli, dtype)),
                                  adcli.tensor(x, dtype=getattr(adcli, dtype)))
        tt = getattr(torch, name)(torch.tensor(a, dtype=getattr(torch, dtype)),
                                  torch.tensor(x, dtype=getattr(torch, dtype)))
        assert str(at.dtype) == str(tt.dtype)
        np.testing.assert_allclose(at.numpy(), tt.numpy(), equal_nan=True, atol=1e-30,
                                   rtol=5e-14 if dtype == "float64" else 2e-5)
    assert adcli.special.gammainc is adcli.igamma and adcli.special.gammaincc is adcli.igammac


def test_igamma_where_torch_uses_its_asymptotic_series() -> None:
    # torch switches to Temme's uniform asymptotic expansion for large a near x (accurate
    # to ~1e-9 there); adcli keeps the series / continued fraction (accurate to ~1e-15)
    a = np.array([25.0, 25.0, 300.0, 50.0])
    x = np.array([24.0, 30.0, 310.0, 49.0])
    at = adcli.igamma(adcli.tensor(a), adcli.tensor(x))
    tt = torch.igamma(torch.tensor(a), torch.tensor(x))
    np.testing.assert_allclose(at.numpy(), tt.numpy(), rtol=1e-8)


def test_renorm_values() -> None:
    rng = np.random.default_rng(3)
    for dtype, rtol in (("float64", 1e-15), ("float32", 1e-6)):
        x = rng.standard_normal((4, 3, 5))
        for p, dim, mx in ((2, 0, 1.0), (1, 1, 2.0), (3.5, 2, 0.5), (float("inf"), 0, 1.0),
                           (2, 1, 100.0)):
            a = adcli.renorm(adcli.tensor(x, dtype=getattr(adcli, dtype)), p, dim, mx)
            t = torch.renorm(torch.tensor(x, dtype=getattr(torch, dtype)), p, dim, mx)
            _same(a, t, rtol=rtol)


def test_deprecation_warnings() -> None:
    torch.set_warn_always(True)  # torch warns once per process (TORCH_WARN_ONCE)
    adcli.set_warn_always(True)  # (so does adcli: tests/engine/test_names_norms_parity.py)
    for name, args in (("frobenius_norm", ((0, 1),)), ("nuclear_norm", ())):
        with pytest.warns(UserWarning) as tw:
            getattr(torch, name)(torch.ones(2, 3), *args)
        with pytest.warns(UserWarning) as aw:
            getattr(adcli, name)(adcli.ones(2, 3), *args)
        assert str(tw[0].message).startswith(str(aw[0].message))
    torch.set_warn_always(False)
    adcli.set_warn_always(False)


# ----------------------------------------------------------------------------------------------
# windows and constructors
# ----------------------------------------------------------------------------------------------
WINDOWS = ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window")


@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name: str) -> None:
    for dtype in ("float64", "float32"):
        for n in range(0, 40):
            for periodic in (True, False):
                a = getattr(adcli, name)(n, periodic, dtype=getattr(adcli, dtype))
                t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
                # float64: bit for bit (kaiser: within 3e-15, torch's Cephes i0); float32:
                # within one ulp (torch's vectorised float32 cos rounds otherwise than NumPy's)
                assert str(a.dtype) == str(t.dtype) and tuple(a.shape) == tuple(t.shape)
                exact = ((dtype == "float64" and name != "kaiser_window")
                         or name == "bartlett_window")
                kaiser32 = name == "kaiser_window" and dtype == "float32"
                np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=2e-6 if kaiser32 else 0,
                                           atol=0 if exact else
                                           3e-15 if dtype == "float64" else 1.2e-7)
    a, t = getattr(adcli, name)(7), getattr(torch, name)(7)
    assert str(a.dtype) == str(t.dtype) and a.requires_grad is False
    assert getattr(adcli, name)(3, requires_grad=True).requires_grad


def test_window_options() -> None:
    for n, per, alpha, beta in ((10, True, 0.6, 0.3), (9, False, 0.5, 0.5), (1, True, 0.1, 0.2)):
        _same(adcli.hamming_window(n, per, alpha, beta, dtype=adcli.float64),
              torch.hamming_window(n, per, alpha, beta, dtype=torch.float64))
    for beta in (0.0, 5.0, 14.0):
        np.testing.assert_allclose(
            adcli.kaiser_window(12, False, beta, dtype=adcli.float64).numpy(),
            torch.kaiser_window(12, False, beta, dtype=torch.float64).numpy(), rtol=3e-15)


WINDOW_ERRORS = {
    "negative": lambda T, name: getattr(T, name)(-1),
    "integer dtype": lambda T, name: getattr(T, name)(3, dtype=T.long),
}


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("case", list(WINDOW_ERRORS))
def test_window_errors(name: str, case: str) -> None:
    with pytest.raises(RuntimeError) as te:
        WINDOW_ERRORS[case](torch, name)
    with pytest.raises(RuntimeError) as ae:
        WINDOW_ERRORS[case](adcli, name)
    assert str(ae.value) == str(te.value)


def test_constructors() -> None:
    for fn in (lambda T: T.vander(T.tensor([1, 2, 3])), lambda T: T.vander(T.tensor([True, False])),
               lambda T: T.vander(T.tensor([1, 2], dtype=T.int32), 3, True),
               lambda T: T.vander(T.tensor([1.5, -2.0]), 4),
               lambda T: T.tril_indices(3, 3), lambda T: T.tril_indices(3, 4, 1),
               lambda T: T.triu_indices(3, 4, -1, dtype=T.int32), lambda T: T.triu_indices(4, 2),
               lambda T: T.tril_indices(0, 3), lambda T: T.triu_indices(5, 5, 7),
               lambda T: T.scalar_tensor(3), lambda T: T.scalar_tensor(3, dtype=T.long),
               lambda T: T.scalar_tensor(True), lambda T: T.scalar_tensor(T.tensor(2.0)),
               lambda T: T.scalar_tensor(1.5, dtype=T.float64),
               lambda T: T.fill(T.ones(2, dtype=T.long), 2.7)):
        a, t = fn(adcli), fn(torch)
        assert str(a.dtype) == str(t.dtype) and tuple(a.shape) == tuple(t.shape)
        assert a.tolist() == t.tolist()
    assert adcli.scalar_tensor(2.0, requires_grad=True).requires_grad


CONSTRUCTOR_ERRORS = {
    "vander 2-d": lambda T: T.vander(T.ones(2, 2)),
    "vander N": lambda T: T.vander(T.ones(2), N=-1),
    "tril_indices row": lambda T: T.tril_indices(-1, 3),
    "triu_indices col": lambda T: T.triu_indices(3, -2),
    "tril_indices float": lambda T: T.tril_indices(3, 3, dtype=T.float32),
    "fill 1-d value": lambda T: T.fill(T.ones(2), T.tensor([1.0, 2.0])),
    "fill_ 1-d value": lambda T: T.ones(2).fill_(T.tensor([1.0, 2.0])),
}


@pytest.mark.parametrize("name", list(CONSTRUCTOR_ERRORS))
def test_constructor_errors(name: str) -> None:
    with pytest.raises(Exception) as te:
        CONSTRUCTOR_ERRORS[name](torch)
    with pytest.raises(Exception) as ae:
        CONSTRUCTOR_ERRORS[name](adcli)
    assert isinstance(ae.value, te.type)
    assert str(ae.value) == str(te.value)


@pytest.mark.parametrize("n", [None, 2, 1, 0])
def test_vander_graph_and_torchs_failing_backward(n: Any) -> None:
    # torch's vander writes cumprod's result into the slice cumprod saved: its backward fails
    # the version check (torch 2.13), and so does adcli's, with the same message
    outs = []
    for T in (adcli, torch):
        x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
        v = T.vander(x, n, increasing=n == 2)
        outs.append(v)
    a, t = outs
    _same(a.detach(), t.detach())
    assert graph_tree(a.grad_fn) == graph_tree(t.grad_fn)
    assert a.requires_grad == t.requires_grad
    if not t.requires_grad:
        return
    with pytest.raises(RuntimeError) as te:
        t.sum().backward()
    with pytest.raises(RuntimeError) as ae:
        a.sum().backward()
    assert str(ae.value) == str(te.value)


def test_native_tuples_and_masks() -> None:
    for T in (adcli, torch):
        T.manual_seed(4)
    xa, xt = adcli.ones(5, 6), torch.ones(5, 6)
    for fn in (lambda T, x: T.native_dropout(x, 0.3, True),
               lambda T, x: T.native_dropout(x, 0.3, None),
               lambda T, x: T.native_dropout(x, 1.0, True),
               lambda T, x: T.native_dropout(x.float(), 0.0, True)):
        a, t = fn(adcli, xa), fn(torch, xt)
        assert len(a) == len(t) == 2
        for u, v in zip(a, t):
            _same(u, v)
    rm_a, rv_a = adcli.zeros(3), adcli.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    x = np.random.default_rng(2).standard_normal((4, 3, 5)).astype(np.float32)
    a = adcli.native_batch_norm(adcli.tensor(x), None, None, rm_a, rv_a, True, 0.1, 1e-5)
    t = torch.native_batch_norm(torch.tensor(x), None, None, rm_t, rv_t, True, 0.1, 1e-5)
    for u, v in (*zip(a, t), (rm_a, rm_t), (rv_a, rv_t)):
        np.testing.assert_allclose(u.numpy(), v.numpy(), rtol=2e-6, atol=1e-7)


def test_top_level_loss_errors() -> None:
    for fn in (lambda T: T.kl_div(T.ones(2), T.ones(2), reduction="mean"),
               lambda T: T.binary_cross_entropy_with_logits(T.ones(2), T.ones(2), None, None,
                                                            "sum")):
        with pytest.raises(TypeError) as te:
            fn(torch)
        with pytest.raises(TypeError) as ae:
            fn(adcli)
        assert str(ae.value) == str(te.value)
