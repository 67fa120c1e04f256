"""Padding: ``F.pad`` in its four modes and ``torch.constant_pad_nd``.

- ``constant``: one op for any number of dims (``ConstantPadNdBackward0``); negative amounts
  crop.
- ``reflect`` / ``replicate``: one op per padded rank, as ATen's kernels
  (``ReflectionPad1DBackward0`` ... ``ReplicationPad3DBackward0``). Each output position reads
  one input position per padded dim (mirrored about the edge, or clamped to it), so the forward
  is a gather and its backward kernel (``reflection_pad2d_backward``, ...) the matching
  scatter-add; under ``create_graph`` that kernel is an op of its own
  (``ReflectionPad2DBackwardBackward0``) whose derivative is the padding again, as
  derivatives.yaml says.
- ``circular``: no op of its own. ATen's ``_pad_circular`` fills a new tensor through slices
  (``out.slice(...).copy_(self.slice(...))`` for the middle, then each wrapped border copied
  from the other end of ``out``), so torch records ``CopySlices``/``SliceBackward0`` nodes;
  adcli runs the same steps through its view ops and records the same graph.

The argument checks are ATen's (PadNd.cpp, ReflectionPad.cpp, ReplicationPadding.cpp), with
their messages and error classes.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidTypeError, NotImplementedArgumentError
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor
from .inplace import copy_
from .kernels import KERNELS
from .shape import slice_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# constant padding
# ----------------------------------------------------------------------------------------------
def _pad_regions(in_shape: tuple[int, ...], pad: tuple[int, ...]) -> tuple[tuple, tuple, tuple]:
    """The padded shape, and the slices of input and output that hold the same elements."""
    nd = len(in_shape)
    out_shape = list(in_shape)
    src = [slice(None)] * nd
    dst = [slice(None)] * nd
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = in_shape[d]
        size = n + lo + hi
        if size < 0 or n - max(0, -lo) - max(0, -hi) < 0:
            raise InvalidArgumentError("narrow(): length must be non-negative.")
        out_shape[d] = size
        kept = n - max(0, -lo) - max(0, -hi)
        src[d] = slice(max(0, -lo), max(0, -lo) + kept)
        dst[d] = slice(max(0, lo), max(0, lo) + kept)
    return tuple(out_shape), tuple(src), tuple(dst)


def _constant_pad_nd(a: np.ndarray, pad: tuple[int, ...], value: Any = 0) -> np.ndarray:
    out_shape, src, dst = _pad_regions(a.shape, pad)
    check_shape(out_shape)
    out = np.full(out_shape, value, dtype=a.dtype)
    out[dst] = a[src]
    return out


constant_pad_nd_op = defop("constant_pad_nd", "ConstantPadNdBackward0", _constant_pad_nd,
                           torch="torch.nn.functional.pad (constant mode)", complex_ok=True)


@constant_pad_nd_op.grad("self")
def _constant_pad_nd_self(g, s, B):
    "grad with the padding cut off (and zeros where negative padding cropped self)"
    if B.tensors:  # PyTorch's constant_pad_nd_backward: grad padded by the negated padding
        return constant_pad_nd_op(g, pad=tuple(-p for p in s.pad), value=0)
    _, src, dst = _pad_regions(s.in_shape, s.pad)
    inner = B.getitem(g, dst)
    if any(p < 0 for p in s.pad):
        return B.index_add(inner, s.in_shape, src)
    return inner


# ----------------------------------------------------------------------------------------------
# reflection and replication padding: a gather per padded dim, its adjoint a scatter-add
# ----------------------------------------------------------------------------------------------
def _source(n: int, lo: int, hi: int, kind: str) -> np.ndarray:
    """The input position each output position of one dim reads (ATen's index arithmetic,
    negative amounts cropping)."""
    j = np.arange(n + lo + hi) - lo
    if kind == "reflection":
        j = np.abs(j)
        return np.where(j > n - 1, 2 * (n - 1) - j, j)
    return np.clip(j, 0, n - 1)


def _axes(ndim: int, pad: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(axis, lo, hi) per padded dim; pad lists the last dim first, as F.pad does."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def _np_mode_pad(a: np.ndarray, pad: tuple[int, ...], kind: str) -> np.ndarray:
    out = a
    for ax, lo, hi in _axes(a.ndim, pad):
        out = np.take(out, _source(a.shape[ax], lo, hi, kind), axis=ax)
    return np.ascontiguousarray(out)


def _np_mode_pad_backward(g: np.ndarray, in_shape: tuple[int, ...], pad: tuple[int, ...],
                          kind: str) -> np.ndarray:
    """Each output position's gradient added back to the input position it was read from."""
    out = g
    for ax, lo, hi in _axes(g.ndim, pad):
        shape = list(out.shape)
        shape[ax] = in_shape[ax]
        acc = np.zeros(shape, dtype=g.dtype)
        np.add.at(acc, (slice(None),) * ax + (_source(in_shape[ax], lo, hi, kind),), out)
        out = acc
    return out


