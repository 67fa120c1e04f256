"""Random tensors and in-place random fills, drawing torch's numbers.

``rand``/``randn``/``randint``/``randperm``/``normal``/``bernoulli``/``multinomial`` and the
``Tensor.normal_``/``uniform_``/``bernoulli_``/``random_``/``exponential_``/... methods, each
calling the kernel torch calls (``distributions.py``) on the generator torch would use. In-place
fills visit elements in memory order, as torch's TensorIterator does, so a transposed tensor gets
the same values at the same places as in torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..creation import _finish, _float_dtype, _shape
from ..errors import InvalidArgumentError
from ..layout import contiguous_format, parse_format
from ..layout import empty_like as _empty_like
from ..layout import memory_order as _memory_order
from ..op import OpDef
from ..tensor import Tensor
from . import distributions as dist
from .generator import Generator, get_generator

__all__ = [
    "rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm", "normal",
    "bernoulli", "multinomial", "poisson",
]


# -- ops for the in-place fills (their grad_fn names are torch's) -------------------------------
def _values(a: np.ndarray, values: np.ndarray) -> np.ndarray:
    return values


def _zero_grad(g: Any, s: Any, B: Any) -> Any:
    "0"
    return g * 0


# Kept out of the derivative table (table.OPS): their gradient is zero by definition,
# there is nothing to gradcheck, and ``adcli ops`` lists them with the random functions.
def _fill_op(name: str, backward: str, complex_ok: bool = False) -> Any:
    op = OpDef(name, backward, _values, torch=f"Tensor.{name}", complex_ok=complex_ok)
    op.grad("self")(_zero_grad)
    return op


_OPS = {
    "normal_": _fill_op("normal_", "NormalBackward0", complex_ok=True),
    "uniform_": _fill_op("uniform_", "UniformBackward0", complex_ok=True),
    "bernoulli_p": _fill_op("bernoulli_", "BernoulliBackward2"),
    "bernoulli_t": _fill_op("bernoulli_tensor_", "BernoulliBackward1"),
    "random_from_to": _fill_op("random_", "RandomBackward0"),
    "random_to": _fill_op("random_to_", "RandomBackward1"),
    "random_": _fill_op("random_default_", "RandomBackward2"),
    "exponential_": _fill_op("exponential_", "ExponentialBackward0"),
    "geometric_": _fill_op("geometric_", "GeometricBackward0"),
    "cauchy_": _fill_op("cauchy_", "CauchyBackward0"),
    "log_normal_": _fill_op("log_normal_", "LogNormalBackward0"),
}


def _sampled(inputs: tuple[str, ...], name: str, backward: str) -> Any:
    """An out-of-place sampler whose tensor inputs get zero gradients (torch.normal(mean, std))."""

    def forward(*arrays: Any, values: np.ndarray) -> np.ndarray:
        return values

    op = OpDef(name, backward, forward, inputs=inputs, torch=f"torch.{name.split('_')[0]}")
    for i in inputs:
        op.grad(i)(_zero_grad)
    return op


_normal_tf = _sampled(("mean",), "normal_tensor_float", "NormalBackward1")
_normal_ft = _sampled(("std",), "normal_float_tensor", "NormalBackward2")
_normal_tt = _sampled(("mean", "std"), "normal_tensor_tensor", "NormalBackward3")
_bernoulli_t = _sampled(("self",), "bernoulli", "BernoulliBackward0")
_poisson = _sampled(("self",), "poisson", "PoissonBackward0")


# -- helpers -------------------------------------------------------------------------------
def _place(flat: np.ndarray, like: np.ndarray, dt: Any = None) -> np.ndarray:
    """An array shaped like ``like`` holding ``flat`` in ``like``'s memory order."""
    out = np.empty(like.shape, dtype=dt or flat.dtype)
    if like.flags.c_contiguous:
        out.reshape(-1)[:] = flat
        return out
    perm = _memory_order(like.shape, like.strides)
    view = out.transpose(perm)
    view[...] = flat.reshape(view.shape)
    return out


