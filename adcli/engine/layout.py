"""Memory layouts as torch chooses them: memory formats, strides, and the layout of a copy.

A tensor's array may be laid out in any order (a transpose is a view with swapped strides).
torch keeps that order where it makes a new tensor "like" another (``clone()``,
``empty_like``, ``zeros_like``, ``rand_like``, ... with ``torch.preserve_format``), and its
kernels visit elements in memory order, so the layout decides where random draws land and
whether ``.view()`` works afterwards. This module is the one place that decides it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import InvalidArgumentError


class memory_format:  # noqa: N801 (torch's name)
    """``torch.memory_format``: the layout a copy asks for (``torch.preserve_format``, ...)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

FORMATS = {f.name: f for f in (preserve_format, contiguous_format, channels_last,
                               channels_last_3d)}


def parse_format(fmt: Any, fn: str, default: memory_format = preserve_format) -> memory_format:
    """``fmt`` (None: ``default``) as one of the four formats; otherwise torch's TypeError,
    naming the function ``fn``."""
    if fmt is None:
        return default
    if isinstance(fmt, memory_format):
        return fmt
    raise TypeError(f"{fn}(): argument 'memory_format' must be torch.memory_format, not "
                    f"{type(fmt).__name__}")


def element_strides(arr: np.ndarray) -> tuple[int, ...]:
    """The strides of ``arr`` in elements (``Tensor.stride()``)."""
    size = arr.itemsize
    if not arr.size and not any(arr.strides):  # NumPy's new empty array: torch's strides
        shape, out, step = arr.shape, [], 1
        for n in reversed(shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))
    return tuple(int(s) // size for s in arr.strides)


def memory_order(shape: tuple[int, ...], strides: tuple[int, ...]) -> tuple[int, ...]:
    """Axes from outermost to innermost in memory: the order TensorIterator visits, and the
    layout ``empty_like`` gives a tensor that is not dense (an expanded one).

    torch sorts the axes (TensorIterator's reorder_dimensions, infer_dense_strides) by an
    insertion sort in which a broadcast axis (stride 0) compares as "ambiguous": it keeps its
    place instead of sinking innermost as a plain sort by stride would put it, so a
    ``(0, 1)``-strided tensor is visited row by row, like a contiguous one.
    """
    nd = len(shape)
    st = [abs(int(s)) for s in strides]

    def should_swap(d0: int, d1: int) -> int:
        s0, s1 = st[d0], st[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return 1 if s0 > s1 else -1
        return 1 if shape[d0] > shape[d1] else 0

    return sort_axes(nd, should_swap)


def sort_axes(nd: int, should_swap: Callable[[int, int], int]) -> tuple[int, ...]:
    """torch's insertion sort of the axes (reorder_dimensions), returned outermost first.
    ``should_swap(a, b)``, for axis ``a`` currently inside ``b``: 1 swaps them, -1 keeps them
    (and ends the insertion), 0 is ambiguous (kept; the scan goes on)."""
    perm = list(range(nd - 1, -1, -1))  # innermost first
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return tuple(reversed(perm))


def is_non_overlapping_and_dense(arr: np.ndarray) -> bool:
    """torch's test: the elements fill a block of memory exactly, in some order of the axes.
    (A negative stride, which torch never makes, counts as not dense.)"""
    if arr.flags.c_contiguous:
        return True
    shape, strides = arr.shape, element_strides(arr)
    if any(s < 0 for s in strides):
        return False
    need = 1
    for d in sorted((d for d in range(arr.ndim) if shape[d] > 1), key=lambda d: strides[d]):
        if strides[d] != need:
            return False
        need *= shape[d]
    return True


def maybe_overlap(size: tuple[int, ...], stride: tuple[int, ...]) -> bool:
    """torch's _maybe_overlapping_memory: whether two positions may share an element."""
    dims = sorted((st, n) for n, st in zip(size, stride) if n > 1)
    reach = 0
    for st, n in dims:
        if st <= reach:
            return True
        reach += st * (n - 1)
    return False


def _plain(arr: np.ndarray) -> bool:
    # Row-major with the strides a new array gets (a size-1 axis may carry any stride, which
    # torch's preserve_format copies keep).
    if arr.ndim < 2:
        return True
    if not arr.flags.c_contiguous:
        return False
    if 1 not in arr.shape:
        return True
    step = arr.itemsize
    for n, st in zip(reversed(arr.shape), reversed(arr.strides)):
        if n == 1 and st != step:
            return False
        step *= n
    return True


def dense(out: np.ndarray) -> np.ndarray:
    """``out`` as torch lays out what its reductions, softmax, scans and cat/stack make: a new
    row-major tensor, a size-1 axis's stride included (NumPy follows its input's layout)."""
    if out.ndim < 2 or _plain(out):
        return out
    if out.flags.c_contiguous:  # only a size-1 axis's stride differs: a view fixes it
        return out.reshape(-1).reshape(out.shape)
    return np.ascontiguousarray(out)


def _dense_order(shape: tuple[int, ...], fmt: memory_format) -> tuple[int, ...]:
    nd = len(shape)
    if fmt is channels_last:
        if nd != 4:
            raise InvalidArgumentError("required rank 4 tensor to use channels_last format")
        return (0, 2, 3, 1)
    if nd != 5:
        raise InvalidArgumentError("required rank 5 tensor to use channels_last_3d format")
    return (0, 2, 3, 4, 1)


def _with_order(shape: tuple[int, ...], order: tuple[int, ...], dtype: Any) -> np.ndarray:
    return np.empty([shape[d] for d in order], dtype=dtype).transpose(np.argsort(order))


def empty_like(arr: np.ndarray, dtype: Any = None,
               fmt: memory_format = preserve_format) -> np.ndarray:
    """An uninitialised array shaped like ``arr`` in the layout ``torch.empty_like(arr,
    memory_format=fmt)`` gives: with ``preserve_format`` a dense input's exact strides, other
    layouts (sliced, expanded) torch's inferred dense strides, which keep the axes' order."""
    dtype = arr.dtype if dtype is None else dtype
    shape = arr.shape
    if fmt is contiguous_format or (fmt is preserve_format and _plain(arr)):
        return np.empty(shape, dtype=dtype)
    if fmt is not preserve_format:
        return _with_order(shape, _dense_order(shape, fmt), dtype)
    if np.dtype(dtype) == arr.dtype:
        # NumPy's K order keeps a dense array's strides (checked: not a size-1 axis's)
        fast = np.empty_like(arr, order="K")
        if fast.strides == arr.strides:
            return fast
    if is_non_overlapping_and_dense(arr):
        itemsize = np.dtype(dtype).itemsize
        buf = np.empty(arr.size, dtype=dtype)
        return np.lib.stride_tricks.as_strided(
            buf, shape, tuple(s * itemsize for s in element_strides(arr)))
    return _with_order(shape, memory_order(shape, arr.strides), dtype)


def copy_like(arr: np.ndarray, fmt: memory_format = preserve_format) -> np.ndarray:
    """A copy of ``arr`` in the layout ``arr.clone(memory_format=fmt)`` has in torch."""
    if fmt is contiguous_format or (fmt is preserve_format and _plain(arr)):
        return arr.copy()  # row-major
    if fmt is preserve_format:
        fast = arr.copy(order="K")  # a dense array's exact layout, in one step
        if fast.strides == arr.strides:
            return fast
    out = empty_like(arr, fmt=fmt)
    out[...] = arr
    return out


def is_contiguous_as(arr: np.ndarray, fmt: memory_format) -> bool:
    """``Tensor.is_contiguous(memory_format=fmt)`` (torch answers the default question for
    ``preserve_format``)."""
    if fmt is contiguous_format or fmt is preserve_format:
        return bool(arr.flags.c_contiguous)
    if arr.ndim != (4 if fmt is channels_last else 5):
        return False
    return bool(arr.transpose(_dense_order(arr.shape, fmt)).flags.c_contiguous)


def iter_result(out: np.ndarray, *inputs: Any) -> np.ndarray:
    """:func:`iter_layout` unless every array input is row-major (the common case, where
    NumPy's layout is torch's already)."""
    if out.ndim < 2:
        return out
    for x in inputs:
        if type(x) is np.ndarray and not x.flags.c_contiguous:
            return iter_layout(out, inputs)
    return out


def iter_layout(out: np.ndarray, inputs: tuple[Any, ...]) -> np.ndarray:
    """``out``, an elementwise op's result on ``inputs`` (arrays or numbers, in torch's operand
    order), in the layout torch's TensorIterator allocates for it.

    NumPy's K order weighs every input (a conflict keeps row-major); torch's
    ``reorder_dimensions`` lets the *first* input with distinct strides decide each pair of
    axes (later ones only break ties), after ``fast_setup``: all row-major inputs give
    row-major, all channels_last ones channels_last, dense ones of equal strides those
    strides. Callers skip this when every input is row-major (then both agree)."""
    nd = out.ndim
    if nd < 2:
        return out
    shape = out.shape
    arrays = [x for x in inputs if type(x) is np.ndarray]
    if len(arrays) == len(inputs) and all(x.shape == shape for x in arrays):
        want = _fast_setup(arrays)
        if want is not None:
            return _restride(out, want)
    ops = []
    for x in arrays:  # TensorIterator's compute_strides: 0 for a broadcast axis
        lead = nd - x.ndim
        st = element_strides(x)
        ops.append([0] * lead + [0 if x.shape[i] == 1 and shape[lead + i] != 1 else abs(st[i])
                                 for i in range(x.ndim)])

    def should_swap(d0: int, d1: int) -> int:
        for st in ops:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:  # equal strides: the smaller axis goes inside
                return 1
        return 0

    strides = [0] * nd
    step = 1
    for d in reversed(sort_axes(nd, should_swap)):  # innermost first
        strides[d] = step
        step *= shape[d]
    return _restride(out, tuple(strides))


def _fast_setup(arrays: list[np.ndarray]) -> tuple[int, ...] | None:
    # TensorIterator's compute_fast_setup_type for inputs of the output's shape
    if all(x.flags.c_contiguous for x in arrays):
        return _row_major(arrays[0].shape)
    if arrays[0].ndim == 4 and all(is_contiguous_as(x, channels_last) for x in arrays):
        _, c, h, w = arrays[0].shape
        return (h * w * c, 1, w * c, c)
    if all(is_non_overlapping_and_dense(x) for x in arrays):
        first = element_strides(arrays[0])
        if all(element_strides(x) == first for x in arrays[1:]):
            return first
    return None


def _row_major(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= n
    return tuple(reversed(out))


def _restride(out: np.ndarray, strides: tuple[int, ...]) -> np.ndarray:
    """``out`` with these element strides: the same array, a view when only size-1 axes'
    strides differ, else a copy into them."""
    size = out.itemsize
    want = tuple(s * size for s in strides)
    if out.strides == want:
        return out
    if (not out.size or all(a == b or n == 1 for a, b, n in zip(out.strides, want, out.shape))) \
            and (out.flags.c_contiguous or is_non_overlapping_and_dense(out)):
        return np.lib.stride_tricks.as_strided(out, out.shape, want)
    buf = np.empty(out.size, dtype=out.dtype)
    res = np.lib.stride_tricks.as_strided(buf, out.shape, want)
    res[...] = out
    return res
