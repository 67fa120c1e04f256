"""``torch.finfo`` and ``torch.iinfo``: the limits of a dtype, with torch's fields and reprs.

The values are the types' IEEE/two's-complement constants (torch 2.13's, including the dtypes
adcli has no tensors of: bfloat16 and the float8 kinds); ``dtype`` is the name as a string
and complex dtypes report their real type, as in torch.
"""

from __future__ import annotations

from typing import Any

from . import dtypes

# bits, eps, max, min, tiny (= smallest_normal), resolution
_FLOATS: dict[str, tuple[int, float, float, float, float, float]] = {
    "float16": (16, 2.0 ** -10, 65504.0, -65504.0, 2.0 ** -14, 0.001),
    "float32": (32, 2.0 ** -23, 3.4028234663852886e+38, -3.4028234663852886e+38, 2.0 ** -126,
                1e-06),
    "float64": (64, 2.0 ** -52, 1.7976931348623157e+308, -1.7976931348623157e+308,
                2.0 ** -1022, 1e-15),
    "bfloat16": (16, 2.0 ** -7, 3.3895313892515355e+38, -3.3895313892515355e+38, 2.0 ** -126,
                 0.01),
    "float8_e5m2": (8, 0.25, 57344.0, -57344.0, 2.0 ** -14, 1.0),
    "float8_e4m3fn": (8, 0.125, 448.0, -448.0, 2.0 ** -6, 1.0),
    "float8_e5m2fnuz": (8, 0.125, 57344.0, -57344.0, 2.0 ** -15, 1.0),
    "float8_e4m3fnuz": (8, 0.125, 240.0, -240.0, 2.0 ** -7, 1.0),
    "float8_e8m0fnu": (8, 1.0, 2.0 ** 127, 2.0 ** -127, 2.0 ** -127, 1.0),
}


def _dtype_arg(name: str, type: Any) -> dtypes.dtype:
    if not isinstance(type, dtypes.dtype):
        raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{builtins_type_name(type)}")
    return type


def builtins_type_name(x: Any) -> str:
    return x.__class__.__name__


class finfo:  # noqa: N801 - mirrors torch.finfo
    """Machine limits of a floating-point dtype (the default dtype when called without one)."""

    __slots__ = ("bits", "dtype", "eps", "max", "min", "resolution", "smallest_normal", "tiny")

    def __init__(self, type: Any = None) -> None:
        d = dtypes.get_default_dtype() if type is None else _dtype_arg("finfo", type)
        if d.is_complex:
            d = d.to_real()
        if d.name == "float4_e2m1fn_x2":
            raise NotImplementedError(f'"epsilon" not implemented for \'{d.scalar}\'')
        if d.name not in _FLOATS:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        self.bits, self.eps, self.max, self.min, self.tiny, self.resolution = _FLOATS[d.name]
        self.smallest_normal = self.tiny
        self.dtype = d.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # as torch's: equal by fields, unhashable

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - mirrors torch.iinfo
    """Machine limits of an integer dtype."""

    __slots__ = ("bits", "dtype", "max", "min")

    def __init__(self, type: Any = None) -> None:
        if type is None:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        d = _dtype_arg("iinfo", type)
        if d.name.startswith(("qint", "quint")):
            raise NotImplementedError(f'"dtype" not implemented for \'{d.scalar}\'')
        if d.name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point or d.is_complex or d._np is None or d._np.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        import numpy as np

        info = np.iinfo(d._np)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(
            info.max), d.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


finfo.__module__ = iinfo.__module__ = "torch"