def _in_memory_order(arr: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``arr`` (broadcast to ``like``'s shape) flattened in ``like``'s memory order."""
    arr = np.broadcast_to(arr, like.shape)
    if like.flags.c_contiguous:
        return arr.reshape(-1)
    return arr.transpose(_memory_order(like.shape, like.strides)).reshape(-1)


def _float_kind(t: Tensor, kernel: str) -> np.dtype:
    dt = t._data.dtype
    if dt.kind != "f":
        raise InvalidArgumentError(
            f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(dt)}'")
    return dt


def _fill(t: Tensor, key: str, flat: np.ndarray) -> Tensor:
    values = _place(flat.astype(t._data.dtype, copy=False), t._data)
    return _OPS[key].inplace(t, values=values)


def _pairs(flat: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Interleaved (real, imaginary) draws as the complex numbers of dtype ``dt``."""
    return np.ascontiguousarray(flat.astype(dt.char.lower(), copy=False)).view(dt)


def _number(x: Any) -> float:
    return float(x.item()) if isinstance(x, Tensor) else float(x)


# -- in-place fills (Tensor methods) -------------------------------------------------------
def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std**2) samples, as ``torch.Tensor.normal_``."""
    mean, std = _number(mean), _number(std)
    if std < 0:
        raise InvalidArgumentError(f"normal expects std >= 0.0, but found std {std:g}")
    arr = self._data
    if arr.dtype.kind == "c":
        # torch fills view_as_real(self): real and imaginary parts interleaved, each of
        # standard deviation std / sqrt(2)
        gen = get_generator(generator)
        flat = dist.normal(gen, 2 * arr.size, arr.real.dtype, mean, std / math.sqrt(2),
                           contiguous=arr.flags.c_contiguous)
        return _fill(self, "normal_", _pairs(flat, arr.dtype))
    dt = _float_kind(self, "normal_kernel_cpu")
    gen = get_generator(generator)
    flat = dist.normal(gen, arr.size, dt, mean, std, contiguous=arr.flags.c_contiguous)
    return _fill(self, "normal_", flat)


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: Generator | None = None, **kw: Any) -> Tensor:
    """Fill with U(from, to) samples, as ``torch.Tensor.uniform_``."""
    from_ = _number(kw.pop("from", from_))
    to = _number(to)
    if kw:
        raise InvalidArgumentError(
            f"uniform_() got an unexpected keyword argument {next(iter(kw))!r}")
    arr = self._data
    complex_ = arr.dtype.kind == "c"
    dt = arr.real.dtype if complex_ else _float_kind(self, "check_uniform_bounds")
    if from_ > to:
        raise InvalidArgumentError(
            f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}")
    gen = get_generator(generator)
    if complex_:  # torch fills view_as_real(self): each part uniform on [from, to)
        return _fill(self, "uniform_", _pairs(dist.uniform(gen, 2 * arr.size, dt, from_, to),
                                              arr.dtype))
    return _fill(self, "uniform_", dist.uniform(gen, arr.size, dt, from_, to))


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill with 0/1 samples of probability ``p`` (a number or a tensor broadcast to self)."""
    gen = get_generator(generator)
    arr = self._data
    if isinstance(p, Tensor):
        probs = p._data
        if probs.dtype.kind != "f":
            raise InvalidArgumentError(
                f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                f"'{dtypes.scalar_type_name(probs.dtype)}'")
        flat = dist.bernoulli_tensor(gen, np.ascontiguousarray(_in_memory_order(probs, arr)))
        return _fill(self, "bernoulli_t", flat)
    p = _number(p)
    if not 0 <= p <= 1:
        raise InvalidArgumentError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    return _fill(self, "bernoulli_p", dist.bernoulli_scalar(gen, arr.size, p))


_INT_BOUNDS = {np.dtype(np.bool_): (0, 1)}


def _int_bounds(dt: np.dtype) -> tuple[int, int]:
    if dt in _INT_BOUNDS:
        return _INT_BOUNDS[dt]
    if dt.kind == "f":
        digits = 24 if dt == np.float32 else 53
        return -(1 << digits), 1 << digits
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def random_(self: Tensor, *args: Any, generator: Generator | None = None,
            **kw: Any) -> Tensor:
    """``random_()``, ``random_(to)``, ``random_(from, to)``: integers drawn as torch draws."""
    if "from" in kw:
        args = (kw.pop("from"), *args)
    if "to" in kw:
        args = (*args, kw.pop("to")) if args else (0, kw.pop("to"))
    if kw or len(args) > 2:
        raise InvalidArgumentError("random_() takes random_(), random_(to) or random_(from, to)")
    gen = get_generator(generator)
    arr = self._data
    dt = arr.dtype
    n = arr.size
    if not args:
        return _fill(self, "random_", dist.random_default(gen, n, dt))
    if len(args) == 1:
        key, frm, to = "random_to", 0, args[0]
    else:
        key, (frm, to) = "random_from_to", args
    frm = int(frm)
    if to is None:
        if dt.kind == "f":
            to_inc = 1 << (24 if dt == np.float32 else 53)
            frm = dist.update_from(dt, frm)
        else:
            to_inc = _int_bounds(dt)[1]
        if frm == -(1 << 63) and dt in (np.int64, np.float32, np.float64):
            return _fill(self, key, dist.random_full(gen, n, dt))
        _check_range(frm, to_inc, dt)
        return _fill(self, key, dist.random_from_to(gen, n, dt, frm, to_inc - frm + 1))
    to = int(to)
    if frm >= to:
        raise InvalidArgumentError(
            f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}")
    if dt.kind == "f":
        frm, to = dist.update_from(dt, frm), dist.update_to(dt, to)
    _check_range(frm, to - 1, dt)
    return _fill(self, key, dist.random_from_to(gen, n, dt, frm, to - frm))


def _check_range(frm: int, to_inc: int, dt: np.dtype) -> None:
    if dt.kind == "f":
        info = np.finfo(dt)
        lo, hi = float(info.min), float(info.max)
    else:
        lo, hi = _int_bounds(dt)
    name = f"torch.{dtypes.from_numpy(dt).name}"
    if not lo <= frm <= hi:
        raise InvalidArgumentError(f"from is out of bounds for {name}")
    if not lo <= to_inc <= hi:
        raise InvalidArgumentError(f"to - 1 is out of bounds for {name}")


def exponential_(self: Tensor, lambd: float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
    """Fill with Exp(lambd) samples, as ``torch.Tensor.exponential_``."""
    lambd = _number(lambd)
    _float_kind(self, "exponential_cpu")
    if not lambd > 0:
        raise InvalidArgumentError(
            f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    gen = get_generator(generator)
    return _fill(self, "exponential_", dist.exponential(gen, self._data.size, lambd))


def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with Geometric(p) samples (trials until the first success)."""
    p = _number(p)
    if not 0 < p < 1:
        raise InvalidArgumentError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    gen = get_generator(generator)
    return _fill(self, "geometric_", dist.geometric(gen, self._data.size, p))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Fill with Cauchy(median, sigma) samples."""
    _float_kind(self, "cauchy_cpu")
    gen = get_generator(generator)
    flat = dist.cauchy(gen, self._data.size, _number(median), _number(sigma))
    return _fill(self, "cauchy_", flat)


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Generator | None = None) -> Tensor:
    """Fill with samples whose log is N(mean, std**2)."""
    mean, std = _number(mean), _number(std)
    _float_kind(self, "log_normal_cpu")
    if not std > 0:
        raise InvalidArgumentError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    gen = get_generator(generator)
    return _fill(self, "log_normal_", dist.log_normal(gen, self._data.size, mean, std))


# -- factories -----------------------------------------------------------------------------
def _size(size: tuple[Any, ...], kw_size: Any) -> tuple[int, ...]:
    if kw_size is not None:
        if size:
            raise InvalidArgumentError("size given both positionally and as size=")
        size = (kw_size,)
    return _shape(size)


def _new(shape: tuple[int, ...], dt: np.dtype) -> Tensor:
    return Tensor._make(np.empty(shape, dtype=dt), None, 0, None)


def _done(t: Tensor, requires_grad: bool) -> Tensor:
    return _finish(t._data, requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False, device: Any = None, **kw: Any) -> Tensor:
    """Uniform samples on [0, 1): torch's numbers for the same seed."""
    t = _new(_size(size, kw.pop("size", None)), _float_dtype(dtype))
    return _done(uniform_(t, generator=generator), requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False, device: Any = None, **kw: Any) -> Tensor:
    """Standard normal samples: torch's numbers for the same seed."""
    t = _new(_size(size, kw.pop("size", None)), _float_dtype(dtype))
    return _done(normal_(t, generator=generator), requires_grad)


def _like(input: Tensor, dtype: Any, contiguous: bool = False, memory_format: Any = None,
          fn: str = "empty_like") -> Tensor:
    """``torch.empty_like(input, memory_format=...)``: by default (preserve_format) a dense
    input's strides are kept, other layouts (expanded, sliced) get torch's inferred dense
    strides; so a fill follows torch's memory order. ``contiguous``:
    ``LEGACY_CONTIGUOUS_MEMORY_FORMAT`` (what torch.bernoulli asks for)."""
    dt = dtypes.to_dtype(dtype).np if dtype is not None else None
    fmt = contiguous_format if contiguous else parse_format(memory_format, fn)
    return Tensor._make(_empty_like(input._data, dt, fmt), None, 0, None)


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
              requires_grad: bool = False, device: Any = None,
              memory_format: Any = None) -> Tensor:
    out = _like(input, dtype, memory_format=memory_format, fn="rand_like")
    return _done(uniform_(out, generator=generator), requires_grad)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
               requires_grad: bool = False, device: Any = None,
               memory_format: Any = None) -> Tensor:
    out = _like(input, dtype, memory_format=memory_format, fn="randn_like")
    return _done(normal_(out, generator=generator), requires_grad)


