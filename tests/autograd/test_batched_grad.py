"""``autograd.grad(..., is_grads_batched=True)`` against torch: values, create_graph, unused
inputs, and the validation errors (class family and message)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402


def _x(T: Any) -> Any:
    return T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)


def _g(T: Any, *shape: int) -> Any:
    return T.arange(float(np.prod(shape)), dtype=T.float64).reshape(*shape) - 1


def _grad(T: Any, outs: Any, grads: Any, **kw: Any) -> Any:
    x = kw.pop("x", None)
    return T.autograd.grad(outs, x, grads, is_grads_batched=True, **kw)


def _one(T: Any, grads: Any, **kw: Any) -> Any:
    x = _x(T)
    return _grad(T, (x ** 2 * x.sin()), grads(T), x=x, **kw)


CASES = {
    "eye": lambda T: _one(T, lambda T: T.eye(3, dtype=T.float64)),
    "batch of 4": lambda T: _one(T, lambda T: _g(T, 4, 3)),
    "create_graph": lambda T: [g.requires_grad for g in _one(T, lambda T: _g(T, 2, 3),
                                                           create_graph=True)],
    "second order through batched": lambda T: (lambda x: T.autograd.grad(
        _grad(T, x ** 3, _g(T, 2, 3), x=x, create_graph=True)[0].sum(), x))(_x(T)),
    "scalar output, implicit grad": lambda T: (lambda x: _grad(
        T, [x ** 2, (x ** 3).sum()], [_g(T, 2, 3), None], x=x))(_x(T)),
    "two outputs": lambda T: (lambda x: _grad(T, [x ** 2, x.exp()], [_g(T, 2, 3), _g(T, 2, 3)],
                                              x=x))(_x(T)),
    "unused, allow_unused": lambda T: (lambda x, z: T.autograd.grad(
        x * 2, [x, z], _g(T, 2, 3), is_grads_batched=True, allow_unused=True))(
        _x(T), T.ones(2, requires_grad=True)),
    "unused, materialize": lambda T: (lambda x, z: T.autograd.grad(
        x * 2, [x, z], _g(T, 2, 3), is_grads_batched=True, allow_unused=True,
        materialize_grads=True))(_x(T), T.ones(2, requires_grad=True)),
    "unused refused": lambda T: (lambda x, z: T.autograd.grad(
        x * 2, [x, z], _g(T, 2, 3), is_grads_batched=True))(_x(T), T.ones(2, requires_grad=True)),
    "grad not batched": lambda T: _one(T, lambda T: _g(T, 3)),
    "wrong row shape": lambda T: _one(T, lambda T: _g(T, 2, 4)),
    "extra dimension": lambda T: _one(T, lambda T: _g(T, 2, 2, 3)),
    "0-d grad": lambda T: _one(T, lambda T: T.tensor(1.0, dtype=T.float64)),
    "empty batch": lambda T: _one(T, lambda T: T.ones(0, 3, dtype=T.float64)),
    "no grad_outputs": lambda T: _one(T, lambda T: None),
    "batch sizes differ": lambda T: (lambda x: _grad(T, [x ** 2, x.sum()],
                                                     [_g(T, 2, 3), _g(T, 3)], x=x))(_x(T)),
}


def _outcome(fn: Any, T: Any) -> Any:
    try:
        out = fn(T)
    except Exception as e:
        family = next(c.__name__ for c in (ValueError, IndexError, RuntimeError, TypeError)
                      if isinstance(e, c))
        return family, str(e)
    if isinstance(out, tuple | list):
        return [None if o is None else (o.tolist() if hasattr(o, "tolist") else o) for o in out]
    return out


@pytest.mark.parametrize("case", CASES)
def test_is_grads_batched_as_torch(case: str) -> None:
    assert _outcome(CASES[case], adcli) == _outcome(CASES[case], torch)
