"""PyTorch's legacy constructors: ``Tensor(...)``, ``FloatTensor``, ``DoubleTensor``, ...

``Tensor(data)`` makes a tensor of the default dtype, ``Tensor(2, 3)`` one of that size
(zeros: adcli never hands out uninitialised memory), ``Tensor()`` an empty one.
``FloatTensor`` and friends do the same with their dtype, and ``isinstance(t, FloatTensor)``
checks the dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import check
from .limits import check_shape
from .tensor import Tensor, as_array


def legacy_array(args: tuple[Any, ...], dtype: dtypes.dtype, name: str = "new") -> np.ndarray:
    """The array ``Tensor(*args)`` holds, as PyTorch's legacy constructor reads ``args``."""
    if not args:
        return np.zeros((0,), dtype=dtype.np)
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]._data  # as PyTorch: the same data
    if all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        shape = tuple(int(a) for a in (args[0] if len(args) == 1 and not isinstance(
            args[0], int | np.integer) else args))
        check_shape(shape)
        return np.zeros(shape, dtype=dtype.np)
    if len(args) == 1 and isinstance(args[0], list | tuple | np.ndarray):
        return as_array(args[0], dtype)
    if len(args) == 1:
        raise TypeError(f"{name}(): data must be a sequence (got {type(args[0]).__name__})")
    raise TypeError(f"{name}() received an invalid combination of arguments - got "
                    f"({', '.join(type(a).__name__ for a in args)})")


def tensor_init(self: Tensor, *args: Any, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> None:
    """``Tensor(...)``: PyTorch's legacy constructor (``dtype`` and ``requires_grad`` are
    adcli's additions)."""
    check(device)
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    data = legacy_array(args, d)
    _INIT(self, data)
    if len(args) == 1 and isinstance(args[0], Tensor):
        self._data = data  # as PyTorch: the same data, not a copy
    if requires_grad:
        self.requires_grad_(True)


_INIT = Tensor.__init__  # the plain initialiser, replaced on the class by tensor_init


class _LegacyType(type):
    """The metaclass of ``FloatTensor`` & co: calling constructs, isinstance checks the dtype."""

    dtype: dtypes.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        check(device)
        cls.dtype.np  # noqa: B018 - BFloat16Tensor: the dtype's one error
        t = Tensor._make(legacy_array(args, cls.dtype), None, 0, None)
        if t._data.dtype != cls.dtype.np:
            t = Tensor._make(t._data.astype(cls.dtype.np), None, 0, None)
        return t

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype._np

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name: str, d: dtypes.dtype) -> type:
    return _LegacyType(name, (), {"dtype": d, "__module__": "torch"})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
LongTensor = _legacy("LongTensor", dtypes.int64)
BoolTensor = _legacy("BoolTensor", dtypes.bool_)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BFloat16Tensor = _legacy("BFloat16Tensor", dtypes.NAMES["bfloat16"])  # fails when called
LEGACY = {c.__name__: c for c in (FloatTensor, DoubleTensor, LongTensor, BoolTensor,
                                   HalfTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
                                   BFloat16Tensor)}


def tensor_type(self: Tensor, dtype: Any = None, non_blocking: bool = False,
                **kwargs: Any) -> Any:
    """``t.type()`` -> ``'torch.FloatTensor'``; ``t.type(torch.float64 | DoubleTensor |
    'torch.DoubleTensor')`` casts."""
    if dtype is None:
        return f"torch.{dtypes.from_numpy(self._data.dtype).legacy}"
    if isinstance(dtype, _LegacyType):
        dtype = dtype.dtype
    elif isinstance(dtype, str) and dtype.removeprefix("torch.") in LEGACY:
        dtype = LEGACY[dtype.removeprefix("torch.")].dtype
    return self.to(dtype)
