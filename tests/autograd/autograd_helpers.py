"""Run one program on adcli and on torch and compare what comes out.

A program is ``prog(T)`` with ``T`` the module (``adcli`` or ``torch``); it returns any nesting
of tensors, numbers, strings, booleans and tuples/lists/dicts. An exception counts as a result:
its builtin class (RuntimeError, TypeError, ...) and message are compared. Tensors compare by
value, shape, dtype, ``requires_grad`` and ``grad_fn`` name.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

import adcli


class Raised:
    """An exception as a result: its builtin classes (what ``except X`` catches) and message.

    Equal to torch's when torch's nearest builtin class is among adcli's and the messages
    are the same."""

    def __init__(self, exc: BaseException) -> None:
        self.classes = [c.__name__ for c in type(exc).__mro__
                        if getattr(builtins, c.__name__, None) is c
                        and c not in (Exception, BaseException, object)]
        self.message = str(exc)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Raised) and self.message == other.message
                and (other.classes[0] in self.classes or self.classes[0] in other.classes))

    def __repr__(self) -> str:
        return f"raised {self.classes[0]}: {self.message!r}"


def builtin_class(exc: BaseException) -> str:
    """The nearest builtin exception class (what ``except RuntimeError`` would see)."""
    return Raised(exc).classes[0]


def outcome(prog: Callable[[Any], Any], T: Any) -> Any:
    try:
        return prog(T)
    except Exception as exc:  # the error is part of the result
        return Raised(exc)


def describe(x: Any) -> Any:
    """A comparable picture of a result (tensors become dicts of their facts)."""
    if (type(x).__module__.startswith("torch") and hasattr(x, "detach")) or isinstance(
            x, adcli.Tensor):
        arr = np.asarray(x.detach().numpy() if not isinstance(x, adcli.Tensor) else x.numpy())
        fn = x.grad_fn
        return {"tensor": arr, "dtype": str(x.dtype), "shape": list(x.shape),
                "requires_grad": bool(x.requires_grad),
                "grad_fn": None if fn is None else fn.name()}
    if isinstance(x, tuple | list):
        return [describe(y) for y in x]
    if isinstance(x, dict):
        return {k: describe(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        return {"tensor": x}
    if type(x).__name__ == "dtype" and type(x).__module__.split(".")[0] in ("torch", "adcli"):
        return repr(x)
    return x


def assert_same(a: Any, t: Any, path: str = "result", rtol: float = 1e-6,
                atol: float = 1e-7, grad_fn: bool = True) -> None:
    """``a`` (adcli's picture) equals ``t`` (torch's), with a path in the failure message."""
    if isinstance(t, dict) and "tensor" in t:
        assert isinstance(a, dict) and "tensor" in a, f"{path}: adcli {a!r}, torch a tensor"
        ta, tt = np.asarray(a["tensor"]), np.asarray(t["tensor"])
        assert ta.shape == tt.shape, f"{path}: shape {ta.shape} vs torch {tt.shape}"
        tol = dict(rtol=max(rtol, 1e-5), atol=max(atol, 1e-6)) if tt.dtype == np.float32 \
            else dict(rtol=rtol, atol=atol)
        if tt.dtype.kind == "f":
            np.testing.assert_allclose(ta, tt, equal_nan=True, err_msg=path, **tol)
        else:
            np.testing.assert_array_equal(ta, tt, err_msg=path)
        for k in ("dtype", "requires_grad", "grad_fn"):
            if k in t and (grad_fn or k != "grad_fn"):
                assert a.get(k) == t[k], f"{path}.{k}: adcli {a.get(k)!r}, torch {t[k]!r}"
        return
    if isinstance(t, list):
        assert isinstance(a, list) and len(a) == len(t), f"{path}: adcli {a!r}, torch {t!r}"
        for i, (x, y) in enumerate(zip(a, t)):
            assert_same(x, y, f"{path}[{i}]", rtol, atol, grad_fn)
        return
    if isinstance(t, dict):
        assert isinstance(a, dict) and a.keys() == t.keys(), f"{path}: {a!r} vs torch {t!r}"
        for k in t:
            assert_same(a[k], t[k], f"{path}.{k}", rtol, atol, grad_fn)
        return
    if isinstance(t, float) and not isinstance(t, bool):
        assert isinstance(a, int | float) and np.isclose(a, t, rtol=rtol, atol=atol,
                                                         equal_nan=True), f"{path}: {a} vs {t}"
        return
    assert a == t, f"{path}: adcli {a!r}, torch {t!r}"


def compare(prog: Callable[[Any], Any], torch: Any, **tol: Any) -> Any:
    """Run ``prog`` on both and assert the same results; returns torch's picture."""
    t = describe(outcome(prog, torch))
    a = describe(outcome(prog, adcli))
    assert_same(a, t, **tol)
    return t
