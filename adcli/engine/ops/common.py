"""Shared by the op families: broadcasting and type promotion, the unary-op table
helper, argument helpers (dims, shapes, operands) and the in-place wrappers.
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, ShapeMismatchError, broadcast_mismatch
from ..grad_mode import is_grad_enabled
from ..layout import iter_result
from ..limits import check_shape, get_max_elements
from ..op import OpDef, defop, pass_grad
from ..settings import _WARN_ALWAYS, is_warn_always_enabled
from ..tensor import Tensor, _wrap_dim

# ==============================================================================================
# for the table: forwards and formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# broadcasting and type promotion (forwards), reductions (formulas)
# ----------------------------------------------------------------------------------------------
def broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Broadcast two shapes with PyTorch's error message, checking the element limit."""
    if a == b:
        return a
    return _broadcast_cached(a, b, get_max_elements())


@functools.lru_cache(maxsize=4096)
def _broadcast_cached(a: tuple[int, ...], b: tuple[int, ...], limit: int) -> tuple[int, ...]:
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(pa, pb):
        if x != y and x != 1 and y != 1:
            # (torch names the first clash from the right)
            raise ShapeMismatchError(broadcast_mismatch(a, b))
        out.append(y if x == 1 else x)
    shape = tuple(out)
    check_shape(shape)
    return shape


