"""Tensor repr as PyTorch prints it: a fixed table, and the same table against torch itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli

NAN, INF = float("nan"), float("inf")

# (builder over a torch-like namespace T, PyTorch's repr)
REPRS: list[tuple[str, Callable[[Any], Any], str]] = [
    ("float32 1D", lambda T: T.tensor([0.5, 1.0, 1.5]), "tensor([0.5000, 1.0000, 1.5000])"),
    ("integer-valued floats", lambda T: T.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    ("0-d float32", lambda T: T.tensor(3.5), "tensor(3.5000)"),
    ("0-d float64", lambda T: T.tensor(2.0, dtype=T.float64), "tensor(2., dtype=torch.float64)"),
    ("2-d float32", lambda T: T.tensor([[1.0, 2.5], [3.25, -4.0]]),
     "tensor([[ 1.0000,  2.5000],\n        [ 3.2500, -4.0000]])"),
    ("2-d float64", lambda T: T.tensor([[1.0, 2.5], [3.25, -4.0]], dtype=T.float64),
     "tensor([[ 1.0000,  2.5000],\n        [ 3.2500, -4.0000]], dtype=torch.float64)"),
    ("sci small/large ratio", lambda T: T.tensor([1e-5, 1.0, 1000.0]),
     "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])"),
    ("sci huge", lambda T: T.tensor([1e10, 2.0]), "tensor([1.0000e+10, 2.0000e+00])"),
    ("sci integer ratio", lambda T: T.tensor([1.0, 2000.0]), "tensor([1.0000e+00, 2.0000e+03])"),
    ("sci ratio", lambda T: T.tensor([123456.0, 0.5]), "tensor([1.2346e+05, 5.0000e-01])"),
    ("sci tiny", lambda T: T.tensor([1e-10, 1e-12]), "tensor([1.0000e-10, 1.0000e-12])"),
    ("small fixed", lambda T: T.tensor([0.001, 0.002]), "tensor([0.0010, 0.0020])"),
    ("int64", lambda T: T.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    ("int64 2-d", lambda T: T.tensor([[1, -20], [300, 4]]),
     "tensor([[  1, -20],\n        [300,   4]])"),
    ("0-d int", lambda T: T.tensor(7), "tensor(7)"),
    ("bool", lambda T: T.tensor([True, False]), "tensor([ True, False])"),
    ("0-d bool", lambda T: T.tensor(True), "tensor(True)"),
    ("bool all true", lambda T: T.tensor([True, True]), "tensor([True, True])"),
    ("bool 2-d", lambda T: T.tensor([[True], [False]]), "tensor([[ True],\n        [False]])"),
    ("requires_grad", lambda T: T.tensor([1.0, 2.0], requires_grad=True),
     "tensor([1., 2.], requires_grad=True)"),
    ("grad_fn", lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2,
     "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    ("dtype and grad_fn", lambda T: T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True).sum(),
     "tensor(3., dtype=torch.float64, grad_fn=<SumBackward0>)"),
    ("signed zero", lambda T: T.tensor([0.0, -0.0, 1.0]), "tensor([0., -0., 1.])"),
    ("nan inf", lambda T: T.tensor([NAN, INF, -INF, 1.5]),
     "tensor([   nan,    inf,   -inf, 1.5000])"),
    ("nan int mode", lambda T: T.tensor([NAN, 1.0]), "tensor([nan, 1.])"),
    ("zeros 2-d", lambda T: T.zeros(2, 3), "tensor([[0., 0., 0.],\n        [0., 0., 0.]])"),
    ("empty", lambda T: T.zeros(0), "tensor([])"),
    ("empty 2-d", lambda T: T.zeros(2, 0), "tensor([], size=(2, 0))"),
    ("mixed widths", lambda T: T.tensor([0.1, 0.25, 100.0]),
     "tensor([  0.1000,   0.2500, 100.0000])"),
    ("3-d", lambda T: T.tensor([[[1.0, 2.0]], [[3.0, 4.0]]]),
     "tensor([[[1., 2.]],\n\n        [[3., 4.]]])"),
    ("wrapped", lambda T: T.arange(30, dtype=T.float32) / 7,
     "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
     "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
     "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
     "        3.8571, 4.0000, 4.1429])"),
    ("max with dim", lambda T: T.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1),
     "torch.return_types.max(\nvalues=tensor([5., 7.]),\nindices=tensor([1, 0]))"),
    ("min with dim", lambda T: T.tensor([[1.0, 5.0], [7.0, 2.0]]).min(0),
     "torch.return_types.min(\nvalues=tensor([1., 2.]),\nindices=tensor([0, 1]))"),
    ("detached", lambda T: (T.tensor([1.0, 2.0], requires_grad=True) * 1).detach(),
     "tensor([1., 2.])"),
]

IDS = [name for name, _, _ in REPRS]


@pytest.mark.parametrize(("name", "build", "expected"), REPRS, ids=IDS)
def test_repr_table(name: str, build: Callable[[Any], Any], expected: str) -> None:
    t = build(adcli)
    assert repr(t) == expected
    assert str(t) == expected


@pytest.mark.needs_torch
@pytest.mark.parametrize(("name", "build", "expected"), REPRS, ids=IDS)
def test_repr_matches_torch(name: str, build: Callable[[Any], Any], expected: str) -> None:
    torch = require_torch()
    assert repr(build(adcli)) == repr(build(torch)) == expected


def test_format_of_0d_tensor() -> None:
    assert f"{adcli.tensor(0.123456):.3f}" == "0.123"
    assert str(adcli.ones(2, 3).shape) == "torch.Size([2, 3])"


# Large tensors: summarized with "...", widths from the printed elements only, and a dtype
# suffix that moves to its own line when the last line is full (compared with torch itself).
LARGE = [
    ("1-d 2000 sci", lambda: np.arange(2000.0) * 1.5),
    ("2-d 300x400", lambda: np.random.default_rng(0).standard_normal((300, 400))),
    ("3-d 20x20x20", lambda: np.random.default_rng(1).random((20, 20, 20))),
    ("1-d 30 wraps", lambda: np.linspace(0.0, 1.0, 30)),
]


@pytest.mark.needs_torch
@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize(("name", "make"), LARGE, ids=[c[0] for c in LARGE])
def test_large_repr_matches_torch(name: str, make: Callable[[], Any], requires_grad: bool) -> None:
    torch = require_torch()
    data = make()
    ours = adcli.tensor(data, dtype=adcli.float64, requires_grad=requires_grad)
    theirs = torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)
    assert repr(ours) == repr(theirs)


def test_huge_repr_is_summarized() -> None:
    text = repr(adcli.zeros(3000, 3000))
    assert "..." in text and len(text) < 2000
