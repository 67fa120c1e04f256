"""Run one program on adcli and on torch and compare what came out: values, dtypes, shapes,
grad_fn names, the gradients of the inputs, or the error (builtin class and message)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np


def builtins(exc: BaseException) -> tuple[str, ...]:
    """The builtin exception classes an error is an instance of (adcli's errors are
    RuntimeErrors and, where torch raises another class, that class too)."""
    return tuple(k.__name__ for k in type(exc).__mro__ if k.__module__ == "builtins")


def leaf(lib: Any, a: Any) -> Any:
    """float arrays: float64 leaves requiring grad; ("f32", array): float32 leaves; integer and
    bool arrays: constants of their dtype."""
    if isinstance(a, tuple):
        return lib.tensor(a[1], dtype=lib.float32, requires_grad=True)
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return lib.tensor(a, dtype=lib.float64, requires_grad=True)
    return lib.tensor(a)


def run(lib: Any, fn: Any, arrays: list[Any]) -> tuple[Any, Any]:
    xs = [leaf(lib, a) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(lib, *xs)
        except Exception as exc:
            return ("error", builtins(exc), str(exc)), None
    outs = out if isinstance(out, tuple | list) else (out,)
    desc = [(str(o.dtype), tuple(o.shape), np.asarray(o.tolist()),
             None if o.grad_fn is None else o.grad_fn.name()) for o in outs]
    diff = [o for o in outs if o.requires_grad]
    grads = None
    if diff:
        total = sum((o * (i + 1.5)).sum() for i, o in enumerate(diff))
        total.backward()
        grads = [None if not x.requires_grad or x.grad is None else np.asarray(x.grad.tolist())
                 for x in xs]
    return desc, grads


def same(a: Any, t: Any, names: bool = True, rtol: float = 1e-12, atol: float = 1e-13) -> None:
    if (a[0] and a[0][0] == "error") or (t[0] and t[0][0] == "error"):
        assert a[0][0] == t[0][0] == "error", (a, t)
        assert a[0][2] == t[0][2]  # the message
        assert t[0][1][0] in a[0][1], (a[0][1], t[0][1])  # an instance of torch's class
        return
    assert len(a[0]) == len(t[0])
    for (dt, shape, val, fn), (dt2, shape2, val2, fn2) in zip(a[0], t[0], strict=True):
        assert (dt, shape) == (dt2, shape2)
        assert val.dtype == val2.dtype
        np.testing.assert_allclose(val, val2, rtol=rtol, atol=atol, equal_nan=True)
        assert fn == fn2 or not names
    assert (a[1] is None) == (t[1] is None)
    for g, g2 in zip(a[1] or [], t[1] or [], strict=True):
        assert (g is None) == (g2 is None)
        if g is not None:
            np.testing.assert_allclose(g, g2, rtol=rtol, atol=atol, equal_nan=True)