def _bin(fn: Any, raw: Any = None) -> Any:
    """The forward of a binary op over ``fn``, with torch's broadcast check and promotion.
    Its ``raw`` (``fn``, or the ufunc ``fn`` amounts to) is what OpDef.call2 calls directly
    for operands of one shape and dtype, a bias, or a Python number, where the checks change
    nothing (call2 then makes a NumPy scalar an array, as here)."""

    def forward(a: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
        # b may be a plain number (a constant operand): it broadcasts to anything.
        if type(b) is np.ndarray and a.shape != b.shape and b.ndim:
            broadcast_shapes(a.shape, b.shape)
        out = fn(a, b, **kw) if kw else fn(a, b)
        if type(out) is not np.ndarray:  # a 0-d array with a number gives a NumPy scalar
            out = np.asarray(out)
        elif type(b) is np.ndarray and out.ndim > 1:  # torch's layout, not NumPy's
            out = iter_result(out, a, b)
        if type(b) is np.ndarray and a.dtype is not b.dtype and a.dtype != b.dtype:
            want = result_dtype(a, b)
            if want.kind == "c" and out.dtype != want:
                # torch computes in the result's complex type (a complex128 0-d operand is
                # rounded to complex64 first), NumPy in the wider one: one rounding differs
                out = fn(a.astype(want, copy=False), b.astype(want, copy=False), **kw)
                return np.asarray(out)
            # (an integer division's float result stays float; uint8 with an int64 0-d
            # operand is uint8, as NumPy's int64 is not)
            if out.dtype != want and (out.dtype.kind == want.kind or want.kind == "f" or (
                    out.dtype.kind in "iu" and want.kind in "iu")):
                out = out.astype(want, copy=False)
        return out

    forward.__name__ = fn.__name__
    forward.raw = fn if raw is None else raw  # type: ignore[attr-defined]
    return forward


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's type promotion for two tensors (NumPy's differs: int64 * float32 is float64).

    A higher category (bool < int < float < complex) wins (a 0-d complex with a dimensioned
    float: that float's complex type); within a category, a tensor with dimensions wins over
    a 0-d one, and two of the same kind promote.
    """
    ca, cb = _CATEGORY.get(a.dtype.kind, 2), _CATEGORY.get(b.dtype.kind, 2)
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.dtype.kind == "c" and lo.dtype.kind == "f":
            if lo.ndim and not hi.ndim:
                # torch's combine_categories: a 0-d complex keeps the dimensioned float's
                # precision (float64 with a 0-d complex64 is complex128)
                return np.promote_types(lo.dtype, np.complex64)
            if bool(lo.ndim) == bool(hi.ndim):  # one tier: promote_types (complex128 here)
                return np.promote_types(lo.dtype, hi.dtype)
        return hi.dtype
    if a.ndim and not b.ndim:
        return a.dtype
    if b.ndim and not a.ndim:
        return b.dtype
    return np.promote_types(a.dtype, b.dtype)


_CAST_WARNED = [False]


def cast(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``a`` converted to ``dt`` as torch's copy does: complex to real keeps the real part and
    warns once per process (torch's TORCH_WARN_ONCE; every time under set_warn_always)."""
    if a.dtype.kind == "c" and dt.kind != "c":
        if not _CAST_WARNED[0] or is_warn_always_enabled():
            _CAST_WARNED[0] = True
            warnings.warn("Casting complex values to real discards the imaginary part",
                          UserWarning, stacklevel=3)
        return a != 0 if dt.kind == "b" else a.real.astype(dt)  # (bool: either part nonzero)
    return a.astype(dt)


def _keep_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``dims`` has with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    if isinstance(dims, int):
        dims = (dims,)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _unreduce(g: Any, s: Any, B: Any) -> Any:
    """Bring a reduction's gradient back to the input's rank (re-insert reduced dims)."""
    dims = getattr(s, "dim", None)
    if not getattr(s, "keepdim", False):
        if B.tensors and dims is not None and len(s.in_shape):
            # PyTorch's unsqueeze_multiple: one unsqueeze per reduced dim, in increasing order
            for d in sorted((dims,) if isinstance(dims, int) else dims):
                g = B.unsqueeze(g, d)
            return g
        g = B.reshape(g, _keep_shape(s.in_shape, dims))
    return g


_pass_grad = pass_grad  # (the engine's identity formula: backward passes grad on uncalled)


def is_c(x: Any) -> bool:
    """Whether ``x`` (an array or a Tensor, as formulas see them) is complex."""
    return (x._data if type(x) is Tensor else x).dtype.kind == "c"


def cj(x: Any) -> Any:
    """``x`` conjugated when complex (array, Tensor, Python or NumPy number), else ``x``
    itself. The formulas of complex-audited ops take torch's convention, the conjugate
    Wirtinger derivative: a holomorphic f gives grad * conj(f'(z)); a real input costs one
    dtype check."""
    t = type(x)
    if t is np.ndarray:
        return np.conj(x) if x.dtype.kind == "c" else x
    if t is complex:
        return x.conjugate()
    if t is Tensor:
        return x.conj() if x._data.dtype.kind == "c" else x
    if isinstance(x, np.complexfloating):
        return np.conj(x)
    return x


# ----------------------------------------------------------------------------------------------
# the table entry of a one-input elementwise op, and the identity formula
# ----------------------------------------------------------------------------------------------
def _unary(name: str, backward_name: str, fn: Any, save: tuple[str, ...], quiet: bool = True,
           **kw: Any) -> OpDef:
    """An elementwise float op; ``quiet`` silences NumPy's domain warnings (log(-1) is nan)."""

    def forward(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind not in "fc":
            from ..dtypes import get_default_dtype

            a = a.astype(get_default_dtype().np)
        if not quiet:
            return fn(a)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(a)

    forward.__name__ = name
    return defop(name, backward_name, forward, save=save, **kw)


# ==============================================================================================
# for the public functions: arguments
# ==============================================================================================


_py_sum = builtins.sum
_py_max = builtins.max
_py_min = builtins.min


# ----------------------------------------------------------------------------------------------
# argument helpers
# ----------------------------------------------------------------------------------------------
def _scalar_dtype(value: Any, like: np.dtype) -> np.dtype:
    if isinstance(value, complex) and like.kind != "c":
        # torch: a float tensor's complex type, else the default complex dtype
        return np.promote_types(like, np.complex64) if like.kind == "f" else \
            dtypes.default_complex().np
    if like.kind in "fc":
        return like
    if isinstance(value, float):
        return dtypes.get_default_dtype().np
    if isinstance(value, bool) and like.kind == "b":
        return like
    return np.dtype(np.int64)


# What torch warns with TORCH_WARN_ONCE (deprecated forms): once per process, by key
_WARNED: set[str] = set()


_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def warn_once(key: str, message: str) -> None:
    """``warnings.warn(message)`` the first time ``key`` is seen, at the first frame outside
    adcli (torch's C++ warnings point at the Python line that called in)."""
    if key not in _WARNED or _WARN_ALWAYS[0]:
        _WARNED.add(key)
        frame, level = sys._getframe(1), 2  # (level 1: this function)
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
            frame, level = frame.f_back, level + 1
        warnings.warn(message, UserWarning, stacklevel=level)


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; a Python number takes the dtype PyTorch would give it next to ``like``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool | int | float | np.number) and like is not None:
        return Tensor._make(np.asarray(x, dtype=_scalar_dtype(x, like._data.dtype)), None, 0, None)
    if isinstance(x, np.ndarray):
        return Tensor._make(x, None, 0, None)
    from ..creation import as_array

    return Tensor._make(as_array(x), None, 0, None)


def max_keep(a: np.ndarray, dim: Any) -> np.ndarray:
    """``max`` over ``dim`` (kept): -inf over an empty dim, where torch's softmax family
    gives empty results and logsumexp gives -inf."""
    if a.size == 0:
        return np.max(a, axis=dim, keepdims=True, initial=-np.inf)
    return np.maximum.reduce(a, axis=dim, keepdims=True)  # (np.max's wrapper: ~as slow)


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(dim, list | tuple):
        out = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            raise InvalidArgumentError(f"dim {out} appears multiple times in the list of dims")
        return tuple(sorted(out)) if ndim else ()
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else ()  # a 0-d tensor accepts dim 0 / -1 and reduces nothing


# ----------------------------------------------------------------------------------------------
# operands of binary ops
# ----------------------------------------------------------------------------------------------
def _operands(input: Any, other: Any) -> tuple[Tensor, Any]:
    """The tensor operand, and the other as a Tensor or, on the fast path, a plain number.

    A number next to a floating tensor stays a number (NumPy keeps the tensor's dtype, as
    PyTorch does); otherwise it becomes a tensor of the dtype PyTorch would give it.
    """
    if not isinstance(input, Tensor):
        input = as_tensor(input, other if isinstance(other, Tensor) else None)
    if isinstance(other, Tensor):
        return input, other
    if type(other) in (float, int) and input._data.dtype.kind == "f":
        return input, other
    return input, as_tensor(other, input)


# ----------------------------------------------------------------------------------------------
# shapes and dims
# ----------------------------------------------------------------------------------------------
def _shape_arg(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _int_list(x: Any) -> list[int]:
    return [int(x)] if isinstance(x, int | np.integer) else [int(v) for v in x]


def _dim_list(dims: Sequence[Any], nd: int) -> tuple[int, ...]:
    out = tuple(_wrap_dim(d, nd) for d in _shape_arg(dims))
    for d in out:
        if out.count(d) > 1:
            raise InvalidArgumentError(f"dim {d} appears multiple times in the list of dims")
    return out


def _scan_dim(input: Tensor, dim: int) -> int:
    return _wrap_dim(dim, input._data.ndim)


# ----------------------------------------------------------------------------------------------
# in-place forms of table ops
# ----------------------------------------------------------------------------------------------
def _inplace_unary(op: Any) -> Any:
    def method(self: Tensor) -> Tensor:
        return op.inplace(self)

    method.__name__ = op.name + "_"
    return method


def _inplace_binary(op: Any, self: Tensor, other: Any, **attrs: Any) -> Tensor:
    return op.inplace(self, as_tensor(other, self), **attrs)


def _is_number(x: Any) -> bool:
    return isinstance(x, bool | int | float | np.number)


def check_no_requires_grad(t: Any, arg: str, fn: str) -> None:
    """torch's refusal of a tensor requiring grad (with grad mode on) where its kernel has no
    derivative for that argument (a loss's weight or target)."""
    if isinstance(t, Tensor) and t._requires_grad and is_grad_enabled():
        raise InvalidArgumentError(
            f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
            "This input cannot have requires_grad True.")
