"""The counting distributions: Poisson, Binomial, Multinomial, NegativeBinomial and Geometric,
computed as torch.distributions computes them; samples through the same samplers
(``poisson``, ``binomial``, ``multinomial``, ``uniform_``) so the same numbers."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from ..engine import ops as T
from ..engine.creation import ones_like, tensor, zeros_like
from ..engine.grad_mode import no_grad
from ..engine.ranges import arange
from ..engine.rng import ops as R
from ..engine.rng import samplers as S
from ..engine.tensor import Size, Tensor
from . import constraints
from .continuous import _expanded, _new
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .simple import Categorical, _broadcast_all, _Lazy, _ProbsOrLogits


def _clamp_by_zero(x: Tensor) -> Tensor:
    """torch's ``_clamp_by_zero``: max(x, 0) with a gradient of 1/2 at 0."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _count_and_param(self: Any, total_count: Any, probs: Any, logits: Any) -> None:
    """Binomial's and NegativeBinomial's parameters: the count broadcast with, and cast to the
    dtype of, the one of probs/logits given."""
    self._one_of(probs, logits)
    if probs is not None:
        self.total_count, self.probs = _broadcast_all(total_count, probs)
        self.total_count = self.total_count.type_as(self.probs)
        self._param = self.probs
    else:
        self.total_count, self.logits = _broadcast_all(total_count, logits)
        self.total_count = self.total_count.type_as(self.logits)
        self._param = self.logits


def _expand_count_param(self: Any, cls: type, batch_shape: Any, _instance: Any) -> Any:
    new = self._expand_params(cls, batch_shape, _instance, ("total_count", "probs", "logits"),
                              keep_param=True)
    return self._finish_expand(new, batch_shape)


# ----------------------------------------------------------------------------------------------
class Poisson(ExponentialFamily):
    """``torch.distributions.Poisson(rate)``."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = _broadcast_all(rate)
        super().__init__(() if isinstance(rate, Number) else self.rate.shape,
                         validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def expand(self, batch_shape: Any, _instance: Any = None) -> Poisson:
        return _expanded(self, Poisson, batch_shape, ("rate",), _instance)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return R.poisson(self.rate.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = _broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (T.log(self.rate),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return T.exp(x)


# ----------------------------------------------------------------------------------------------
class Binomial(_ProbsOrLogits, Distribution):
    """``torch.distributions.Binomial(total_count=1, probs=None, logits=None)``."""

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True
    _binary = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _count_and_param(self, total_count, probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        return _expand_count_param(self, Binomial, batch_shape, _instance)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return S.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = T.lgamma(self.total_count + 1)
        log_factorial_k = T.lgamma(value + 1)
        log_factorial_nmk = T.lgamma(self.total_count - value + 1)
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * T.log1p(T.exp(-T.abs(self.logits)))
                          - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def _homogeneous_count(self, what: str) -> int:
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total_count

    def entropy(self) -> Tensor:
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(T.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        total_count = self._homogeneous_count("enumerate_support")
        values = arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1, *self._batch_shape))
        return values


# ----------------------------------------------------------------------------------------------
class NegativeBinomial(_ProbsOrLogits, Distribution):
    """``torch.distributions.NegativeBinomial(total_count, probs=None, logits=None)``: the
    successes before ``total_count`` failures."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer
    _binary = True

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _count_and_param(self, total_count, probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        return _expand_count_param(self, NegativeBinomial, batch_shape, _instance)

    @property
    def mean(self) -> Tensor:
        return self.total_count * T.exp(self.logits)

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / T.sigmoid(-self.logits)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @_Lazy
    def _gamma(self) -> Gamma:
        return Gamma(concentration=self.total_count, rate=T.exp(-self.logits),
                     validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return R.poisson(rate)

    def log_prob(self, value: Tensor) -> Tensor:
        from ..engine.ops.activations import logsigmoid

        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized_prob = (self.total_count * logsigmoid(-self.logits)
                                 + value * logsigmoid(self.logits))
        log_normalization = (-T.lgamma(self.total_count + value) + T.lgamma(1.0 + value)
                             + T.lgamma(self.total_count))
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization


# ----------------------------------------------------------------------------------------------
class Geometric(_ProbsOrLogits, Distribution):
    """``torch.distributions.Geometric(probs=None, logits=None)``: failures before the first
    success, on {0, 1, ...}."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer
    _binary = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._one_of(probs, logits)
        if probs is not None:
            (self.probs,) = _broadcast_all(probs)
        else:
            (self.logits,) = _broadcast_all(logits)
        given = probs if probs is not None else logits
        super().__init__(() if isinstance(given, Number) else given.shape,
                         validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not valid.all():
                raise ValueError(
                    f"Expected parameter probs ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to be positive but found "
                    f"invalid values:\n{value.detach()[~valid]}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        names = tuple(n for n in ("probs", "logits") if n in self.__dict__)
        return _expanded(self, Geometric, batch_shape, names, _instance)

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        tiny = float(np.finfo(self.probs._data.dtype).tiny)
        with no_grad():
            u = R.uniform_(_new(self.probs, shape), tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = _broadcast_all(value, self.probs)
        probs = probs.clone()
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        from ..engine.ops.losses import binary_cross_entropy_with_logits

        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs


# ----------------------------------------------------------------------------------------------
class Multinomial(Distribution):
    """``torch.distributions.Multinomial(total_count=1, probs=None, logits=None)``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    total_count: int

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        new = self._get_checked_instance(Multinomial, _instance)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        return self._finish_expand(new, batch_shape)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Any:
        return constraints.multinomial(self.total_count)

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        sample_shape = tuple(sample_shape)
        samples = self._categorical.sample((self.total_count, *sample_shape))
        shifted = list(range(samples.dim()))
        shifted.append(shifted.pop(0))
        samples = samples.permute(*shifted)
        counts = Tensor._make(np.zeros(self._extended_shape(sample_shape),
                                       dtype=samples._data.dtype), None, 0, None)
        counts.scatter_add_(-1, samples, ones_like(samples))
        return counts.type_as(self.probs)

    def entropy(self) -> Tensor:
        n = tensor(self.total_count)
        cat_entropy = self._categorical.entropy()
        term1 = n * cat_entropy - T.lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = T.exp(self._binomial.log_prob(support))
        weights = T.lgamma(support + 1)
        term2 = (binomial_probs * weights).sum([0, -1])
        return term1 + term2

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = _broadcast_all(self.logits, value)
        logits = logits.clone()
        log_factorial_n = T.lgamma(value.sum(-1) + 1)
        log_factorial_xs = T.lgamma(value + 1).sum(-1)
        logits[(value == 0) & (logits == -math.inf)] = 0
        log_powers = (logits * value).sum(-1)
        return log_factorial_n - log_factorial_xs + log_powers
