"""``torch.distributions.constraints``: every constraint torch 2.13 has, with its ``check``
(a bool tensor over the batch), ``event_dim``, ``is_discrete`` and repr.

Checks never record a graph (they read the values), so they work on the arrays directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.tensor import Tensor

__all__ = [
    "Constraint", "boolean", "cat", "corr_cholesky", "dependent", "dependent_property",
    "greater_than", "greater_than_eq", "independent", "integer_interval", "interval",
    "half_open_interval", "is_dependent", "less_than", "lower_cholesky", "lower_triangular",
    "MixtureSameFamilyConstraint", "multinomial", "nonnegative", "nonnegative_integer",
    "one_hot", "positive", "positive_semidefinite", "positive_definite", "positive_integer",
    "real", "real_vector", "simplex", "square", "stack", "symmetric", "unit_interval",
]


def _fmt(x: Any) -> str:
    """A bound as torch's f-strings print it (a tensor prints as ``tensor(...)``)."""
    return format(x) if isinstance(x, Tensor) else str(x)


def _arr(v: Any) -> np.ndarray:
    return v._data if isinstance(v, Tensor) else np.asarray(v)


def _bool(arr: Any) -> Tensor:
    return Tensor._make(np.asarray(arr, dtype=np.bool_), None, 0, None)


def _dim(value: Any) -> int:
    return int(np.ndim(_arr(value)))


class Constraint:
    """The base of the constraints: ``check(value)`` says, per batch element, whether
    ``value`` satisfies it."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """A placeholder for a constraint that depends on other values (``dependent``); calling
    it makes one with a known ``is_discrete``/``event_dim``."""

    def __init__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> None:
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> _Dependent:
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, x: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a dependent one (whose validity cannot be checked)."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property that, read on the class, is a dependent constraint (torch's
    ``constraints.dependent_property``: ``support`` of a distribution with parameters)."""

    def __init__(self, fn: Callable[..., Any] | None = None, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> None:
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn: Callable[..., Any]) -> _DependentProperty:  # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """``reinterpreted_batch_ndims`` more rightmost dims of a base constraint are one event."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        if not isinstance(base_constraint, Constraint):
            raise AssertionError(f"base_constraint must be a Constraint, got "
                                 f"{type(base_constraint).__name__}")
        if not isinstance(reinterpreted_batch_ndims, int):
            raise AssertionError(f"reinterpreted_batch_ndims must be an int, got "
                                 f"{type(reinterpreted_batch_ndims).__name__}")
        if reinterpreted_batch_ndims < 0:
            raise AssertionError(f"reinterpreted_batch_ndims must be >= 0, got "
                                 f"{reinterpreted_batch_ndims}")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Any) -> Tensor:
        result = _arr(self.base_constraint.check(value))
        n = self.reinterpreted_batch_ndims
        if result.ndim < n:
            raise ValueError(f"Expected value.dim() >= {self.base_constraint.event_dim + n} "
                             f"but got {_dim(value)}")
        return _bool(result.reshape((*result.shape[:result.ndim - n], -1)).all(-1))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


class MixtureSameFamilyConstraint(Constraint):
    """The support of a MixtureSameFamily: the component's, checked against every component."""

    def __init__(self, base_constraint: Constraint) -> None:
        if not isinstance(base_constraint, Constraint):
            raise AssertionError(f"base_constraint must be a Constraint, got "
                                 f"{type(base_constraint).__name__}")
        self.base_constraint = base_constraint

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        result = _arr(self.base_constraint.check(_wrap(np.expand_dims(a, -1 - self.event_dim))))
        if a.ndim < self.event_dim:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {a.ndim}")
        keep = a.ndim - self.event_dim
        return _bool(result.reshape((*result.shape[:keep], -1)).all(-1))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_constraint!r})"


