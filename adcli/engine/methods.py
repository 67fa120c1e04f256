"""Tensor methods and operators, bound from the public ops (as PyTorch binds its C++ ops)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops, random_ops
from .tensor import Tensor


def _reflected(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    method.__name__ = f"__r{fn.__name__}__"
    return method


def _sum_to_size(self: Tensor, *size: Any) -> Tensor:
    shape = ops._shape_arg(size)
    if tuple(self.shape) == shape:
        return self
    lead = self._data.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and self._data.shape[i + lead] != 1
    )
    out = ops.sum(self, dims, keepdim=True) if dims else self
    return ops.reshape(out, shape) if tuple(out.shape) != shape else out


def _cast(name: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return ops.to(self, name)

    method.__name__ = name
    return method


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    return ops.to(self, other.dtype)


def _new_tensor(self: Tensor, data: Any, **kw: Any) -> Tensor:
    from .creation import tensor

    kw.setdefault("dtype", self.dtype)
    return tensor(data, **kw)


def _rpow(self: Tensor, base: Any) -> Tensor:
    return ops.pow(base, self)


def _rmatmul(self: Tensor, other: Any) -> Tensor:
    return ops.matmul(other, self)


def _iop(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return method


def _ipow(self: Tensor, other: Any) -> Tensor:
    return ops.pow_(self, other)


def _max(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return ops.max(self, dim, keepdim)


def _min(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return ops.min(self, dim, keepdim)


def _invert(self: Tensor) -> Tensor:
    if self._data.dtype.kind == "b":
        return Tensor._make(np.logical_not(self._data), None, 0, None)
    return Tensor._make(np.invert(self._data), None, 0, None)


def _and(self: Tensor, other: Any) -> Tensor:
    return ops._cmp(np.bitwise_and, self, other)


def _or(self: Tensor, other: Any) -> Tensor:
    return ops._cmp(np.bitwise_or, self, other)


def _xor(self: Tensor, other: Any) -> Tensor:
    return ops._cmp(np.bitwise_xor, self, other)


def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    return ops.where(condition, self, other)


def _softmax(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    from .functional import softmax

    return softmax(self, dim, dtype=dtype)


def _log_softmax(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    from .functional import log_softmax

    return log_softmax(self, dim, dtype=dtype)


def _contiguous(self: Tensor) -> Tensor:
    # As PyTorch: a no-op on contiguous memory, a recorded clone otherwise.
    return self if self._data.flags.c_contiguous else ops.clone(self)


def _pos(self: Tensor) -> Tensor:
    return self


# name -> function(self, ...): the public tensor methods (also the spec language's whitelist)
METHODS: dict[str, Any] = {
    # arithmetic
    "add": ops.add, "sub": ops.sub, "subtract": ops.sub, "mul": ops.mul, "multiply": ops.mul,
    "div": ops.div, "divide": ops.div, "true_divide": ops.div, "neg": ops.neg,
    "negative": ops.neg, "pow": ops.pow, "reciprocal": ops.reciprocal, "square": ops.square,
    "rsqrt": ops.rsqrt,
    # elementwise
    "exp": ops.exp, "log": ops.log, "log1p": ops.log1p, "sqrt": ops.sqrt, "abs": ops.abs,
    "absolute": ops.abs, "sign": ops.sign, "sin": ops.sin, "cos": ops.cos, "tan": ops.tan,
    "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "erf": ops.erf,
    "clamp": ops.clamp, "clip": ops.clamp, "clamp_min": ops.clamp_min,
    "clamp_max": ops.clamp_max, "maximum": ops.maximum, "minimum": ops.minimum,
    "clone": ops.clone, "where": _where_method, "contiguous": _contiguous,
    "softmax": _softmax, "log_softmax": _log_softmax,
    # comparisons
    "eq": ops.eq, "ne": ops.ne, "lt": ops.lt, "le": ops.le, "gt": ops.gt, "ge": ops.ge,
    "logical_and": ops.logical_and, "logical_or": ops.logical_or,
    "logical_not": ops.logical_not, "isnan": ops.isnan, "isfinite": ops.isfinite,
    "allclose": ops.allclose, "isclose": ops.isclose, "equal": ops.equal,
    "all": ops.all, "any": ops.any, "argmax": ops.argmax, "argmin": ops.argmin,
    # matrix products
    "matmul": ops.matmul, "mm": ops.mm, "mv": ops.mv, "dot": ops.dot, "bmm": ops.bmm,
    "outer": ops.outer, "ger": ops.outer,
    # reductions
    "sum": ops.sum, "mean": ops.mean, "prod": ops.prod, "max": _max, "min": _min,
    "amax": ops.amax, "amin": ops.amin, "logsumexp": ops.logsumexp, "var": ops.var,
    "std": ops.std, "norm": ops.norm,
    # shape
    "reshape": ops.reshape, "view": ops.view, "flatten": ops.flatten, "squeeze": ops.squeeze,
    "unsqueeze": ops.unsqueeze, "transpose": ops.transpose, "swapaxes": ops.transpose,
    "t": ops.t, "permute": ops.permute, "expand": ops.expand, "expand_as": ops.expand_as,
    "broadcast_to": ops.broadcast_to, "split": ops.split, "chunk": ops.chunk,
    "unbind": ops.unbind, "select": ops.select, "sum_to_size": _sum_to_size,
    # dtype
    "to": ops.to, "double": _cast("float64"), "float": _cast("float32"), "long": _cast("int64"),
    "bool": _cast("bool"), "type_as": _type_as, "new_tensor": _new_tensor,
    # in place
    "add_": ops.add_, "sub_": ops.sub_, "mul_": ops.mul_, "div_": ops.div_, "pow_": ops.pow_,
    "zero_": ops.zero_, "fill_": ops.fill_, "clamp_": ops.clamp_, "clip_": ops.clamp_,
    "exp_": ops.exp_, "relu_": ops.relu_, "neg_": ops.neg_, "sigmoid_": ops.sigmoid_,
    "tanh_": ops.tanh_, "copy_": ops.copy_,
}

# -- elementwise math --
METHODS.update({
    "sinh": ops.sinh, "cosh": ops.cosh, "asin": ops.asin, "acos": ops.acos, "atan": ops.atan,
    "arcsin": ops.asin, "arccos": ops.acos, "arctan": ops.atan, "atan2": ops.atan2,
    "arctan2": ops.atan2, "log2": ops.log2, "log10": ops.log10, "expm1": ops.expm1,
    "exp2": ops.exp2, "floor": ops.floor, "ceil": ops.ceil, "round": ops.round, "trunc": ops.trunc,
    "fix": ops.trunc, "frac": ops.frac, "fmod": ops.fmod, "remainder": ops.remainder,
    "hypot": ops.hypot, "logaddexp": ops.logaddexp, "xlogy": ops.xlogy, "sgn": ops.sgn,
    "lerp": ops.lerp, "addcmul": ops.addcmul, "addcdiv": ops.addcdiv,
    "sinh_": ops.sinh_, "cosh_": ops.cosh_, "asin_": ops.asin_, "acos_": ops.acos_,
    "atan_": ops.atan_, "arcsin_": ops.asin_, "arccos_": ops.acos_, "arctan_": ops.atan_,
    "atan2_": ops.atan2_, "arctan2_": ops.atan2_, "log2_": ops.log2_, "log10_": ops.log10_,
    "expm1_": ops.expm1_, "exp2_": ops.exp2_, "floor_": ops.floor_, "ceil_": ops.ceil_,
    "round_": ops.round_, "trunc_": ops.trunc_, "fix_": ops.trunc_, "frac_": ops.frac_,
    "fmod_": ops.fmod_, "remainder_": ops.remainder_, "hypot_": ops.hypot_, "xlogy_": ops.xlogy_,
    "sgn_": ops.sgn_, "lerp_": ops.lerp_, "addcmul_": ops.addcmul_, "addcdiv_": ops.addcdiv_,
})

# -- shape, indexing, scan and sort --
def _new(fill: Any) -> Any:
    def method(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
        from .creation import full

        if len(size) == 1 and isinstance(size[0], list | tuple):
            size = tuple(size[0])
        # As PyTorch: the new tensor takes self's dtype unless one is given.
        return full(size, fill, dtype=self.dtype if dtype is None else dtype,
                    requires_grad=requires_grad)

    return method


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    from .creation import full

    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                requires_grad=requires_grad)


METHODS.update({
    "narrow": ops.narrow, "movedim": ops.movedim, "moveaxis": ops.movedim,
    "unflatten": ops.unflatten, "diagonal": ops.diagonal, "trace": ops.trace, "flip": ops.flip,
    "roll": ops.roll, "tril": ops.tril, "triu": ops.triu, "gather": ops.gather,
    "scatter": ops.scatter, "scatter_add": ops.scatter_add, "masked_fill": ops.masked_fill,
    "index_select": ops.index_select, "masked_select": ops.masked_select, "take": ops.take,
    "cumsum": ops.cumsum, "cumprod": ops.cumprod, "sort": ops.sort, "topk": ops.topk,
    "repeat": ops.repeat, "tile": ops.tile, "repeat_interleave": ops.repeat_interleave,
    "view_as": ops.view_as, "reshape_as": ops.reshape_as, "new_zeros": _new(0),
    "new_ones": _new(1), "new_full": _new_full, "cross": ops.cross, "diff": ops.diff,
    "kron": ops.kron,
})

# -- in-place variants and operators --
METHODS.update({
    "floor_divide": ops.floor_divide, "index_fill": ops.index_fill, "index_add": ops.index_add,
    "abs_": ops.abs_, "absolute_": ops.abs_, "sqrt_": ops.sqrt_, "rsqrt_": ops.rsqrt_,
    "log_": ops.log_, "log1p_": ops.log1p_, "sin_": ops.sin_, "cos_": ops.cos_,
    "tan_": ops.tan_, "sign_": ops.sign_, "erf_": ops.erf_, "reciprocal_": ops.reciprocal_,
    "negative_": ops.neg_, "square_": ops.square_, "subtract_": ops.sub_,
    "multiply_": ops.mul_, "divide_": ops.div_, "true_divide_": ops.true_divide_,
    "floor_divide_": ops.floor_divide_, "clamp_min_": ops.clamp_min_,
    "clamp_max_": ops.clamp_max_, "tril_": ops.tril_, "triu_": ops.triu_,
    "masked_fill_": ops.masked_fill_, "scatter_": ops.scatter_, "scatter_add_": ops.scatter_add_,
    "index_fill_": ops.index_fill_, "index_add_": ops.index_add_,
})

# -- random fills (torch's CPU generator) --
METHODS.update(random_ops.METHODS)

# Methods defined on Tensor itself (autograd and conversion) that specs may call.
CORE_METHODS = frozenset({
    "backward", "detach", "detach_", "requires_grad_", "retain_grad", "register_hook",
    "numpy", "item", "tolist", "size", "dim", "numel", "is_floating_point", "is_contiguous",
})

ATTRIBUTES = frozenset({
    "grad", "grad_fn", "shape", "dtype", "requires_grad", "is_leaf", "T", "mT", "data", "ndim",
    "retains_grad", "device", "_version", "values", "indices",
})


def install() -> None:
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(ops.T)
    Tensor.mT = property(ops.mT)
    for dunder, fn in {
        "__add__": ops.add, "__radd__": ops.add, "__sub__": ops.sub,
        "__rsub__": _reflected(ops.sub), "__mul__": ops.mul, "__rmul__": ops.mul,
        "__truediv__": ops.div, "__rtruediv__": _reflected(ops.div), "__pow__": ops.pow,
        "__rpow__": _rpow, "__matmul__": ops.matmul, "__rmatmul__": _rmatmul,
        "__neg__": ops.neg, "__pos__": _pos, "__abs__": ops.abs,
        "__eq__": ops.eq, "__ne__": ops.ne, "__lt__": ops.lt, "__le__": ops.le, "__gt__": ops.gt,
        "__ge__": ops.ge, "__invert__": _invert, "__and__": _and, "__or__": _or, "__xor__": _xor,
        "__getitem__": ops.getitem, "__setitem__": ops.setitem,
        "__iadd__": _iop(ops.add_), "__isub__": _iop(ops.sub_), "__imul__": _iop(ops.mul_),
        "__itruediv__": _iop(ops.div_), "__ipow__": _ipow,
        # -- in-place variants and operators --
        "__mod__": ops.remainder, "__rmod__": ops._rmod, "__imod__": _iop(ops.remainder_),
        "__floordiv__": ops.floor_divide, "__rfloordiv__": ops._rfloordiv,
        "__ifloordiv__": _iop(ops.floor_divide_),
    }.items():
        setattr(Tensor, dunder, fn)
    Tensor.__hash__ = object.__hash__

