"""PyTorch-style tensor repr: ``tensor([0.5000, 1.0000], grad_fn=<MulBackward0>)``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import dtypes
from .dual import get_tangent

if TYPE_CHECKING:
    from .tensor import Tensor


class _PrintOptions:
    """torch's PRINT_OPTS: what ``set_printoptions`` changes."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, float("inf"), 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions`` (``sci_mode`` is reset unless
    given, as torch's)."""
    o = PRINT_OPTS
    if profile in _PROFILES:
        o.precision, o.threshold, o.edgeitems, o.linewidth = _PROFILES[profile]
    if precision is not None:
        o.precision = precision
    if threshold is not None:
        o.threshold = threshold
    if edgeitems is not None:
        o.edgeitems = edgeitems
    if linewidth is not None:
        o.linewidth = linewidth
    o.sci_mode = sci_mode


def get_printoptions() -> dict[str, object]:
    """The current print options, as ``torch._tensor_str.get_printoptions``."""
    o = PRINT_OPTS
    return {"precision": o.precision, "threshold": o.threshold, "edgeitems": o.edgeitems,
            "linewidth": o.linewidth, "sci_mode": o.sci_mode}


def _float_formatter(arr: np.ndarray):
    """PyTorch's ``_Formatter`` for floats: width and mode from the nonzero finite values."""
    flat = arr.ravel().astype(np.float64)
    vals = flat[np.isfinite(flat) & (flat != 0)]
    int_mode, sci, width = True, False, 1
    p = PRINT_OPTS.precision
    if vals.size:
        absv = np.abs(vals)
        lo, hi = absv.min(), absv.max()
        int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is not None:
            sci = bool(PRINT_OPTS.sci_mode)
        elif int_mode:
            sci = bool(hi / lo > 1000.0 or hi > 1.0e8)
        else:
            sci = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        if int_mode:
            strs = [f"{v:.{p}e}" for v in vals] if sci else [f"{v:.0f}." for v in vals]
        else:
            strs = [f"{v:.{p}e}" if sci else f"{v:.{p}f}" for v in vals]
        width = max(len(x) for x in strs)

    def f(v: float) -> str:
        v = float(v)
        if sci:
            ret = f"{v:.{p}e}"
        elif int_mode:
            ret = f"{v:.0f}" + ("" if np.isnan(v) or np.isinf(v) else ".")
        else:
            ret = f"{v:.{p}f}"
        return ret.rjust(width)

    f.width = width  # type: ignore[attr-defined]
    return f


def _complex_formatter(arr: np.ndarray) -> tuple[Any, int]:
    """torch's complex printing: the real and imaginary parts each get their own float
    formatter; an element is ``real`` then the signed ``imag`` and ``j`` (``1.+2.j``)."""
    re_f, im_f = _float_formatter(arr.real), _float_formatter(arr.imag)

    def f(v: complex) -> str:
        imag = (im_f(v.imag) + "j").lstrip()
        return re_f(v.real) + (imag if imag[0] in "+-" else "+" + imag)

    # (torch's element width: both parts, the sign or '+', and the 'j')
    return f, re_f.width + im_f.width + 1  # type: ignore[attr-defined]


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements a summarized repr shows (first and last 3 along each dim), as PyTorch's
    ``get_summarized_data``: widths come from what is printed, and a huge tensor costs little."""
    edge = PRINT_OPTS.edgeitems
    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            idx = np.r_[0:edge, n - edge:n]
            arr = np.take(arr, idx, axis=axis)
    return arr


def format_data(arr: np.ndarray, prefix: str = "tensor(") -> str:
    """The data part of a PyTorch repr: torch's ``_tensor_str`` (nested brackets, elements
    aligned to one width, ``linewidth`` wrapping, ``threshold``/``edgeitems`` summaries)."""
    if arr.size == 0:
        return "[]"
    o = PRINT_OPTS
    summarize = arr.size > o.threshold
    shown = _summarized(arr) if summarize else arr
    kind = arr.dtype.kind
    if kind == "f":
        fmt = _float_formatter(shown)
        width = fmt.width
    elif kind == "c":
        fmt, width = _complex_formatter(shown)
    elif kind == "b":
        # As PyTorch: padded to "False"'s width only when a False is present.
        width = 4 if shown.all() else 5
        fmt = lambda v: ("True" if v else "False").rjust(width)  # noqa: E731
    else:
        width = max(len(str(v)) for v in shown.ravel())
        fmt = lambda v: str(v).rjust(width)  # noqa: E731
    return _nested(arr, len(prefix), summarize, fmt, width)


def _nested(arr: np.ndarray, indent: int, summarize: bool, fmt: Any, width: int) -> str:
    edge = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return fmt(arr[()])
    n = arr.shape[0]
    if arr.ndim == 1:
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (width + 2)))
        if summarize and not edge:
            data = ["..."]
        elif summarize and n > 2 * edge:
            data = [*(fmt(v) for v in arr[:edge]), " ...", *(fmt(v) for v in arr[n - edge:])]
        else:
            data = [fmt(v) for v in arr]
        lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and n > 2 * edge:
        rows = [*range(edge), None, *range(n - edge, n)]
    else:
        rows = list(range(n))
    slices = ["..." if i is None else _nested(arr[i], indent + 1, summarize, fmt, width)
              for i in rows]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_repr(t: Tensor) -> str:
    """``repr`` of a tensor as PyTorch prints it."""
    arr = t._data
    body = format_data(arr)
    suffix = []
    if arr.size == 0 and arr.ndim != 1:
        suffix.append(f"size={tuple(arr.shape)}")
    d = dtypes.from_numpy(arr.dtype)
    # (an empty tensor shows every dtype but the default one, as torch's _tensor_str)
    if d not in (dtypes.get_default_dtype(), dtypes.default_complex(), dtypes.int64,
                 dtypes.bool_) or (arr.size == 0 and d != dtypes.get_default_dtype()):
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
    return _add_suffixes("tensor(" + body, suffix, indent=len("tensor("),
                         linewidth=PRINT_OPTS.linewidth)


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