def _wrap(a: np.ndarray) -> Tensor:
    return Tensor._make(a, None, 0, None)


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((a == 0) | (a == 1))


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(((a == 0) | (a == 1)).all(-1) & (a.sum(-1) == 1))


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((np.mod(a, 1) == 0) & (_arr(self.lower_bound) <= a)
                     & (a <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={_fmt(self.lower_bound)}, "
                f"upper_bound={_fmt(self.upper_bound)})")


class _IntegerLessThan(Constraint):
    is_discrete = True

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((np.mod(a, 1) == 0) & (a <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(upper_bound={_fmt(self.upper_bound)})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((np.mod(a, 1) == 0) & (a >= _arr(self.lower_bound)))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={_fmt(self.lower_bound)})"


class _Real(Constraint):
    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(a == a)  # False for NaNs


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(self.lower_bound) < _arr(value))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={_fmt(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value: Any) -> Tensor:
        return _bool(_arr(self.lower_bound) <= _arr(value))


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        return _bool(_arr(value) < _arr(self.upper_bound))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(upper_bound={_fmt(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((_arr(self.lower_bound) <= a) & (a <= _arr(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={_fmt(self.lower_bound)}, "
                f"upper_bound={_fmt(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool((_arr(self.lower_bound) <= a) & (a < _arr(self.upper_bound)))


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(np.all(a >= 0, axis=-1) & (np.abs(a.sum(-1) - 1) < 1e-6))


class _Multinomial(Constraint):
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, x: Any) -> Tensor:
        a = _arr(x)
        return _bool((a >= 0).all(-1) & (a.sum(-1) <= _arr(self.upper_bound)))


def _is_lower(a: np.ndarray) -> np.ndarray:
    return (np.tril(a) == a).reshape((*a.shape[:-2], -1)).min(-1)


class _LowerTriangular(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        return _bool(_is_lower(_arr(value)))


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        diag = (np.diagonal(a, axis1=-2, axis2=-1) > 0).min(-1)
        return _bool(_is_lower(a) & diag)


class _CorrCholesky(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        tol = float(np.finfo(a.dtype).eps) * a.shape[-1] * 10  # torch's fudge factor
        row_norm = np.sqrt((a * a).sum(-1))
        unit = (np.abs(row_norm - 1.0) <= tol).all(-1)
        return _bool(_arr(_LowerCholesky().check(value)) & unit)


class _Square(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        a = _arr(value)
        return _bool(np.full(a.shape[:-2], a.shape[-2] == a.shape[-1]))


class _Symmetric(_Square):
    def check(self, value: Any) -> Tensor:
        square = super().check(value)
        if not bool(np.all(square._data)):
            return square
        a = _arr(value)
        close = np.isclose(a, np.swapaxes(a, -1, -2), rtol=1e-5, atol=1e-6)
        return _bool(close.all(-2).all(-1))


class _PositiveSemidefinite(_Symmetric):
    def check(self, value: Any) -> Tensor:
        sym = super().check(value)
        if not bool(np.all(sym._data)):
            return sym
        return _bool((np.linalg.eigvalsh(_arr(value)) >= 0).all(-1))


class _PositiveDefinite(_Symmetric):
    def check(self, value: Any) -> Tensor:
        sym = super().check(value)
        if not bool(np.all(sym._data)):
            return sym
        a = _arr(value)
        flat = a.reshape((-1, *a.shape[-2:]))
        ok = np.empty(len(flat), dtype=bool)
        for i, m in enumerate(flat):  # cholesky_ex's info == 0, matrix by matrix
            try:
                np.linalg.cholesky(m)
                ok[i] = True
            except np.linalg.LinAlgError:
                ok[i] = False
        return _bool(ok.reshape(a.shape[:-2]))


def _check_dim(dim: int, value: Any) -> int:
    nd = _dim(value)
    if not (-nd <= dim < nd):
        raise AssertionError(f"dim {dim} out of range for value with {nd} dimensions")
    return dim % nd


class _Cat(Constraint):
    """Constraints applied to consecutive slices along ``dim`` (as torch.cat joins them)."""

    def __init__(self, cseq: Any, dim: int = 0, lengths: Any = None) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        if lengths is None:
            lengths = [1] * len(self.cseq)
        self.lengths = list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match cseq "
                                 f"({len(self.cseq)})")
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        d = _check_dim(self.dim, value)
        a = _arr(value)
        checks, start = [], 0
        for constr, length in zip(self.cseq, self.lengths):
            part = np.take(a, range(start, start + length), axis=d)
            checks.append(_arr(constr.check(_wrap(part))))
            start += length
        return _bool(np.concatenate(checks, axis=self.dim))


class _Stack(Constraint):
    """Constraints applied to the slices along ``dim`` (as torch.stack joins them)."""

    def __init__(self, cseq: Any, dim: int = 0) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        dim = max(c.event_dim for c in self.cseq)
        if self.dim + dim < 0:
            dim += 1
        return dim

    def check(self, value: Any) -> Tensor:
        d = _check_dim(self.dim, value)
        a = _arr(value)
        parts = [_arr(c.check(_wrap(np.take(a, i, axis=d))))
                 for i, c in zip(range(a.shape[d]), self.cseq)]
        return _bool(np.stack(parts, axis=self.dim))


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
stack = _Stack