PAD_OPS: dict[tuple[str, int], Any] = {}


def _zeros_formula(g, s, B):
    "0 (the kernel does not depend on the input's values)"
    return B.zeros_like(g)


def _make_mode_pad(kind: str, nsp: int) -> None:
    """``<kind>_pad<n>d`` and its backward kernel op, with torch's node names."""
    name = f"{kind}_pad{nsp}d"
    stem = f"{kind.capitalize()}Pad{nsp}D"
    mode = "reflect" if kind == "reflection" else "replicate"

    def forward(a: np.ndarray, pad: tuple[int, ...]) -> np.ndarray:
        return _np_mode_pad(a, pad, kind)

    def np_kernel(g: np.ndarray, x: np.ndarray, pad: tuple[int, ...]) -> np.ndarray:
        return _np_mode_pad_backward(g, x.shape, pad, kind)

    forward.__name__ = name
    np_kernel.__name__ = name + "_backward"
    # complex audited (stft pads a complex signal): copies and their scatter-add, no arithmetic
    op = defop(name, stem + "Backward0", forward, save=("self",), complex_ok=True,
               torch=f"torch.nn.functional.pad (mode={mode!r}, {2 * nsp} padding amounts)")
    bw = defop(name + "_backward", stem + "BackwardBackward0", np_kernel,
               inputs=("grad_output", "self"), complex_ok=True,
               torch=f"(double backward of F.pad, mode={mode!r}, {2 * nsp} padding amounts)")

    def _self(g, s, B):
        return getattr(B, name + "_backward")(g, s.self, s.pad)

    _self.__doc__ = (f"{name}_backward(grad, self, padding): each output's gradient added to the "
                     "input position it was read from")
    op.grad("self")(_self)

    def _go(g, s, B):
        return op(g, pad=s.pad) if B.tensors else forward(g, s.pad)

    _go.__doc__ = f"{name}(grad, padding)"
    bw.grad("grad_output")(_go)
    bw.grad("self")(_zeros_formula)
    KERNELS[name + "_backward"] = (np_kernel, lambda g, x, pad: bw(g, x, pad=pad))
    PAD_OPS[kind, nsp] = op


for _kind in ("reflection", "replication"):
    for _nsp in (1, 2, 3):
        _make_mode_pad(_kind, _nsp)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
_MODES = {"constant", "reflect", "replicate", "circular"}
_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _pad_arg(pad: Any, fn: str = "pad") -> tuple[int, ...]:
    """torch's parsing of ``pad`` as a tuple of ints (TypeError otherwise)."""
    if isinstance(pad, Tensor) or not isinstance(pad, list | tuple):
        raise InvalidTypeError(f"{fn}(): argument 'pad' (position 2) must be tuple of ints, not "
                               f"{type(pad).__name__}")
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, Tensor) and p.ndim == 0 and not p.dtype.is_floating_point:
            p = p.item()
        if not isinstance(p, numbers.Integral):
            raise InvalidTypeError(
                f"{fn}(): argument 'pad' (position 2) must be tuple of ints, but found element "
                f"of type {type(p).__name__} at pos {i}")
        out.append(int(p))
    return tuple(out)


def _check_valid_input(x: Tensor, nsp: int) -> None:
    """ATen's padding::check_valid_input: a 0 batch size is allowed, no other empty dim."""
    shape = x.shape
    batched = len(shape) == nsp + 2
    if 0 in shape[1:] if batched else 0 in shape:
        raise InvalidArgumentError(
            f"Expected {nsp + 1}D or {nsp + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got: {list(shape)}")


def _check_mode_pad(x: Tensor, pad: tuple[int, ...], kind: str) -> None:
    """The checks of ATen's reflection_pad{1,2,3}d / replication_pad{1,2,3}d, in their order."""
    nsp = len(pad) // 2
    _check_valid_input(x, nsp)
    shape = list(x.shape)
    first = len(shape) - nsp  # the first padded dim
    # sizes and output sizes in (D,) H, W order; pad pairs (W first) reversed to match
    ins = shape[first:]
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(nsp))]
    outs = [n + lo + hi for n, (lo, hi) in zip(ins, pairs)]
    if kind == "reflection":
        for k in reversed(range(nsp)):  # W (argument #4), then H (#6), then D (#8)
            lo, hi = pairs[k]
            if not (lo < ins[k] and hi < ins[k]):
                raise InvalidArgumentError(
                    f"Argument #{4 + 2 * (nsp - 1 - k)}: Padding size should be less than the "
                    f"corresponding input dimension, but got: padding ({lo}, {hi}) at dimension "
                    f"{first + k} of input {shape}")
    if all(o < 1 for o in outs):
        if nsp == 1:
            msg = f"input (W: {ins[0]}) is too small. Calculated output W: {outs[0]}"
        elif nsp == 2:
            gap = " " if kind == "replication" else ""
            msg = (f"input (H: {ins[0]}, W: {ins[1]}{gap}) is too small. Calculated output "
                   f"H: {outs[0]} W: {outs[1]}")
        else:
            msg = (f"input (D: {ins[0]} H: {ins[1]}, W: {ins[2]}) is too small. Calculated "
                   f"output D: {outs[0]} H: {outs[1]} W: {outs[2]}")
        raise InvalidArgumentError(msg)
    if any(o < 0 for o in outs):
        if kind == "reflection" and nsp == 2:  # its output is resized, not allocated
            raise InvalidArgumentError("numel: integer multiplication overflow")
        check_shape(tuple(shape[:first] + outs))
    if x.dtype == dtypes.bool_:
        raise NotImplementedArgumentError(f"\"{kind}_pad{nsp}d\" not implemented for 'Bool'")


