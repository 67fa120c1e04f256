"""Tensor creation: literal data, constant fills and ranges (random tensors: rng/ops.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from . import layout as _layout
from .errors import InvalidArgumentError, InvalidTypeError
from .limits import check_shape
from .rng.generator import manual_seed as manual_seed  # seeding lives in rng/generator.py
from .tensor import Tensor, _infer_dtype, as_array


def _shape(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    out = []
    for n in size:
        if isinstance(n, Tensor):
            n = n.item()
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise InvalidArgumentError(
                f"size must be a sequence of ints, but got an element of type {type(n).__name__}"
            )
        out.append(int(n))
    shape = tuple(out)
    check_shape(shape)
    return shape


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype: Any) -> np.dtype:
    return (dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()).np


def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """A new tensor from a number, nested list or array (copies the data)."""
    return _finish(as_array(data, dtype), requires_grad)


def _size_arg(name: str, size: tuple[Any, ...], kw: Any) -> tuple[Any, ...]:
    """The size of ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``; none at all
    is torch's TypeError (``zeros()`` is not a 0-d tensor)."""
    if kw is not None:
        if size:
            raise InvalidTypeError(f"{name}() got multiple values for argument 'size'")
        return (kw,)
    if not size:
        raise InvalidTypeError(f'{name}() missing 1 required positional arguments: "size"')
    return size


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kw: Any) -> Tensor:
    size = _size_arg("zeros", size, _only_size("zeros", kw))
    return _finish(np.zeros(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
         **kw: Any) -> Tensor:
    size = _size_arg("ones", size, _only_size("ones", kw))
    return _finish(np.ones(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def _only_size(name: str, kw: dict[str, Any]) -> Any:
    for key in kw:
        if key != "size":
            raise InvalidTypeError(f"{name}() got an unexpected keyword argument '{key}'")
    return kw.get("size")


def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    if dtype is None:
        dtype = _infer_dtype(fill_value)
    arr = np.full(_shape((size,)), fill_value, dtype=dtypes.to_dtype(dtype).np)
    return _finish(arr, requires_grad)


def _like(t: Tensor, dtype: Any) -> np.dtype:
    return dtypes.to_dtype(dtype).np if dtype is not None else t._data.dtype


def _filled_like(input: Tensor, value: Any, dtype: Any, memory_format: Any, fn: str,
                 requires_grad: bool) -> Tensor:
    # torch's *_like are empty_like (preserve_format: a transposed input gives a transposed
    # result) then a fill.
    arr = _layout.empty_like(input._data, _like(input, dtype), _layout.parse_format(
        memory_format, fn))
    arr[...] = value
    return _finish(arr, requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
               device: Any = None, memory_format: Any = None) -> Tensor:
    return _filled_like(input, 0, dtype, memory_format, "zeros_like", requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
              device: Any = None, memory_format: Any = None) -> Tensor:
    return _filled_like(input, 1, dtype, memory_format, "ones_like", requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,
              requires_grad: bool = False, device: Any = None,
              memory_format: Any = None) -> Tensor:
    return _filled_like(input, fill_value, dtype, memory_format, "full_like", requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
               device: Any = None, memory_format: Any = None) -> Tensor:
    """``torch.empty_like``: zeros (as ``empty``: specs must be reproducible), laid out as
    torch lays it out."""
    return _filled_like(input, 0, dtype, memory_format, "empty_like", requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    shape = _shape((n, n if m is None else m))
    return _finish(np.eye(*shape, dtype=_float_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kw: Any) -> Tensor:
    # Zeros rather than garbage: specs must be reproducible.
    size = _size_arg("empty", size, _only_size("empty", kw))
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    dtypes.from_numpy(arr.dtype)
    return Tensor._make(arr, None, 0, None)
