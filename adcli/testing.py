"""``torch.testing``: ``assert_close`` (and the deprecated ``assert_allclose``) as torch 2.13.

Same pair rules (None, booleans, Python/NumPy numbers, tensor-likes, nested sequences and
mappings), the same per-dtype default tolerances, the same error types and message texts.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

# (rtol, atol) per dtype name, as torch's _DTYPE_PRECISIONS; other dtypes compare exactly.
_DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}

__all__ = ["assert_allclose", "assert_close"]


class _FailError(Exception):
    """A comparison failure: the exception type and message torch raises, plus the item path."""

    def __init__(self, type_: type[Exception], msg: str, id: tuple[Any, ...] = ()) -> None:
        super().__init__(msg)
        self.type, self.msg, self.id = type_, msg, id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if not isinstance(msg, str):
            text = self.msg
            if self.id:
                text += ("\n\nThe failure occurred for item "
                         + "".join(str([item]) for item in self.id))
            msg = msg(text) if callable(msg) else text
        return self.type(msg)


class _UnsupportedError(Exception):
    pass


def _tolerances(names: list[str], rtol: float | None, atol: float | None,
                id: tuple[Any, ...], precisions: dict[str, tuple[float, float]] | None = None,
                ) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        raise _FailError(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                    f"but got no {'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None and atol is not None:
        return rtol, atol
    table = precisions or _DTYPE_PRECISIONS
    rtols, atols = zip(*[table.get(n, (0.0, 0.0)) for n in names], strict=True)
    return max(rtols), max(atols)


def _mismatch_msg(identifier: str | Callable[[str], str] | None, default: str, extra: str,
                  abs_diff: float, abs_idx: Any, atol: float, rel_diff: float, rel_idx: Any,
                  rtol: float) -> str:
    equality = rtol == 0 and atol == 0

    def diff_msg(kind: str, diff: float, idx: Any, tol: float) -> str:
        text = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"

    if identifier is None:
        identifier = default
    elif callable(identifier):
        identifier = identifier(default)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(None, "Scalars", f"Expected {expected} but got {actual}.",
                         abs_diff, None, atol, rel_diff, None, rtol)


def _compare_numbers(actual: Any, expected: Any, id: tuple[Any, ...], opts: dict) -> None:
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (actual, expected)],
                             opts["rtol"], opts["atol"], id)
    if opts["check_dtype"] and type(actual) is not type(expected):
        raise _FailError(AssertionError, "The (d)types do not match: "
                    f"{type(actual)} != {type(expected)}.", id)
    if actual == expected:
        return
    if opts["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
        return
    diff = abs(actual - expected)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(expected):
        return
    raise _FailError(AssertionError, _scalar_msg(actual, expected, rtol, atol), id)


def _isclose(a: np.ndarray, b: np.ndarray, rtol: float, atol: float,
             equal_nan: bool) -> np.ndarray:
    close = a == b
    if equal_nan:
        close |= np.isnan(a) & np.isnan(b) if a.dtype.kind in "fc" else False
    if a.dtype.kind in "fc" and (rtol or atol):
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(a - b)
            allowed = atol + np.abs(rtol * b)
            close |= np.isfinite(err) & (err <= allowed)
    elif rtol or atol:
        err = np.abs(a.astype(np.float64) - b.astype(np.float64))
        close |= err <= atol + np.abs(rtol * b.astype(np.float64))
    return close


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _tensor_msg(a: np.ndarray, b: np.ndarray, matches: np.ndarray, rtol: float,
                atol: float) -> str:
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    af, bf, mf = a.reshape(-1), b.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fc":
        af, bf = af.astype(np.int64), bf.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(af - bf)
        abs_diff[mf] = 0
        # int / int is a true division in the default float dtype, as torch's
        rel_diff = (abs_diff / np.abs(bf) if af.dtype.kind in "fc"
                    else (abs_diff / np.abs(bf)).astype(np.float32))
        rel_diff[mf] = 0
    ai, ri = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_msg(None, "Tensor-likes", extra, abs_diff[ai].item(),
                         _unravel(ai, matches.shape), atol, rel_diff[ri].item(),
                         _unravel(ri, matches.shape), rtol)


def _compare_tensors(actual: Any, expected: Any, id: tuple[Any, ...], opts: dict) -> None:
    from .engine import dtypes
    from .engine.creation import tensor as make
    from .engine.tensor import Tensor

    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not opts["allow_subclasses"] and type(actual) is not type(expected)):
        raise _UnsupportedError
    pair = []
    for x in (actual, expected):
        if not isinstance(x, Tensor):
            try:
                x = make(x)
            except Exception:
                raise _UnsupportedError from None
        pair.append(x)
    a, b = pair
    rtol, atol = _tolerances([a.dtype.name, b.dtype.name], opts["rtol"], opts["atol"], id)

    def attribute(name: str, x: Any, y: Any) -> None:
        raise _FailError(AssertionError,
                    f"The values for attribute '{name}' do not match: {x} != {y}.", id)

    if a.shape != b.shape:
        attribute("shape", a.shape, b.shape)
    if opts["check_stride"] and a.stride() != b.stride():
        attribute("stride()", a.stride(), b.stride())
    if opts["check_device"] and a.device != b.device:
        attribute("device", a.device, b.device)
    if opts["check_dtype"] and a.dtype != b.dtype:
        attribute("dtype", a.dtype, b.dtype)
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        common = dtypes.from_numpy(np.promote_types(ad.dtype, bd.dtype)).np
        ad, bd = ad.astype(common), bd.astype(common)
    matches = _isclose(ad, bd, rtol, atol, opts["equal_nan"])
    if matches.all():
        return
    if not ad.shape:
        raise _FailError(AssertionError, _scalar_msg(ad.item(), bd.item(), rtol, atol), id)
    raise _FailError(AssertionError, _tensor_msg(ad, bd, matches, rtol, atol), id)


def _compare_leaf(actual: Any, expected: Any, id: tuple[Any, ...], opts: dict) -> None:
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _FailError(AssertionError, f"None mismatch: {actual} is not {expected}", id)
        return
    bools = (bool, np.bool_)
    if isinstance(actual, bools) and isinstance(expected, bools):
        actual, expected = bool(actual), bool(expected)
        if actual is not expected:
            raise _FailError(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)
        return
    numbers = (int, float, complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        _compare_numbers(actual, expected, id, opts)
        return
    try:
        _compare_tensors(actual, expected, id, opts)
    except _UnsupportedError:
        raise _FailError(TypeError, "No comparison pair was able to handle inputs of type "
                    f"{type(actual)} and {type(expected)}.", id) from None


def _pairs(actual: Any, expected: Any, id: tuple[Any, ...]) -> list[tuple[Any, Any, tuple]]:
    seq = collections.abc.Sequence
    if (isinstance(actual, seq) and not isinstance(actual, str)
            and isinstance(expected, seq) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _FailError(AssertionError, "The length of the sequences mismatch: "
                        f"{len(actual)} != {len(expected)}", id)
        return [p for i in range(len(actual)) for p in _pairs(actual[i], expected[i], (*id, i))]
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _FailError(AssertionError, "The keys of the mappings do not match:\n"
                        f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                        f"Additional keys in the actual mapping: {sorted(ak - ek)}", id)
        keys: Any = ak
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        return [p for k in keys for p in _pairs(actual[k], expected[k], (*id, k))]
    return [(actual, expected, id)]


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``."""
    __tracebackhide__ = True
    opts = {"allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol,
            "equal_nan": equal_nan, "check_device": check_device, "check_dtype": check_dtype,
            "check_stride": check_stride}
    try:
        pairs = _pairs(actual, expected, ())
    except _FailError as fail:
        raise fail.to_error() from None
    for a, e, id in pairs:
        try:
            _compare_leaf(a, e, id, opts)
        except _FailError as fail:
            if fail.type is not AssertionError and fail.msg.startswith(("No comparison",
                                                                        "Both 'rtol'")):
                raise fail.to_error() from None
            raise fail.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated since torch 1.12 (FutureWarning); compares with ``check_dtype=False``."""
    from .engine.creation import tensor as make
    from .engine.tensor import Tensor

    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = make(actual)
    if not isinstance(expected, Tensor):
        expected = make(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        table = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}
        rtol, atol = _tolerances([actual.dtype.name, expected.dtype.name], None, None, (), table)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)


# ----------------------------------------------------------------------------------------------
# make_tensor
# ----------------------------------------------------------------------------------------------
_INTEGRAL = ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")
_FLOATING = ("float16", "bfloat16", "float32", "float64")
_COMPLEX = ("complex32", "complex64", "complex128")


def _bounds(dtype: Any, low: Any, high: Any, lowest: float, highest: float,
            default_low: float, default_high: float) -> tuple[Any, Any]:
    """torch's checks and clamping of ``low``/``high`` (integral dtypes: rounded up)."""
    import math

    name = str(dtype).removeprefix("torch.")
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low!r} and "
                         f"high={high!r}")
    if low == high and name in _FLOATING + _COMPLEX:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if name == "bool" or name in _INTEGRAL:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Any:
    """A tensor of ``shape`` and ``dtype`` with values drawn uniformly from ``[low, high)``
    (defaults by dtype: bool [0, 2), unsigned [0, 10), signed [-9, 10), floating [-9, 9)), as
    torch's ``make_tensor``: the same checks, and the same draws of torch's generator."""
    import functools

    import adcli

    name = str(dtype).removeprefix("torch.")
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous!r} and "
                         f"memory_format={memory_format!r}")
    integral = name == "bool" or name in _INTEGRAL
    if requires_grad and integral:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype!r}")
    noncontiguous = noncontiguous and functools.reduce(lambda x, y: x * y, shape, 1) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if name == "bool":
        lo, hi = _bounds(dtype, low, high, 0, 2, 0, 2)
        result = adcli.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _INTEGRAL:
        info = adcli.iinfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min, info.max + (name != "int64"), -9, 10)
        result = adcli.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _FLOATING:
        info = adcli.finfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min, info.max, -9, 9)
        result = adcli.empty(shape, device=device, dtype=dtype)
        if hi - lo >= info.max:  # (the span would overflow: draw half of it, then double)
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    elif name in _COMPLEX:
        from .engine.errors import NotImplementedArgumentError

        raise NotImplementedArgumentError(
            f"make_tensor: adcli has no complex tensors yet (dtype {dtype})")
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if integral else adcli.finfo(dtype).tiny
    if name in _FLOATING:
        result.requires_grad = requires_grad
    return result


__all__ += ["make_tensor"]
