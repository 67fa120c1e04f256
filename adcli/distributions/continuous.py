"""Exponential, Laplace and Cauchy, computed as torch.distributions computes them (the same
formulas, so the same graphs and gradients, and the same in-place fills of a fresh tensor, so
the same samples)."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from ..engine import ops as T
from ..engine.creation import full, zeros_like
from ..engine.rng import ops as R
from ..engine.tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .simple import _broadcast_all


def _new(like: Tensor, shape: Any) -> Tensor:
    """``like.new(shape)``: an uninitialised tensor of ``like``'s dtype (to fill in place)."""
    return Tensor._make(np.empty(tuple(shape), dtype=like._data.dtype), None, 0, None)


def _finfo(t: Tensor) -> Any:
    return np.finfo(t._data.dtype)


def _batch(*params: Any) -> Any:
    """torch's batch shape: () when every parameter is a number, else the broadcast shape."""
    if all(isinstance(p, Number) for p in params):
        return Size(())
    return None


def _expanded(self: Any, cls: type, batch_shape: Any, names: tuple[str, ...],
              _instance: Any) -> Any:
    """torch's ``expand`` of a distribution with elementwise parameters: a new instance (of
    ``self``'s class) with each named parameter expanded to ``batch_shape``, not re-validated."""
    return self._finish_expand(self._expand_params(cls, batch_shape, _instance, names),
                               batch_shape)


# ----------------------------------------------------------------------------------------------
class Exponential(ExponentialFamily):
    """``torch.distributions.Exponential(rate)``."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = _broadcast_all(rate)
        batch = _batch(rate)
        super().__init__(self.rate.shape if batch is None else batch,
                         validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Exponential:
        return _expanded(self, Exponential, batch_shape, ("rate",), _instance)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return R.exponential_(_new(self.rate, shape)) / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - T.exp(-self.rate * value)

    def icdf(self, value: Tensor) -> Tensor:
        return -T.log1p(-value) / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - T.log(self.rate)

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return -T.log(-x)


# ----------------------------------------------------------------------------------------------
class Laplace(Distribution):
    """``torch.distributions.Laplace(loc, scale)``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = _broadcast_all(loc, scale)
        batch = _batch(loc, scale)
        super().__init__(self.loc.shape if batch is None else batch,
                         validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2 ** 0.5) * self.scale

    def expand(self, batch_shape: Any, _instance: Any = None) -> Laplace:
        return _expanded(self, Laplace, batch_shape, ("loc", "scale"), _instance)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = float(_finfo(self.loc).eps)
        u = R.uniform_(_new(self.loc, shape), eps - 1, 1)
        return self.loc - self.scale * u.sign() * T.log1p(-u.abs())

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -T.log(2 * self.scale) - T.abs(value - self.loc) / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * T.expm1(
            -(value - self.loc).abs() / self.scale)

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * T.log1p(-2 * term.abs())

    def entropy(self) -> Tensor:
        return 1 + T.log(2 * self.scale)


# ----------------------------------------------------------------------------------------------
class Cauchy(Distribution):
    """``torch.distributions.Cauchy(loc, scale)``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = _broadcast_all(loc, scale)
        batch = _batch(loc, scale)
        super().__init__(self.loc.shape if batch is None else batch,
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Cauchy:
        return _expanded(self, Cauchy, batch_shape, ("loc", "scale"), _instance)

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = R.cauchy_(_new(self.loc, shape))
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (-math.log(math.pi) - self.scale.log()
                - (((value - self.loc) / self.scale) ** 2).log1p())

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return T.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return T.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


