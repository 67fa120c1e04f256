"""The constraints of torch.distributions (``check`` and torch's reprs) that the supported
distributions use."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.tensor import Tensor


def _fmt(x: Any) -> str:
    """A bound or value as torch's f-strings print it (a 0-d tensor prints as its number)."""
    if isinstance(x, Tensor):
        return format(x)
    return str(x)


def _arr(v: Any) -> np.ndarray:
    return v._data if isinstance(v, Tensor) else np.asarray(v)


def _bool(arr: Any) -> Tensor:
    return Tensor._make(np.asarray(arr, dtype=np.bool_), None, 0, None)


class Constraint:
    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def check(self, value: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


class _Real(Constraint):
    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(a == a)  # not nan


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((a == 0) | (a == 1))


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(self.lower_bound) < _arr(value))

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={_fmt(self.lower_bound)})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(value) < _arr(self.upper_bound))

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={_fmt(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((_arr(self.lower_bound) <= a) & (a <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"Interval(lower_bound={_fmt(self.lower_bound)}, "
                f"upper_bound={_fmt(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((_arr(self.lower_bound) <= a) & (a < _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"HalfOpenInterval(lower_bound={_fmt(self.lower_bound)}, "
                f"upper_bound={_fmt(self.upper_bound)})")


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: int, upper_bound: int) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((a % 1 == 0) & (self.lower_bound <= a) & (a <= self.upper_bound))

    def __repr__(self) -> str:
        return (f"IntegerInterval(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(np.all(a >= 0, axis=-1) & (np.abs(a.sum(-1) - 1) < 1e-6))


class _IndependentReal(Constraint):
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(np.all(a == a, axis=-1))

    def __repr__(self) -> str:
        return "IndependentConstraint(Real(), 1)"


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        sym = np.all(np.isclose(a, np.swapaxes(a, -1, -2), atol=1e-6), axis=(-2, -1))
        with np.errstate(invalid="ignore"):
            try:
                w = np.linalg.eigvalsh(a)
                pd = np.all(w > 0, axis=-1)
            except np.linalg.LinAlgError:
                pd = np.zeros(a.shape[:-2], dtype=bool)
        return _bool(sym & pd)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        lower = np.all(np.tril(a) == a, axis=(-2, -1))
        diag = np.all(np.diagonal(a, axis1=-2, axis2=-1) > 0, axis=-1)
        return _bool(lower & diag)


dependent = _Dependent()
real = _Real()
real_vector = _IndependentReal()
boolean = _Boolean()
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
positive_definite = _PositiveDefinite()
lower_cholesky = _LowerCholesky()
greater_than = _GreaterThan
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval

_Real.__name__ = "Real"
_Boolean.__name__ = "Boolean"
_Simplex.__name__ = "Simplex"
_PositiveDefinite.__name__ = "PositiveDefinite"
_LowerCholesky.__name__ = "LowerCholesky"


def is_dependent(constraint: Any) -> bool:
    return isinstance(constraint, _Dependent)
