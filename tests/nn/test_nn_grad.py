"""torch.nn.grad (F.grad): conv{1,2,3}d_input / conv{1,2,3}d_weight against torch, with
stride, padding, dilation and groups; the results are differentiable again."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

CASES = [  # (dims, N, C_in, C_out, size, kernel, stride, padding, dilation, groups)
    (1, 2, 2, 3, (7,), (3,), 1, 0, 1, 1),
    (1, 1, 4, 2, (9,), (2,), 2, 1, 2, 2),
    (2, 2, 2, 4, (5, 6), (3, 2), 1, 1, 1, 1),
    (2, 1, 4, 4, (7, 8), (3, 3), (2, 1), (1, 2), (1, 2), 4),
    (2, 1, 3, 2, (6, 6), (2, 2), 3, 0, 1, 1),
    (3, 1, 2, 2, (4, 5, 4), (2, 3, 2), 1, (1, 0, 1), 1, 2),
    (3, 2, 1, 2, (5, 5, 5), (3, 3, 3), 2, 1, 1, 1),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
@pytest.mark.parametrize("which", ["input", "weight"])
def test_conv_input_and_weight_gradients_match_torch(case: tuple[Any, ...], which: str) -> None:
    dims, n, cin, cout, size, kernel, stride, padding, dilation, groups = case
    rng = np.random.default_rng(len(size) * 7 + cin)
    x = rng.standard_normal((n, cin, *size))
    w = rng.standard_normal((cout, cin // groups, *kernel))
    tx, tw = torch.tensor(x), torch.tensor(w)
    conv = getattr(torch.nn.functional, f"conv{dims}d")
    out = conv(tx, tw, None, stride, padding, dilation, groups)
    go = rng.standard_normal(tuple(out.shape))
    tgo = torch.tensor(go)
    args = (stride, padding, dilation, groups)
    ax, aw, ago = adcli.tensor(x), adcli.tensor(w), adcli.tensor(go)
    if which == "input":
        want = getattr(torch.nn.grad, f"conv{dims}d_input")(tx.shape, tw, tgo, *args)
        got = getattr(adcli.nn.functional.grad, f"conv{dims}d_input")(ax.shape, aw, ago, *args)
    else:
        want = getattr(torch.nn.grad, f"conv{dims}d_weight")(tx, tw.shape, tgo, *args)
        got = getattr(adcli.nn.grad, f"conv{dims}d_weight")(ax, aw.shape, ago, *args)
    assert got.shape == tuple(want.shape) and not got.requires_grad
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)


def test_results_are_differentiable_again() -> None:
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 6, 5)), rng.standard_normal((3, 2, 2, 3))
    go = rng.standard_normal((1, 3, 5, 3))
    out = {}
    for T in (torch, adcli):
        tx, tw, tgo = (T.tensor(a, requires_grad=True) for a in (x, w, go))
        gi = T.nn.grad.conv2d_input(tx.shape, tw, tgo, padding=(0, 0))
        gw = T.nn.grad.conv2d_weight(tx, tw.shape, tgo)
        (gi.sin().sum() + (gw ** 2).sum()).backward()
        out[T.__name__] = [gi.requires_grad, gw.requires_grad,
                           *(t.grad.numpy() for t in (tx, tw, tgo))]
    assert out["adcli"][:2] == out["torch"][:2] == [True, True]
    for a, t in zip(out["adcli"][2:], out["torch"][2:]):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-12)
