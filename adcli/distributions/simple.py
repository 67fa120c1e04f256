"""Normal, Bernoulli, Categorical, Uniform and MultivariateNormal, computed as
torch.distributions computes them (the same formulas, so the same graphs and gradients, and the
same generator calls, so the same samples)."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from ..engine import ops as T
from ..engine.creation import eye
from ..engine.dtypes import get_default_dtype
from ..engine.grad_mode import enable_grad, no_grad
from ..engine.ops.linalg_api import cholesky, solve_triangular
from ..engine.rng import ops as R
from ..engine.tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily


def _broadcast_all(*values: Any) -> list[Tensor]:
    """torch.distributions.utils.broadcast_all: numbers become tensors of the tensors' dtype
    (or the default dtype), then everything is broadcast."""
    if not all(isinstance(v, Tensor | Number) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    ref = next((v for v in values if isinstance(v, Tensor)), None)
    dt = ref._data.dtype if ref is not None else get_default_dtype().np
    ts = [v if isinstance(v, Tensor) else Tensor._make(np.asarray(v, dtype=dt), None, 0, None)
          for v in values]
    return list(_broadcast_tensors(*ts)) if len(ts) > 1 else ts


def _broadcast_tensors(*ts: Tensor) -> list[Tensor]:
    """As torch.broadcast_tensors: expanded views, the tensor itself where no expansion."""
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in ts))
    return [t if tuple(t.shape) == shape else t.expand(*shape) for t in ts]


def _standard_normal(shape: tuple[int, ...], like: Tensor) -> Tensor:
    with no_grad():
        out = Tensor._make(np.empty(shape, dtype=like._data.dtype), None, 0, None)
        return R.normal_(out)


def _clamp_probs(probs: Tensor) -> Tensor:
    eps = float(np.finfo(probs._data.dtype).eps)
    return T.clamp(probs, min=eps, max=1 - eps)


def _probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    ps = _clamp_probs(probs)
    if is_binary:
        return T.log(ps) - T.log1p(-ps)
    return T.log(ps)


def _logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    if is_binary:
        return T.sigmoid(logits)
    return T.softmax(logits, -1)


class _Lazy:
    """torch's lazy_property: computed on first access, then stored on the instance."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        with enable_grad():  # as torch's: computed once, so recorded even under no_grad
            value = self.fn(obj)
        obj.__dict__[self.name] = value
        return value


class _AtLoc:
    """Normal's and MultivariateNormal's mean and mode: both are ``loc``."""

    loc: Tensor

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc


class _ProbsOrLogits:
    """Bernoulli's and Categorical's parameters: one of ``probs`` and ``logits`` is given,
    the other is computed from it on first use (torch's lazy_property), over the last dim or,
    for a ``_binary`` distribution, elementwise."""

    _binary = False

    @staticmethod
    def _one_of(probs: Any, logits: Any) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")

    @_Lazy
    def logits(self) -> Tensor:
        return _probs_to_logits(self.probs, is_binary=self._binary)

    @_Lazy
    def probs(self) -> Tensor:
        return _logits_to_probs(self.logits, is_binary=self._binary)


