"""The dtypes adcli supports, named and printed as PyTorch names them.

Every dtype torch has exists here as an object (its repr, ``is_floating_point``,
``is_complex``, ``is_signed``, ``itemsize``, ``to_real``/``to_complex`` are torch's). Tensors
exist for the types NumPy holds natively (``HAS_TENSORS``: float16/32/64, complex64/128,
int8..64, uint8..64, bool); asking for a tensor of any other dtype (bfloat16, complex32,
float8, quantized, bits, sub-byte ints) raises one :class:`UnsupportedDtypeError` naming the
dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidArgumentError


class UnsupportedDtypeError(InvalidArgumentError):
    """A tensor of a dtype adcli knows by name but cannot hold (NumPy has no such type)."""

    kind = "unsupported_dtype"


class dtype:  # noqa: N801 - mirrors torch.dtype
    """A tensor element type: a thin name over a NumPy dtype (None where NumPy has none)."""

    __slots__ = ("_complex", "_np", "_real", "_signed", "abbr", "is_complex",
                 "is_floating_point", "itemsize", "legacy", "name", "scalar")

    def __init__(self, name: str, np_dtype: Any, kind: str, itemsize: int, scalar: str,
                 abbr: str, signed: bool | str, real: str | None = None,
                 complex_: str | None = None) -> None:
        self.name = name
        self._np = None if np_dtype is None else np.dtype(np_dtype)
        self.is_floating_point = kind == "f"
        self.is_complex = kind == "c"
        self.itemsize = itemsize
        self.scalar = scalar  # c10's ScalarType name: Float, Double, Long, Half, ...
        self.legacy = f"{scalar}Tensor"
        self.abbr = abbr
        self._signed = signed
        self._real = real or name
        self._complex = complex_

    @property
    def np(self) -> np.dtype:
        if self._np is None:
            raise UnsupportedDtypeError(
                f"adcli has no tensors of dtype {self!r}: NumPy has no such element type "
                f"(adcli's tensor dtypes: {', '.join(d.name for d in HAS_TENSORS)})")
        return self._np

    @property
    def is_signed(self) -> bool:
        if isinstance(self._signed, str):
            raise RuntimeError(self._signed)
        return self._signed

    def to_real(self) -> dtype:
        return _BY_NAME[self._real]

    def to_complex(self) -> dtype:
        if self._complex is None:
            raise RuntimeError(f"Unknown Complex ScalarType for {self.scalar}")
        return _BY_NAME[self._complex]

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return _GLOBAL_NAME.get(self.name, self.name)


_Q = "isSignedType not supported for quantized types"
_B = "Bits types are undefined"
# name, NumPy type, kind (f float, c complex, i integer, b bool, q quantized, x bits), itemsize,
# c10 ScalarType name, abbr, is_signed, to_real, to_complex (torch 2.13's values)
_TABLE: list[tuple[Any, ...]] = [
    ("uint8", np.uint8, "i", 1, "Byte", "u8", False, None, None),
    ("int8", np.int8, "i", 1, "Char", "i8", True, None, None),
    ("int16", np.int16, "i", 2, "Short", "i16", True, None, None),
    ("int32", np.int32, "i", 4, "Int", "i32", True, None, None),
    ("int64", np.int64, "i", 8, "Long", "i64", True, None, None),
    ("float16", np.float16, "f", 2, "Half", "f16", True, None, "complex32"),
    ("float32", np.float32, "f", 4, "Float", "f32", True, None, "complex64"),
    ("float64", np.float64, "f", 8, "Double", "f64", True, None, "complex128"),
    ("complex32", None, "c", 4, "ComplexHalf", "c32", True, "float16", "complex32"),
    ("complex64", np.complex64, "c", 8, "ComplexFloat", "c64", True, "float32", "complex64"),
    ("complex128", np.complex128, "c", 16, "ComplexDouble", "c128", True, "float64", "complex128"),
    ("bool", np.bool_, "b", 1, "Bool", "b8", False, None, None),
    ("qint8", None, "q", 1, "QInt8", "qint8", _Q, None, None),
    ("quint8", None, "q", 1, "QUInt8", "quint8", _Q, None, None),
    ("qint32", None, "q", 4, "QInt32", "qint32", _Q, None, None),
    ("bfloat16", None, "f", 2, "BFloat16", "bf16", True, None, "complex64"),
    ("quint4x2", None, "q", 1, "QUInt4x2", "quint4x2", _Q, None, None),
    ("quint2x4", None, "q", 1, "QUInt2x4", "quint2x4", _Q, None, None),
    ("bits1x8", None, "x", 1, "Bits1x8", "b1x8", _B, None, None),
    ("bits2x4", None, "x", 1, "Bits2x4", "b2x4", _B, None, None),
    ("bits4x2", None, "x", 1, "Bits4x2", "b4x2", _B, None, None),
    ("bits8", None, "x", 1, "Bits8", "b8x1", _B, None, None),
    ("bits16", None, "x", 2, "Bits16", "b16x1", _B, None, None),
    ("float8_e5m2", None, "f", 1, "Float8_e5m2", "f8e5m2", True, None, None),
    ("float8_e4m3fn", None, "f", 1, "Float8_e4m3fn", "f8e4m3fn", True, None, None),
    ("float8_e5m2fnuz", None, "f", 1, "Float8_e5m2fnuz", "f8e5m2fnuz", True, None, None),
    ("float8_e4m3fnuz", None, "f", 1, "Float8_e4m3fnuz", "f8e4m3fnuz", True, None, None),
    ("uint16", np.uint16, "i", 2, "UInt16", "u16", False, None, None),
    ("uint32", np.uint32, "i", 4, "UInt32", "u32", False, None, None),
    ("uint64", np.uint64, "i", 8, "UInt64", "u64", False, None, None),
    *[(f"uint{k}", None, "i", 1, f"UInt{k}", f"uint{k}", False, None, None) for k in range(1, 8)],
    *[(f"int{k}", None, "i", 1, f"Int{k}", f"int{k}", True, None, None) for k in range(1, 8)],
    ("float8_e8m0fnu", None, "f", 1, "Float8_e8m0fnu", "f8e8m0fnu", False, None, None),
    ("float4_e2m1fn_x2", None, "f", 1, "Float4_e2m1fn_x2", "f4e2m1fnx2", True, None, None),
]
_BY_NAME: dict[str, dtype] = {row[0]: dtype(*row) for row in _TABLE}
_GLOBAL_NAME = {"bool": "bool_"}  # the module global a pickled dtype names

float32 = _BY_NAME["float32"]
float64 = _BY_NAME["float64"]
float16 = _BY_NAME["float16"]
int64 = _BY_NAME["int64"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
int32 = _BY_NAME["int32"]
int16 = _BY_NAME["int16"]
int8 = _BY_NAME["int8"]
bool_ = _BY_NAME["bool"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
globals().update({n: d for n, d in _BY_NAME.items() if n != "bool"})

# The dtypes tensors can have (NumPy holds them), in torch's ScalarType order.
HAS_TENSORS = tuple(d for d in _BY_NAME.values() if d._np is not None)
ALL = HAS_TENSORS  # kept for older callers: the tensor dtypes
# torch's names: the dtypes and their aliases (torch.half, torch.cfloat, torch.bit, ...)
NAMES: dict[str, dtype] = {
    **_BY_NAME, "float": float32, "double": float64, "half": float16, "long": int64,
    "int": int32, "short": int16, "cfloat": _BY_NAME["complex64"],
    "cdouble": _BY_NAME["complex128"], "chalf": _BY_NAME["complex32"],
    "bit": _BY_NAME["uint1"],
}
_ALIASES = NAMES
_BY_NP = {d._np: d for d in HAS_TENSORS}
_UNSIGNED_WIDE = frozenset({"uint16", "uint32", "uint64"})

_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of new floating-point tensors (float32 unless changed, as in PyTorch)."""
    return _default[0]


