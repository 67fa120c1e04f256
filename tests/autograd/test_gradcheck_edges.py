"""``adcli.autograd.gradcheck``/``gradgradcheck`` at the edge of their tolerances, against
``torch.autograd.gradcheck`` itself: the same Function, whose backward is off by 5% less or
5% more than the tolerance, passes or fails in both (full and fast mode, default and explicit
tolerances). Both use ``|analytical - numerical| <= atol + rtol * |numerical|``, with atol
scaled by ``sum(u) * sum(v)`` for the projections of fast mode."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

INSIDE, OUTSIDE = 0.95, 1.05
EXPLICIT = {"atol": 1e-3, "rtol": 1e-2}


def off_by(T: Any, W: np.ndarray, scale: float = 0.0, offset: float = 0.0) -> Any:
    """``y = W x`` on engine ``T`` whose backward is ``(1 + scale) W^T g + offset * sum(g)``."""
    Wt = T.tensor(W, dtype=T.float64)

    class OffBy(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return Wt @ x

        @staticmethod
        def backward(ctx, g):
            return (Wt.T @ g) * (1.0 + scale) + g.sum() * offset

    return OffBy


def both(W: np.ndarray, x: np.ndarray, fast: bool, tols: dict[str, float], **errors: float
         ) -> tuple[bool, bool]:
    verdicts = []
    for T in (adcli, torch):
        fn = off_by(T, W, **errors)
        xt = T.tensor(x, dtype=T.float64, requires_grad=True)
        verdicts.append(T.autograd.gradcheck(fn.apply, (xt,), fast_mode=fast,
                                             raise_exception=False, **tols))
    return verdicts[0], verdicts[1]


@pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("tols", [{}, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("kind", ["relative", "absolute"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_gradcheck_edges_are_torchs(fast: bool, n: int, tols: dict[str, float], kind: str,
                                    margin: float) -> None:
    atol, rtol = tols.get("atol", 1e-5), tols.get("rtol", 1e-3)
    x = np.linspace(0.5, 1.5, n)
    if kind == "relative":  # entries of 500 and more: atol is negligible
        ours, theirs = both(1e3 * (np.eye(n) + 0.5), x, fast, tols, scale=margin * rtol)
    else:  # a zero Jacobian: every entry is off by the offset
        ours, theirs = both(np.zeros((n, n)), x, fast, tols, offset=margin * atol)
    assert theirs is (margin < 1)  # the premise: torch's verdict
    assert ours is theirs


def square_with_second_derivative_off(T: Any, scale: float) -> Any:
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * 1000.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            x0 = x.detach()
            return g * 2000.0 * (x0 + (x - x0) * (1.0 + scale))

    return Square


@pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])
@pytest.mark.parametrize("tols", [{}, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_gradgradcheck_edges_are_torchs(fast: bool, tols: dict[str, float],
                                        margin: float) -> None:
    rtol = tols.get("rtol", 1e-3)
    verdicts = []
    for T in (adcli, torch):
        fn = square_with_second_derivative_off(T, margin * rtol)
        x = T.tensor([0.5], dtype=T.float64, requires_grad=True)
        go = T.ones(1, dtype=T.float64)
        verdicts.append(T.autograd.gradgradcheck(fn.apply, (x,), (go,), fast_mode=fast,
                                                 raise_exception=False, **tols))
    assert verdicts[1] is (margin < 1)
    assert verdicts[0] is verdicts[1]


def linear_with_detached_second_derivative(T: Any, second: float) -> Any:
    """``2 x`` whose backward is right in value (2) but, through ``x - x.detach()``, has the
    derivative ``second`` instead of 0."""

    class Linear(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (2.0 + (x - x.detach()) * second)

    return Linear


def test_gradgradcheck_sees_a_second_derivative_changed_through_detach() -> None:
    verdicts = []
    for T in (adcli, torch):
        fn = linear_with_detached_second_derivative(T, 1e-3)
        x = T.tensor([0.5], dtype=T.float64, requires_grad=True)
        verdicts.append(T.autograd.gradgradcheck(fn.apply, (x,), (T.ones(1, dtype=T.float64),),
                                                 raise_exception=False))
    assert verdicts[1] is False  # torch: 1e-3 is 100 times atol
    assert verdicts[0] is verdicts[1]
