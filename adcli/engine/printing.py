"""PyTorch-style tensor repr: ``tensor([0.5000, 1.0000], grad_fn=<MulBackward0>)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(arr: np.ndarray):  # noqa: ANN202
    finite = arr[np.isfinite(arr)]
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)):
        # Integer-valued floats print as "1." (sci if huge), as PyTorch does.
        if nonzero.size and (nonzero.max() > 1e8):
            fmt = "{:.4e}"
        else:
            def int_fmt(v: float) -> str:
                return f"{v:.0f}." if np.isfinite(v) else str(v).replace("inf", "inf")

            width = max(len(int_fmt(v)) for v in arr.ravel()) if arr.size else 0
            return lambda v: int_fmt(v).rjust(width)
    else:
        sci = nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1e8
                                or nonzero.min() < 1e-4)
        fmt = "{:.4e}" if sci else "{:.4f}"

    def f(v: float) -> str:
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return fmt.format(v)

    width = max(len(f(v)) for v in arr.ravel()) if arr.size else 0
    return lambda v: f(v).rjust(width)


def format_data(arr: np.ndarray, prefix: str = "tensor(") -> str:
    """The data part of a PyTorch repr (nested brackets, aligned, wrapped at 80 columns)."""
    if arr.size == 0:
        return "[]"
    kind = arr.dtype.kind
    if kind == "f":
        formatter = {"float_kind": _float_formatter(arr)}
    elif kind == "b":
        formatter = {"bool": lambda v: (" True" if v else "False")}
    else:
        width = max(len(str(v)) for v in arr.ravel())
        formatter = {"int": lambda v: str(v).rjust(width)}
    summarize = arr.size > 1000
    return np.array2string(
        arr, separator=", ", prefix=prefix, formatter=formatter, max_line_width=80,
        threshold=1000 if summarize else arr.size + 1, edgeitems=3,
    )


def tensor_repr(t: Tensor) -> str:
    """``repr`` of a tensor as PyTorch prints it."""
    arr = t._data
    body = format_data(arr)
    suffix = []
    if arr.size == 0 and arr.ndim != 1:
        suffix.append(f"size={tuple(arr.shape)}")
    d = dtypes.from_numpy(arr.dtype)
    if d not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
        suffix.append(f"dtype={d!r}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    if arr.ndim == 0:
        body = format_data(arr.reshape(1))[1:-1].strip()
    return "tensor(" + ", ".join([body, *suffix]) + ")"
