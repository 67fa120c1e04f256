"""The ``out=`` keyword and the ``device=`` check of the torch-level namespace.

``torch.sin(x, out=y)`` writes the result into ``y`` (resized if its shape differs, as
PyTorch does, with its warning when ``y`` was not empty) and returns ``y``. Functions with
``out=`` are not differentiable: when grad mode is on and an argument requires grad,
PyTorch's error is raised. ``OUT_OPS`` are the functions that take ``out=`` in PyTorch.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes
from .device import check
from .errors import AdcliError
from .grad_mode import _enabled, no_grad
from .hooks import version_hook
from .tensor import Tensor

OUT_OPS = frozenset({
    "abs", "absolute", "acos", "add", "addcdiv", "addcmul", "addmm", "all", "amax", "amin",
    "any", "arange", "arccos", "arcsin", "arctan", "arctan2", "argmax", "argmin", "asin",
    "atan", "atan2", "bmm", "cat", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "concat",
    "concatenate", "cos", "cosh", "cross", "cumprod", "cumsum", "diff", "div", "divide", "dot",
    "empty", "eq", "erf", "exp", "exp2", "expm1", "eye", "fix", "floor", "floor_divide",
    "fmod", "frac", "full", "gather", "ge", "ger", "gt", "hypot", "index_add", "index_copy",
    "index_select", "kron", "le", "lerp", "linspace", "log", "log10", "log1p", "log2",
    "log_softmax", "logaddexp", "logical_and", "logical_not", "logical_or", "logspace",
    "logsumexp", "lt", "masked_select", "matmul", "max", "maximum", "mean", "min", "minimum",
    "mm", "mul", "multiply", "mv", "ne", "neg", "negative", "norm", "ones", "outer", "pow",
    "prod", "rand", "randint", "randn", "reciprocal", "remainder", "round", "rsqrt", "scatter",
    "scatter_add", "scatter_reduce", "slice_scatter", "sgn", "sigmoid", "sign", "sin", "sinh",
    "softmax", "sort", "sqrt",
    "square", "stack", "std", "sub", "subtract", "sum", "take", "tan", "tanh", "topk", "tril",
    "triu", "true_divide", "trunc", "var", "where", "xlogy", "zeros",
})
# the products of ops/blas.py, the reductions of ops/statistics.py, diag (ops/arrange.py),
# the elementwise ops of ops/pointwise_misc.py
OUT_OPS |= frozenset({
    "addbmm", "addmv", "addr", "baddbmm", "nansum", "nanmean", "diag", "fmax", "fmin",
    "copysign", "float_power", "heaviside", "deg2rad", "rad2deg", "nan_to_num", "signbit",
    "ldexp", "logaddexp2", "vdot",
})
# histc (ops/statistics.py); the integer and bit ops of ops/bitwise.py
OUT_OPS |= frozenset({"histc", "gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor",
                      "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "logical_xor",
                      "frexp", "nextafter"})


# PyTorch names the op, not the alias, in its out= error.
_ALIAS = {"multiply": "mul", "divide": "div", "true_divide": "div", "subtract": "sub",
          "negative": "neg", "absolute": "abs", "clip": "clamp", "concat": "cat",
          "concatenate": "cat", "arccos": "acos", "arcsin": "asin", "arctan": "atan",
          "arctan2": "atan2", "fix": "trunc", "ger": "mul", "nanmean": "nansum",
          "float_power": "pow"}
# out= variants PyTorch lets through with inputs that require grad.
_NO_GRAD_CHECK = frozenset({"softmax", "log_softmax"})


def _requires_grad(args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> bool:
    def any_rg(x: Any) -> bool:
        if isinstance(x, Tensor):
            return x.requires_grad
        if isinstance(x, list | tuple):
            return any(any_rg(y) for y in x)
        return False

    return any_rg(args) or any_rg(tuple(kwargs.values())) or any_rg(out)


def _write(dest: Any, value: Any) -> None:
    if not isinstance(dest, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(dest).__name__}")
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    have = dest._data
    if have.dtype != arr.dtype and not np.can_cast(arr.dtype, have.dtype, "same_kind"):
        raise AdcliError(f"result type {dtypes.scalar_type_name(arr.dtype)} can't be cast to "
                         f"the desired output type {dtypes.scalar_type_name(have.dtype)}")
    if have.shape != arr.shape:
        if have.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(have.shape)}, which does not match the required output shape "
                f"{list(arr.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=4)
        dest._data = np.array(arr, dtype=have.dtype)
    elif have.flags.writeable:
        np.copyto(have, arr, casting="unsafe")
    else:
        dest._data = np.array(arr, dtype=have.dtype)
    dest._vc[0] += 1
    if version_hook[0] is not None:
        version_hook[0](dest._vc)


def _one_input(fn: Callable[..., Any]) -> bool:
    """True when ``fn``'s signature is exactly ``(input)``."""
    code = getattr(fn, "__code__", None)
    return (code is not None and code.co_argcount == 1 and not code.co_kwonlyargcount
            and not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
            and code.co_varnames[:1] == ("input",) and not fn.__defaults__)