# ----------------------------------------------------------------------------------------------
class Normal(_AtLoc, ExponentialFamily):
    """``torch.distributions.Normal(loc, scale)``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = _broadcast_all(loc, scale)
        batch = () if isinstance(loc, Number) and isinstance(scale, Number) else self.loc.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Normal:
        new = self._expand_params(Normal, batch_shape, _instance, ("loc", "scale"))
        return self._finish_expand(new, batch_shape)

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return R.normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, self.loc)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        log_scale = (math.log(self.scale) if isinstance(self.scale, Number)
                     else self.scale.log())
        return (-((value - self.loc) ** 2) / (2 * var) - log_scale
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + T.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        from ..engine.ops.special_fns import erfinv

        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + T.log(self.scale)

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return -0.25 * x.pow(2) / y + 0.5 * T.log(-math.pi / y)


# ----------------------------------------------------------------------------------------------
class Bernoulli(_ProbsOrLogits, ExponentialFamily):
    """``torch.distributions.Bernoulli(probs=None, logits=None)``."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    _binary = True
    _mean_carrier_measure = 0

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._one_of(probs, logits)
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = _broadcast_all(probs)
            param = self.probs
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = _broadcast_all(logits)
            param = self.logits
        batch = () if is_scalar else param.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        new = self._expand_params(Bernoulli, batch_shape, _instance, ("probs", "logits"))
        return self._finish_expand(new, batch_shape)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        mode[self.probs == 0.5] = math.nan
        return mode

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            # contiguous: torch fills empty_like(expanded probs), a dense tensor, in order
            return R.bernoulli(self.probs.expand(shape).contiguous())

    def log_prob(self, value: Tensor) -> Tensor:
        from ..engine.ops.losses import binary_cross_entropy_with_logits

        if self._validate_args:
            self._validate_sample(value)
        logits, value = _broadcast_tensors(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        from ..engine.ops.losses import binary_cross_entropy_with_logits

        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (T.logit(self.probs),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return T.log1p(T.exp(x))


# ----------------------------------------------------------------------------------------------
class Categorical(_ProbsOrLogits, Distribution):
    """``torch.distributions.Categorical(probs=None, logits=None)``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._one_of(probs, logits)
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = self._expand_params(Categorical, batch_shape, _instance, ("probs", "logits"),
                                  param_shape=(self._num_events,), keep_param=True)
        new._num_events = self._num_events
        return self._finish_expand(new, batch_shape)

    @property
    def support(self) -> Any:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Any:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        from ..engine.creation import full_like

        return full_like(self.probs[..., 0], math.nan)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return self.probs[..., 0] * math.nan

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(sample_shape)
        n = int(np.prod(shape)) if shape else 1
        probs_2d = self.probs.reshape(-1, self._num_events)
        with no_grad():
            samples_2d = R.multinomial(probs_2d, n, True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = _broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        min_real = float(np.finfo(self.logits._data.dtype).min)
        logits = T.clamp(self.logits, min=min_real)
        p_log_p = logits * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        from ..engine.ranges import arange

        values = arange(self._num_events, dtype=None)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1, *self._batch_shape))
        return values


# ----------------------------------------------------------------------------------------------
class Uniform(Distribution):
    """``torch.distributions.Uniform(low, high)``: [low, high)."""

    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = _broadcast_all(low, high)
        batch = () if isinstance(low, Number) and isinstance(high, Number) else self.low.shape
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        new = self._expand_params(Uniform, batch_shape, _instance, ("low", "high"))
        return self._finish_expand(new, batch_shape)

    @property
    def arg_constraints(self) -> dict[str, Any]:  # type: ignore[override]
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @property
    def support(self) -> Any:
        return constraints.interval(self.low, self.high)

    def __repr__(self) -> str:
        parts = []
        for p in ("low", "high"):
            v = self.__dict__[p]
            parts.append(f"{p}: {v if v.numel() == 1 else v.size()}")
        return f"Uniform({', '.join(parts)})"

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        return self.high * math.nan

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            rand = R.rand(*shape, dtype=self.low.dtype) if shape else R.rand(
                (), dtype=self.low.dtype)
        return self.low + rand * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        lb = self.low.le(value).type_as(self.low)
        ub = self.high.gt(value).type_as(self.low)
        return T.log(lb.mul(ub)) - T.log(self.high - self.low)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        result = (value - self.low) / (self.high - self.low)
        return result.clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        return T.log(self.high - self.low)


# ----------------------------------------------------------------------------------------------
class MultivariateNormal(_AtLoc, Distribution):
    """``torch.distributions.MultivariateNormal(loc, covariance_matrix | precision_matrix |
    scale_tril)``."""

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        m = given[0]
        if m.dim() < 2:
            name = ("covariance_matrix" if covariance_matrix is not None else
                    "precision_matrix" if precision_matrix is not None else "scale_tril")
            raise ValueError(f"{name} matrix must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        batch = np.broadcast_shapes(tuple(m.shape[:-2]), tuple(loc.shape[:-1]))
        if scale_tril is not None:
            self.scale_tril = scale_tril.expand(*batch, -1, -1)
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand(*batch, -1, -1)
        else:
            self.precision_matrix = precision_matrix.expand(*batch, -1, -1)
        self.loc = loc.expand(*batch, -1)
        super().__init__(batch, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        loc_shape = Size((*batch_shape, *self._event_shape))
        cov_shape = Size((*loc_shape, *self._event_shape))
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        return self._finish_expand(new, batch_shape)

    @_Lazy
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(
            *self._batch_shape, *self._event_shape, *self._event_shape)

    @_Lazy
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return T.matmul(L, L.mT).expand(*self._batch_shape, *self._event_shape,
                                        *self._event_shape)

    @_Lazy
    def precision_matrix(self) -> Tensor:
        from ..engine.ops.linalg_api import cholesky_inverse

        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(
            *self._batch_shape, *self._event_shape, *self._event_shape)

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            *self._batch_shape, *self._event_shape)

    def _half_log_det(self) -> Tensor:
        """log det(L): half the log-determinant of the covariance."""
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, self.loc)
        return self.loc + T.matmul(self._unbroadcasted_scale_tril,
                                   eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self) -> Tensor:
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return H if len(self._batch_shape) == 0 else H.expand(*self._batch_shape)


def _batch_mahalanobis(L: Tensor, x: Tensor) -> Tensor:
    """x^T (L L^T)^-1 x over the last dim, by one triangular solve (broadcast over batches)."""
    n = x.shape[-1]
    shape = np.broadcast_shapes(tuple(L.shape[:-2]), tuple(x.shape[:-1]))
    Lb = L.expand(*shape, n, n)
    xb = x.expand(*shape, n).unsqueeze(-1)
    sol = solve_triangular(Lb, xb, upper=False).squeeze(-1)
    return sol.pow(2).sum(-1)


def _precision_to_scale_tril(P: Tensor) -> Tensor:
    Lf = cholesky(T.flip(P, (-2, -1)))
    L_inv = T.transpose(T.flip(Lf, (-2, -1)), -2, -1)
    Id = eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(L_inv, Id, upper=False)
