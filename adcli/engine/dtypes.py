"""The dtypes adcli supports, named and printed as PyTorch names them."""

from __future__ import annotations

import numpy as np

from .errors import InvalidArgumentError


class dtype:  # noqa: N801 - mirrors torch.dtype
    """A tensor element type: a thin name over a NumPy dtype."""

    __slots__ = ("is_floating_point", "legacy", "name", "np")

    def __init__(self, name: str, np_dtype: type, is_floating_point: bool, legacy: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.legacy = legacy

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
int64 = dtype("int64", np.int64, False, "LongTensor")
int32 = dtype("int32", np.int32, False, "IntTensor")  # linalg's info and pivots
bool_ = dtype("bool", np.bool_, False, "BoolTensor")
uint8 = dtype("uint8", np.uint8, False, "ByteTensor")  # random-generator states

ALL = (float32, float64, int64, int32, bool_, uint8)
_ALIASES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "int64": int64, "long": int64, "int32": int32, "int": int32, "bool": bool_, "uint8": uint8,
}
_BY_NP = {d.np: d for d in ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of new floating-point tensors (float32 unless changed, as in PyTorch)."""
    return _default[0]


def set_default_dtype(d: dtype | str) -> None:
    """Set the dtype of new floating-point tensors (float32 or float64)."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise InvalidArgumentError(
            f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def to_dtype(value: object) -> dtype:
    """Resolve a dtype, a name (``"float32"``, ``"torch.float64"``) or a NumPy dtype."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, str):
        key = value.removeprefix("torch.")
        if key in _ALIASES:
            return _ALIASES[key]
        raise InvalidArgumentError(
            f"unsupported dtype {value!r}; use float32, float64, int64 or bool")
    if value is float:
        return get_default_dtype()
    if value is int:
        return int64
    if value is bool:
        return bool_
    try:
        return from_numpy(np.dtype(value))  # type: ignore[arg-type]
    except TypeError:
        raise InvalidArgumentError(f"unsupported dtype {value!r}") from None


def from_numpy(np_dtype: np.dtype) -> dtype:
    """The adcli dtype for a NumPy dtype (other floats become float32/64, ints int64)."""
    d = _BY_NP.get(np_dtype)
    if d is not None:
        return d
    if np_dtype.kind == "f":
        return float64 if np_dtype.itemsize >= 8 else float32
    if np_dtype.kind in "iu":
        return int64
    if np_dtype.kind == "b":
        return bool_
    raise InvalidArgumentError(f"unsupported element type {np_dtype}")


def scalar_type_name(np_dtype: np.dtype) -> str:
    """PyTorch's scalar type name in messages: ``Float``, ``Double``, ``Long``, ``Bool``."""
    return from_numpy(np_dtype).legacy.removesuffix("Tensor")


def describe_type(arr: np.ndarray) -> str:
    """PyTorch's legacy type description, e.g. ``torch.DoubleTensor [3]``."""
    d = from_numpy(arr.dtype)
    dims = ", ".join(str(n) for n in arr.shape)
    return f"torch.{d.legacy} [{dims}]"