def default_complex() -> dtype:
    """The dtype of new complex tensors: the default dtype's complex type (complex64 for
    float32, complex128 for float64; complex32, which adcli refuses, for float16)."""
    return _default[0].to_complex()


def set_default_dtype(d: dtype | str) -> None:
    """Set the dtype of new floating-point tensors (float32, float64 or float16)."""
    d = to_dtype(d)
    if d.is_floating_point:
        d.np  # noqa: B018 - bfloat16 and float8 have no tensors: fail here, not later
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
            f"unsupported dtype {value!r}; use a torch dtype name such as float32, float64, "
            "int64 or bool")
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
    if np_dtype.kind == "c":
        return _BY_NAME["complex128" if np_dtype.itemsize >= 16 else "complex64"]
    raise InvalidArgumentError(f"unsupported element type {np_dtype}")


def scalar_type_name(np_dtype: np.dtype) -> str:
    """PyTorch's scalar type name in messages: ``Float``, ``Double``, ``Long``, ``Bool``."""
    return from_numpy(np_dtype).legacy.removesuffix("Tensor")


def describe_type(arr: np.ndarray) -> str:
    """PyTorch's legacy type description, e.g. ``torch.DoubleTensor [3]``."""
    d = from_numpy(arr.dtype)
    dims = ", ".join(str(n) for n in arr.shape)
    if arr.dtype.kind == "b":
        return f"CPUBoolType [{dims}]"  # (torch has no legacy name for bool here)
    return f"torch.{d.legacy} [{dims}]"

