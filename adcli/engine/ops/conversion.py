"""Conversion and copies: to (dtype), clone, and the float promotion helper.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from .. import layout as _layout
from ..creation import full, tensor
from ..device import parse_to
from ..errors import InvalidArgumentError
from ..grad_mode import no_grad
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .common import _pass_grad, cast

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _clone(a: np.ndarray, memory_format: str = "preserve_format") -> np.ndarray:
    # torch's clone lays the copy out as empty_like does: with preserve_format a transposed
    # input stays transposed (so a later .view() fails and random fills land as in torch).
    if memory_format == "preserve_format" and a.flags.c_contiguous and 1 not in a.shape:
        return a.copy()  # the common case, without the layout questions
    return _layout.copy_like(a, _layout.FORMATS[memory_format])


clone_op = defop("clone", "CloneBackward0", _clone, complex_ok=True)
clone_op.grad("self")(_pass_grad)


def _to_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return cast(a, dtype)


to_copy_op = defop("to", "ToCopyBackward0", _to_dtype,
                   torch="torch.Tensor.to / .double() / .float()", complex_ok=True)


@to_copy_op.grad("self")
def _to_copy_self(g, s, B):
    "grad (cast back to self's dtype; a real self takes the real part of a complex grad)"
    return g


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _float(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind in "fc" else to_copy_op(
        x, dtype=dtypes.get_default_dtype().np)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """``clone(memory_format=torch.preserve_format)``: a dense input's strides are kept,
    others get torch's dense strides in the same axis order."""
    fmt = _layout.parse_format(memory_format, "clone")
    if fmt is _layout.preserve_format:
        return clone_op(input)
    return clone_op(input, memory_format=fmt.name)


def contiguous_copy(input: Tensor) -> Tensor:
    """``clone(memory_format=torch.contiguous_format)``: what ``.contiguous()`` and a copying
    ``reshape`` record (CloneBackward0)."""
    return clone_op(input, memory_format="contiguous_format")


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device, dtype)``, ``to(other)``; ``copy=True`` always copies."""
    dt, copy = parse_to(args, kwargs)
    target = input._data.dtype if dt is None else dtypes.to_dtype(dt).np
    if target == input._data.dtype and not copy:
        return input
    if input.requires_grad and target.kind not in "fc":
        with no_grad():
            return to_copy_op(input, dtype=target)
    return to_copy_op(input, dtype=target)


def from_numpy(ndarray: Any) -> Tensor:
    """A tensor sharing memory with a NumPy array (of a dtype adcli has; others are copied)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    d = dtypes.from_numpy(ndarray.dtype)
    arr = ndarray if ndarray.dtype == d.np else ndarray.astype(d.np)
    return Tensor._make(arr, None, 0, None)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor without copying where possible: a tensor of the right dtype is
    returned as is (else ``.to(dtype)``, recorded), a NumPy array's memory is shared."""
    if isinstance(data, Tensor):
        return data if dtype is None else to(data, dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None else to(t, dtype)
    return tensor(data, dtype=dtype)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``torch.asarray``: share ``obj``'s memory unless ``copy=True`` or a dtype change needs
    a copy (``copy=False`` then raises); a tensor keeps its graph. ``requires_grad=None``:
    unspecified (a tensor's own, with torch 2.13's warning)."""
    import warnings

    if isinstance(obj, Tensor):
        if requires_grad is None:
            if obj.requires_grad:
                warnings.warn(
                    "torch.asarray: unspecified requires_grad now defaults to obj.requires_grad "
                    "instead of False. Pass requires_grad=False explicitly to get the old "
                    "behavior and silence this warning.", UserWarning, stacklevel=2)
            requires_grad = obj.requires_grad
        out = obj
        if dtype is not None and dtypes.to_dtype(dtype).np != obj._data.dtype:
            if copy is False:
                raise ValueError("can't alias tensor from variable of type "
                                 f"{obj.dtype} to {dtypes.to_dtype(dtype)}.")
            out = to(obj, dtype)
        elif copy:
            out = clone(obj)
        if not requires_grad and out.requires_grad:
            out = out.detach()
        elif requires_grad and not out.requires_grad:
            out = out.detach().requires_grad_(True)
        return out
    if requires_grad is None:
        requires_grad = False
    if isinstance(obj, np.ndarray) and not copy:
        out = from_numpy(obj)
        if dtype is not None and dtypes.to_dtype(dtype).np != out._data.dtype:
            if copy is False:
                raise ValueError("can't alias NumPy array to a tensor of a different dtype")
            out = to(out, dtype)
    else:
        if isinstance(obj, np.generic):
            obj = np.asarray(obj)
        out = tensor(obj, dtype=dtype)
    if requires_grad:
        if out._data.dtype.kind not in "fc":
            raise InvalidArgumentError(
                "Only Tensors of floating point and complex dtype can require gradients")
        out.requires_grad_(True)
    return out


# -- methods that are not one op --
def _cast(name: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return to(self, name)

    method.__name__ = name
    return method


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    return to(self, other.dtype)


def _contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    # As PyTorch: a no-op on memory already in the format, a recorded clone otherwise.
    fmt = _layout.parse_format(memory_format, "contiguous", _layout.contiguous_format)
    if _layout.is_contiguous_as(self._data, fmt):
        return self
    if fmt is _layout.preserve_format:
        raise InvalidArgumentError(
            "preserve memory format is unsupported by the contiguous operator")
    return clone_op(self, memory_format=fmt.name)


def _is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    """True when the elements are laid out in row-major order (``.view()`` works), or in the
    order ``memory_format`` names."""
    if memory_format is None:
        return bool(self._data.flags.c_contiguous)
    return _layout.is_contiguous_as(
        self._data, _layout.parse_format(memory_format, "is_contiguous"))


def _stride(self: Tensor, dim: Any = None) -> Any:
    """The strides in elements (torch's ``Tensor.stride()``); ``stride(dim)`` one of them."""
    st = _layout.element_strides(self._data)
    if dim is None:
        return st
    return st[_wrap_dim(dim, self._data.ndim)]


def _new_tensor(self: Tensor, data: Any, **kw: Any) -> Tensor:
    kw.setdefault("dtype", self.dtype)
    return tensor(data, **kw)


def _new(fill: Any) -> Any:
    def method(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
        if len(size) == 1 and isinstance(size[0], list | tuple):
            size = tuple(size[0])
        # As PyTorch: the new tensor takes self's dtype unless one is given.
        return full(size, fill, dtype=self.dtype if dtype is None else dtype,
                    requires_grad=requires_grad)

    return method


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                requires_grad=requires_grad)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "clone": clone, "from_numpy": from_numpy, "as_tensor": as_tensor, "asarray": asarray,
    "memory_format": _layout.memory_format, "preserve_format": _layout.preserve_format,
    "contiguous_format": _layout.contiguous_format, "channels_last": _layout.channels_last,
    "channels_last_3d": _layout.channels_last_3d,
}

METHODS: dict[str, Any] = {
    "clone": clone, "to": to,
    "double": _cast("float64"), "float": _cast("float32"), "long": _cast("int64"),
    "bool": _cast("bool"), "type_as": _type_as, "contiguous": _contiguous,
    "is_contiguous": _is_contiguous, "stride": _stride,
    "new_tensor": _new_tensor, "new_zeros": _new(0), "new_ones": _new(1), "new_full": _new_full,
}

FUNCTIONAL: dict[str, Any] = {}
