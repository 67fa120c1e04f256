"""PyTorch-style tensor repr: ``tensor([0.5000, 1.0000], grad_fn=<MulBackward0>)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import dtypes
from .dual import get_tangent

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(arr: np.ndarray):
    """PyTorch's ``_Formatter`` for floats: width and mode from the nonzero finite values."""
    flat = arr.ravel().astype(np.float64)
    vals = flat[np.isfinite(flat) & (flat != 0)]
    int_mode, sci, width = True, False, 1
    if vals.size:
        absv = np.abs(vals)
        lo, hi = absv.min(), absv.max()
        int_mode = bool(np.all(vals == np.ceil(vals)))
        if int_mode:
            sci = bool(hi / lo > 1000.0 or hi > 1.0e8)
            strs = [f"{v:.4e}" for v in vals] if sci else [f"{v:.0f}." for v in vals]
        else:
            sci = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
            strs = [f"{v:.4e}" if sci else f"{v:.4f}" for v in vals]
        width = max(len(x) for x in strs)

    def f(v: float) -> str:
        v = float(v)
        if sci:
            ret = f"{v:.4e}"
        elif int_mode:
            ret = f"{v:.0f}" + ("" if np.isnan(v) or np.isinf(v) else ".")
        else:
            ret = f"{v:.4f}"
        return ret.rjust(width)

    return f


_EDGE = 3


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements a summarized repr shows (first and last 3 along each dim), as PyTorch's
    ``get_summarized_data``: widths come from what is printed, and a huge tensor costs little."""
    for axis, n in enumerate(arr.shape):
        if n > 2 * _EDGE:
            idx = np.r_[0:_EDGE, n - _EDGE:n]
            arr = np.take(arr, idx, axis=axis)
    return arr


def format_data(arr: np.ndarray, prefix: str = "tensor(") -> str:
    """The data part of a PyTorch repr (nested brackets, aligned, wrapped at 80 columns)."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > 1000
    shown = _summarized(arr) if summarize else arr
    kind = arr.dtype.kind
    if kind == "f":
        formatter = {"float_kind": _float_formatter(shown)}
    elif kind == "b":
        # As PyTorch: padded to "False"'s width only when a False is present.
        bwidth = 4 if shown.all() else 5
        formatter = {"bool": lambda v: ("True" if v else "False").rjust(bwidth)}
    else:
        width = max(len(str(v)) for v in shown.ravel())
        formatter = {"int": lambda v: str(v).rjust(width)}
    text = np.array2string(
        arr, separator=", ", prefix=prefix, formatter=formatter, max_line_width=80,
        threshold=1000 if summarize else arr.size + 1, edgeitems=3,
    )
    # PyTorch's column ellipsis is the element " ...", so it reads ",  ...,".
    return text.replace(", ..., ", ",  ..., ") if summarize else text


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
        suffix.append(f"grad_fn=<{t.grad_fn.name().removeprefix('torch::autograd::')}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    tangent = get_tangent(t)
    if tangent is not None:
        suffix.append(f"tangent={tensor_repr(tangent)}")
    if arr.ndim == 0:
        body = format_data(arr.reshape(1))[1:-1].strip()
    return _add_suffixes("tensor(" + body, suffix, indent=len("tensor("))


def _add_suffixes(text: str, suffixes: list[str], indent: int, linewidth: int = 80) -> str:
    # PyTorch's rule (including its +1): a suffix that would pass the line width goes on a new
    # line, indented under the data.
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"
