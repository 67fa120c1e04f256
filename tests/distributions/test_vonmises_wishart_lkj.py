"""VonMises, Wishart and LKJCholesky against torch 2.13: one program on both with the same seed,
comparing draws (so the same generator calls: VonMises' rejection rounds, Wishart's Bartlett
Chi2 + randn and its correction redraw, LKJ's Beta + randn), log_prob, entropy, moments, the
gradients reaching the parameters, reprs, expand, warnings and errors word for word.

Tolerance: float64 values to 1e-12 (Wishart and LKJ go through Cholesky/solves, where LAPACK
and NumPy may round differently in the last bits); VonMises float32 draws bit for bit, its
float32 moments to 3e-7 relative (torch's vectorised float32 log/exp); LKJ float32 draws to
3e-7 (torch's float32 sqrt kernel is not correctly rounded, NumPy's is)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.distributions as TD  # noqa: E402

import adcli  # noqa: E402
import adcli.distributions as AD  # noqa: E402


def _np(x: Any) -> Any:
    return x.detach().numpy() if hasattr(x, "detach") else x


def _both(program: Callable[[Any, Any], dict[str, Any]], rtol: float = 1e-12) -> None:
    outs = []
    for T, D in ((torch, TD), (adcli, AD)):
        T.manual_seed(11)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = program(T, D)
        out["warnings"] = [(w.category.__name__, str(w.message)) for w in caught]
        outs.append(out)
    want, got = outs
    assert want.keys() == got.keys()
    for k in want:
        w, g = want[k], got[k]
        if isinstance(w, (str, tuple, bool, list)) or w is None:
            assert str(g) == str(w), k
        else:
            assert str(w.dtype).split(".")[-1] == str(g.dtype).split(".")[-1], k
            np.testing.assert_allclose(_np(g), _np(w), rtol=rtol, atol=rtol, err_msg=k)


def _raised(case: Callable[[Any, Any], Any]) -> list[tuple[str, str]]:
    """The exception type and message ``case`` raises on torch, then on adcli."""
    msgs = []
    for T, D in ((torch, TD), (adcli, AD)):
        with pytest.raises(Exception) as info:
            case(T, D)
        msgs.append((type(info.value).__name__, str(info.value)))
    return msgs


def _f64(T: Any, x: Any, grad: bool = False) -> Any:
    return T.tensor(x, dtype=T.float64, requires_grad=grad)


# -- VonMises ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_von_mises_matches_torch(dtype: str) -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        dt = getattr(T, dtype)
        loc = T.tensor([0.5, -2.0, 3.0, 1.0], dtype=dt, requires_grad=True)
        # tiny kappa takes the Taylor branch of the proposal (float64 only: in float32 torch's
        # Bessel polynomial overflows there, and adcli's NumPy says so); 50 the large branch
        tiny = 1e-6 if dtype == "float64" else 1e-4
        kappa = T.tensor([tiny, 1.0, 5.0, 50.0], dtype=dt, requires_grad=True)
        d = D.VonMises(loc, kappa)
        out: dict[str, Any] = {"repr": repr(d), "has_rsample": d.has_rsample,
                               "shape": (tuple(d.batch_shape), tuple(d.event_shape))}
        out["sample"] = d.sample((500,))
        out["sample_dtype"] = str(out["sample"].dtype).split(".")[-1]
        value = T.tensor([[0.1, 2.0, -3.0, 1.2], [7.0, -0.4, 3.1, 0.9]], dtype=dt)
        lp = d.log_prob(value)
        out["log_prob"], out["log_prob_fn"] = lp, type(lp.grad_fn).__name__
        out["mean"], out["mode"], out["variance"] = d.mean, d.mode, d.variance
        (lp.sum() + d.variance.sum()).backward()
        out["grad_loc"], out["grad_kappa"] = loc.grad, kappa.grad
        e = d.expand((3, 4))
        out["expand"] = (tuple(e.batch_shape), repr(e))
        out["expand_sample"] = e.sample()
        return out

    if dtype == "float64":
        _both(program)
    else:
        _both(program, rtol=3e-7)


def test_von_mises_float32_draws_bit_for_bit() -> None:
    draws = []
    for T, D in ((torch, TD), (adcli, AD)):
        T.manual_seed(2)
        d = D.VonMises(T.tensor([0.3, -1.0]), T.tensor([0.5, 20.0]))
        draws.append(d.sample((2000,)).numpy())
    assert draws[0].dtype == draws[1].dtype == np.float32
    np.testing.assert_array_equal(draws[1], draws[0])


def test_von_mises_errors_match_torch() -> None:
    for case in (lambda T, D: D.VonMises(T.tensor([0.0]), T.tensor([-1.0])),
                 lambda T, D: D.VonMises(T.tensor([0.0, 1.0]), T.tensor([1.0, 2.0])).log_prob(
                     T.tensor([0.0, 1.0, 2.0])),
                 lambda T, D: D.VonMises(T.tensor([0.0]), T.tensor([1.0])).log_prob([0.5]),
                 lambda T, D: D.VonMises(T.tensor([0.0]), T.tensor([1.0])).rsample()):
        msgs = _raised(case)
        assert msgs[1] == msgs[0]


# -- Wishart ----------------------------------------------------------------------------------
COV = [[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]]


def _wishart(T: Any, D: Any, how: str, df: Any) -> tuple[Any, Any]:
    m = _f64(T, COV, True)
    if how == "covariance_matrix":
        return D.Wishart(df, covariance_matrix=m), m
    if how == "precision_matrix":
        return D.Wishart(df, precision_matrix=m), m
    L = T.linalg.cholesky(m.detach()).requires_grad_()
    return D.Wishart(df, scale_tril=L), L


@pytest.mark.parametrize("how", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(how: str) -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        df = _f64(T, [4.0, 3.5], True)
        d, m = _wishart(T, D, how, df)
        out: dict[str, Any] = {"repr": repr(d), "support": repr(d.support),
                               "shape": (tuple(d.batch_shape), tuple(d.event_shape))}
        x = d.rsample()
        out["rsample"], out["rsample_fn"] = x, type(x.grad_fn).__name__
        lp = d.log_prob(x.detach())
        out["log_prob"], out["entropy"] = lp, d.entropy()
        out["mean"], out["mode"], out["variance"] = d.mean, d.mode, d.variance
        for name in ("scale_tril", "covariance_matrix", "precision_matrix"):
            out[name] = getattr(d, name)
        (x.sum() + lp.sum() + d.entropy().sum() + d.variance.sum()).backward()
        out["grad_df"], out["grad_matrix"] = df.grad, m.grad
        out["sample_n"] = d.sample((3,))
        e = d.expand((4, 2))
        out["expand"] = (tuple(e.batch_shape), repr(e))
        out["expand_sample"] = e.sample()
        return out

    _both(program)


def test_wishart_number_df_batched_matrix_and_low_df_warning() -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        m = _f64(T, [COV, np.eye(3).tolist()])
        d = D.Wishart(2.5, covariance_matrix=m)  # 2 < df < 3: torch's low-df warning
        x = d.sample((2,))
        try:  # torch 2.13's mode views a 0-d df as the batch shape: both raise the same
            mode = repr(d.mode)
        except RuntimeError as exc:
            mode = str(exc)
        return {"repr": repr(d), "sample": x, "log_prob": d.log_prob(x),
                "entropy": d.entropy(), "mode": mode}

    _both(program, rtol=1e-10)  # df < 3: near-singular draws, slogdet loses a few digits


def test_wishart_rsample_with_sample_shape_backward_fails_as_torch() -> None:
    """torch 2.13's correction loop writes ``sample[is_singular]`` and then changes the mask in
    place, so backward through a draw with a sample shape fails its version check there."""
    msgs = []
    for T, D in ((torch, TD), (adcli, AD)):
        T.manual_seed(0)
        d, _ = _wishart(T, D, "covariance_matrix", _f64(T, 5.0, True))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = d.rsample((2,))
        with pytest.raises(RuntimeError) as info:
            x.sum().backward()
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0]


def test_wishart_errors_match_torch() -> None:
    eye = [[1.0, 0.0], [0.0, 1.0]]
    cases = [
        lambda T, D: D.Wishart(3.0),
        lambda T, D: D.Wishart(3.0, covariance_matrix=_f64(T, eye), scale_tril=_f64(T, eye)),
        lambda T, D: D.Wishart(3.0, covariance_matrix=_f64(T, [1.0, 2.0])),
        lambda T, D: D.Wishart(0.5, covariance_matrix=_f64(T, eye)),
        lambda T, D: D.Wishart(_f64(T, [3.0, 0.2]), covariance_matrix=_f64(T, eye)),
        lambda T, D: D.Wishart(3.0, covariance_matrix=_f64(T, [[1.0, 2.0], [2.0, 1.0]])),
        lambda T, D: D.Wishart(3.0, covariance_matrix=_f64(T, eye)).log_prob(
            _f64(T, [[1.0, 2.0], [2.0, 1.0]])),
    ]
    for case in cases:
        msgs = _raised(case)
        assert msgs[1][1] == msgs[0][1]
        assert msgs[1][0] == msgs[0][0] or (msgs[0][0], msgs[1][0]) == (
            "_LinAlgError", "LinAlgError")


# -- LKJCholesky ------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [2, 4])
def test_lkj_cholesky_matches_torch(dim: int) -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        conc = _f64(T, [0.5, 1.0, 3.0], True)
        d = D.LKJCholesky(dim, conc)
        out: dict[str, Any] = {"repr": repr(d), "support": repr(d.support),
                               "shape": (tuple(d.batch_shape), tuple(d.event_shape))}
        x = d.sample((5,))
        out["sample"] = x
        lp = d.log_prob(x)
        out["log_prob"], out["log_prob_fn"] = lp, type(lp.grad_fn).__name__
        lp.sum().backward()
        out["grad"] = conc.grad
        e = d.expand((2, 3))
        out["expand"] = (tuple(e.batch_shape), repr(e))
        out["expand_sample"] = e.sample()
        out["number"] = D.LKJCholesky(dim, 2.0).sample((2,)).double()  # float32 (default)
        return out

    _both(program, rtol=1e-12 if dim == 2 else 3e-7)


def test_lkj_cholesky_errors_match_torch() -> None:
    cases = [lambda T, D: D.LKJCholesky(1, 1.0),
             lambda T, D: D.LKJCholesky(3, _f64(T, [-1.0])),
             lambda T, D: D.LKJCholesky(2, 1.0).log_prob(_f64(T, [[1.0, 0.0], [0.5, 1.0]])),
             lambda T, D: D.LKJCholesky(2, 1.0).rsample()]
    for case in cases:
        msgs = _raised(case)
        assert msgs[1] == msgs[0]