def _slice(x: Tensor, dim: int, start: int, stop: int) -> Tensor:
    """ATen's slice: negative bounds counted from the end, then clamped to the dim."""
    n = x.shape[dim]
    start, stop = (b + n if b < 0 else b for b in (start, stop))
    start = min(max(start, 0), n)
    stop = min(max(stop, start), n)
    return slice_op(x, dim=dim, start=start, stop=stop, step=1)


def _pad_circular(x: Tensor, pad: tuple[int, ...]) -> Tensor:
    """ATen's _pad_circular, step by step: the middle copied in through slices of a new tensor,
    then each border copied from the other end of the output (corners more than once)."""
    nsp = len(pad) // 2
    in_shape = x.shape
    first = len(in_shape) - nsp
    out_shape = list(in_shape)
    for i in range(nsp):
        lo, hi = pad[2 * (nsp - i - 1)], pad[2 * (nsp - i - 1) + 1]
        n = in_shape[first + i]
        out_shape[first + i] = n + lo + hi
        if not (lo <= n and hi <= n):
            raise InvalidArgumentError("Padding value causes wrapping around more than once.")
        if out_shape[first + i] < 0:
            raise InvalidArgumentError(
                "Negative padding value is resulting in an empty dimension")
    check_shape(tuple(out_shape))
    # (zeros, not torch's uninitialised memory: every element is written below anyway)
    out = Tensor._make(np.zeros(out_shape, dtype=x._data.dtype), None, 0, None)
    out_part, in_part = out, x
    for i in range(nsp):
        d = len(in_shape) - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        out_part = _slice(out_part, d, max(lo, 0), out_shape[d] - max(hi, 0))
        in_part = _slice(in_part, d, max(-lo, 0), in_shape[d] - max(-hi, 0))
    copy_(out_part, in_part)
    for i in range(nsp):
        d = len(in_shape) - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if lo > 0:
            end = out_shape[d] - max(hi, 0)
            copy_(_slice(out, d, 0, lo), _slice(out, d, end - lo, end))
        if hi > 0:
            start = max(lo, 0)
            copy_(_slice(out, d, out_shape[d] - hi, out_shape[d]),
                  _slice(out, d, start, start + hi))
    return out


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Padding in torch's four modes: constant, reflect, replicate and circular.

    Constant pads any dims (negative amounts crop); reflect and replicate record one node per
    padded rank (``ReflectionPad2DBackward0``, ...); circular records torch's slice copies."""
    amounts = _pad_arg(pad)
    if not isinstance(mode, str):
        raise InvalidTypeError(
            f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}")
    if mode not in _MODES:
        raise NotImplementedArgumentError(f"Unrecognised padding mode {mode}")
    if len(amounts) % 2:
        raise InvalidArgumentError("Padding length must be divisible by 2")
    nd = input._data.ndim
    if len(amounts) // 2 > nd:
        raise InvalidArgumentError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(amounts)} and input of dimension {nd}")
    if mode == "constant":
        return constant_pad_nd_op(input, pad=amounts, value=0 if value is None else value)
    if value is not None and value != 0:
        raise InvalidArgumentError(f"Padding mode \"{mode}\" doesn't take in value argument")
    nsp = len(amounts) // 2
    if not 1 <= nsp <= 3 or nd not in (nsp + 1, nsp + 2):
        raise NotImplementedArgumentError(
            f"Padding size {len(amounts)} is not supported for {nd}D input tensor.\n{_SUPPORTED}")
    if mode == "circular":
        return _pad_circular(input, amounts)
    kind = "reflection" if mode == "reflect" else "replication"
    _check_mode_pad(input, amounts, kind)
    return PAD_OPS[kind, nsp](input, pad=amounts)


def constant_pad_nd(input: Tensor, pad: Any, value: float = 0) -> Tensor:
    """``torch.constant_pad_nd``: F.pad's constant mode without its mode argument."""
    amounts = _pad_arg(pad, "constant_pad_nd")
    if len(amounts) % 2:
        raise InvalidArgumentError("Length of pad must be even but instead it equals "
                                   f"{len(amounts)}")
    if len(amounts) // 2 > input._data.ndim:
        raise InvalidArgumentError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(amounts)}while the input has {input._data.ndim}dimensions.")
    return constant_pad_nd_op(input, pad=amounts, value=value)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"constant_pad_nd": constant_pad_nd}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {"pad": pad}