def with_out(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with PyTorch's ``out=`` keyword."""
    if _one_input(fn):
        # (tanh, exp, ...: called once per op, so without packing ``*args, **kwargs``; the
        # same TypeErrors for wrong arguments, named after fn)
        @functools.wraps(fn)
        def op1(input: Any, *, out: Any = None) -> Any:
            if out is None:
                return fn(input)
            return _call_with_out(name, fn, (input,), {}, out)

        return op1

    @functools.wraps(fn)
    def op(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        return _call_with_out(name, fn, args, kwargs, out)

    return op


def _call_with_out(name: str, fn: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any], out: Any) -> Any:
    """``fn(*args, **kwargs)`` written into ``out``."""
    check_grad = _enabled[0] and name not in _NO_GRAD_CHECK and _requires_grad(
        args, kwargs, out)
    with no_grad():
        res = fn(*args, **kwargs)
    first = res[0] if isinstance(res, tuple) else res
    if check_grad and isinstance(first, Tensor) and first._data.dtype.kind in "fc":
        # Only differentiable (floating) results: comparisons and indices pass, as in PyTorch.
        raise AdcliError(f"{_ALIAS.get(name, name)}(): functions with out=... arguments "
                         "don't support automatic differentiation, but one of the arguments "
                         "requires grad.")
    if isinstance(res, tuple):
        if not isinstance(out, tuple | list):
            raise TypeError(f"{_ALIAS.get(name, name)}(): argument 'out' must be tuple of "
                            f"Tensors, not {type(out).__name__}")
        if len(out) != len(res):
            raise TypeError(f"expected tuple of {len(res)} elements but got {len(out)}")
        for d, r in zip(out, res):
            _write(d, r)
        if not hasattr(res, "_fields"):
            return tuple(out)
        return _out_type(type(res))(*out)
    _write(out, res)
    return out


_OUT_TYPES: dict[type, type] = {}


def _out_type(base: type) -> type:
    """torch's result type of an ``out=`` call: ``torch.return_types.frexp_out`` for frexp's
    ``torch.return_types.frexp`` (a subclass here: the same fields, printed with ``_out``)."""
    cls = _OUT_TYPES.get(base)
    if cls is not None:
        return cls
    if base.__module__ != "torch.return_types" and not hasattr(base, "kind"):
        return base
    name = getattr(base, "kind", None) or base.__name__  # max/min results share a class

    def __repr__(self: Any) -> str:  # noqa: N807 - the class's repr
        head, sep, rest = base.__repr__(self).partition("(")
        return f"{head}{'' if head.endswith('_out') else '_out'}{sep}{rest}"

    cls = type(f"{name}_out", (base,), {"__slots__": (), "__repr__": __repr__,
                                        "__module__": "torch.return_types"})
    cls.__qualname__ = cls.__name__
    _OUT_TYPES[base] = cls
    return cls


def with_device(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (a creation function) refusing devices other than the CPU, as a CPU build."""

    @functools.wraps(fn)
    def create(*args: Any, **kwargs: Any) -> Any:
        check(kwargs.get("device"))
        return fn(*args, **kwargs)

    return create