def _randint_args(args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[int, int, Any]:
    low, high, size = kw.pop("low", None), kw.pop("high", None), kw.pop("size", None)
    args = list(args)
    if size is None and args:
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise InvalidArgumentError(
            "randint() takes randint(high, size) or randint(low, high, size)")
    if high is None or size is None:
        raise InvalidArgumentError("randint() needs high and size")
    return int(0 if low is None else low), int(high), size


def randint(*args: Any, generator: Generator | None = None, dtype: Any = None,
            requires_grad: bool = False, device: Any = None, **kw: Any) -> Tensor:
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    low, high, size = _randint_args(args, kw)
    if kw:
        raise InvalidArgumentError(
            f"randint() got an unexpected keyword argument {next(iter(kw))!r}")
    dt = dtypes.to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    t = _new(_shape((size,)), dt)
    return _done(random_(t, low, high, generator=generator), requires_grad)


def randint_like(input: Tensor, *args: Any, generator: Generator | None = None,
                 dtype: Any = None, requires_grad: bool = False, device: Any = None,
                 memory_format: Any = None, **kw: Any) -> Tensor:
    """Integers in [low, high) shaped like ``input``: ``randint_like(x, [low,] high)``."""
    low, high = kw.pop("low", 0), kw.pop("high", None)
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        high = args[0]
    if high is None:
        raise InvalidArgumentError("randint_like() needs high")
    out = _like(input, dtype, memory_format=memory_format, fn="randint_like")
    return _done(random_(out, int(low), int(high), generator=generator), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """A random permutation of 0..n-1, torch's for the same seed."""
    n = int(n)
    shape = _shape((n,))
    dt = dtypes.to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    if dt.kind == "f" and n > 1 << (24 if dt == np.float32 else 53):
        raise InvalidArgumentError(
            f"n cannot be greater than 2^{24 if dt == np.float32 else 53}+1 for "
            f"{dtypes.from_numpy(dt)}.")
    perm = dist.randperm(get_generator(generator), n)
    return _finish(perm.astype(dt).reshape(shape), requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """``normal(mean, std)`` with tensors or numbers (then ``size`` is required), as torch."""
    gen = get_generator(generator)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts:
        if size is None:
            raise InvalidArgumentError(
                "normal() received an invalid combination of arguments: with a float mean and "
                "std, a size is required")
        t = _new(_shape((size,)), _float_dtype(dtype))
        return _done(normal_(t, float(mean), float(std), generator=gen), requires_grad)
    if ts and (std._data < 0).any():
        raise InvalidArgumentError("normal expects all elements of std >= 0.0")
    if tm and not ts:
        std = _number(std)
        if std < 0:
            raise InvalidArgumentError(f"normal expects std >= 0.0, but found std {std:g}")
        out = _new(mean._data.shape, mean._data.dtype)
        normal_(out, 0.0, std, generator=gen)
        values = (out._data + mean._data).astype(out._data.dtype)
        return _normal_tf(mean, values=values)
    if ts and not tm:
        out = _new(std._data.shape, std._data.dtype)
        normal_(out, generator=gen)
        dt = out._data.dtype
        values = ((out._data * std._data).astype(dt) + np.asarray(mean, dt)).astype(dt)
        return _normal_ft(std, values=values)
    shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
    out = _new(shape, mean._data.dtype)
    normal_(out, generator=gen)
    dt = out._data.dtype
    values = ((out._data * std._data).astype(dt) + mean._data).astype(dt)
    return _normal_tt(mean, std, values=values)


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None) -> Tensor:
    """0/1 samples with the probabilities in ``input`` (or the number ``p``), as torch."""
    # torch: at::empty_like(self, LEGACY_CONTIGUOUS_MEMORY_FORMAT): the draws go in row-major
    # order whatever p's layout (transposed, expanded), each with p at its place
    out = _like(input, None, contiguous=True)
    if p is not None:
        return bernoulli_(out, p, generator=generator)
    bernoulli_(out, input, generator=generator)
    return _bernoulli_t(input, values=out._data)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Poisson counts with the rates in ``input``, torch's numbers for the same seed: drawn
    element by element in row-major order (torch fills a contiguous result)."""
    rates = input._data
    if rates.dtype.kind != "f":
        raise InvalidArgumentError(
            f"\"poisson_cpu\" not implemented for '{dtypes.scalar_type_name(rates.dtype)}'")
    flat = np.ascontiguousarray(rates, dtype=np.float64).reshape(-1)
    if not (flat >= 0).all():  # NaN too, as torch's check
        raise InvalidArgumentError("invalid Poisson rate, expected rate to be non-negative")
    values = dist.poisson(get_generator(generator), flat).astype(rates.dtype)
    return _poisson(input, values=values.reshape(rates.shape))


_SUM_ERROR = "invalid multinomial distribution (sum of probabilities <= 0)"


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """Category indices drawn from the rows of ``input``, torch's for the same seed."""
    probs = input._data
    n = int(num_samples)
    if probs.ndim not in (1, 2):
        raise InvalidArgumentError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise InvalidArgumentError(
            f"multinomial only supports floating-point dtypes for input, got: "
            f"{dtypes.scalar_type_name(probs.dtype)}")
    if n <= 0:
        raise InvalidArgumentError("cannot sample n_sample <= 0 samples")
    k = probs.shape[-1]
    if not replacement and n > k:
        raise InvalidArgumentError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if k > 1 << 24:
        raise InvalidArgumentError("number of categories cannot exceed 2^24")
    rows = probs.reshape(-1, k)
    if not replacement or n == 1:
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise InvalidArgumentError(
                "probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise InvalidArgumentError(_SUM_ERROR)
    else:
        if (rows < 0).any():
            raise InvalidArgumentError(
                "invalid multinomial distribution (encountering probability entry < 0)")
        if not np.isfinite(rows).all():
            raise InvalidArgumentError(
                "invalid multinomial distribution (encountering probability entry = infinity "
                "or NaN)")
        if (rows.sum(axis=1) <= 0).any():
            raise InvalidArgumentError(_SUM_ERROR)
    # without replacement torch draws q = empty_like(self).exponential_(1): in the memory
    # order of the probabilities' own layout (a transposed matrix: column by column)
    order = _memory_order(probs.shape, probs.strides) if probs.ndim == 2 else None
    out = dist.multinomial(get_generator(generator), np.ascontiguousarray(rows), n, replacement,
                           order=order)
    return _finish(out.reshape((*probs.shape[:-1], n)), False)


_SELU_ALPHA = 1.7580993408473766  # torch's alpha for alpha dropout (-selu_scale * selu_alpha)


def dropout_noise(input: np.ndarray, p: float, feature: bool = False, alpha: bool = False,
                  generator: Generator | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's CPU dropout noise (Dropout.cpp's _dropout_impl) and, for alpha dropout, the
    shift ``b``: ``noise = bernoulli_(1 - p)`` on ``empty_like(input)`` (or on (N, C, 1, ...) for
    feature dropout), then ``noise / (1 - p)``, or for alpha dropout ``b = (noise - 1) * alpha
    * a + alpha * a * p`` and ``noise * a``, each step rounded in the input's dtype."""
    dt = input.dtype
    if feature:
        shape = input.shape[:2] + (1,) * (input.ndim - 2)
        like = np.empty(shape, dtype=dt)
    else:
        like = input
    keep = dist.bernoulli_scalar(get_generator(generator), like.size, 1 - p)
    noise = _place(keep.astype(dt), like)
    if not alpha:
        return noise / np.asarray(1 - p, dtype=dt), None
    a = 1.0 / np.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    b = (noise - dt.type(1)) * dt.type(_SELU_ALPHA * a) + dt.type(_SELU_ALPHA * a * p)
    return noise * dt.type(a), b


def _bernoulli_method(self: Tensor, p: Any = None, *,
                      generator: Generator | None = None) -> Tensor:
    return bernoulli(self, p, generator=generator)


METHODS: dict[str, Any] = {
    "normal_": normal_, "uniform_": uniform_, "bernoulli_": bernoulli_, "random_": random_,
    "exponential_": exponential_, "geometric_": geometric_, "cauchy_": cauchy_,
    "log_normal_": log_normal_, "bernoulli": _bernoulli_method, "multinomial": multinomial,
}
