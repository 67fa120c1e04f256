"""``torch.fft`` for adcli: the transforms composed as ATen's SpectralOps composes them (input
promotion, ``n=``/``s=`` resizing by ConstantPadNdBackward0 or SliceBackward0, the
normalization mode from ``norm=`` and the direction), on the table ops of
``adcli/engine/ops/fft_ops.py`` (FftC2CBackward0, FftR2CBackward0, FftC2RBackward0).
Values are NumPy's pocketfft: within a few ulps of torch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .engine import dtypes as _dtypes
from .engine.errors import InvalidArgumentError
from .engine.ops import fft_ops as _F
from .engine.registry import TORCH as _TORCH
from .engine.tensor import Tensor, _wrap_dim

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "fftn", "ifftn", "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]


def _norm(norm: str | None, forward: bool) -> int:
    """ATen's norm_from_string: 0 none, 1 by 1/sqrt(n), 2 by 1/n."""
    if norm is None or norm == "backward":
        return 0 if forward else 2
    if norm == "forward":
        return 2 if forward else 0
    if norm == "ortho":
        return 1
    raise InvalidArgumentError(f"Invalid normalization mode: \"{norm}\"")


def _promote(x: Tensor, require_complex: bool = False) -> Tensor:
    """ATen's promote_tensor_fft: integers to the default float, complex when asked."""
    kind = x._data.dtype.kind
    if kind in "biu":
        x = x.to(_dtypes.get_default_dtype())
    if require_complex and x._data.dtype.kind != "c":
        x = x.to(_dtypes.from_numpy(x._data.dtype).to_complex())
    return x


def _resize(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """ATen's resize_fft_input: slice what is too long, zero-pad what is too short."""
    pad: list[int] = [0] * (2 * x.dim())
    must_pad = False
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if n == -1 or have == n:
            continue
        if have > n:
            x = x.narrow(d, 0, n)
        else:
            pad[2 * (x.dim() - 1 - d) + 1] = n - have
            must_pad = True
    if must_pad:
        x = _TORCH["constant_pad_nd"](x, pad)
    return x


def _check_n(n: int) -> None:
    if n < 1:
        raise InvalidArgumentError(f"Invalid number of data points ({n}) specified")


def _c2c(x: Tensor, n: int | None, dim: int, norm: str | None, forward: bool) -> Tensor:
    d = _wrap_dim(dim, x.dim())
    if n is not None:
        _check_n(n)
        x = _resize(x, [d], [n])
    return _F.fft_c2c_op(x, dim=(d,), normalization=_norm(norm, forward), forward=forward)


def _r2c(name: str, x: Tensor, n: int | None, dim: int, norm: str | None, forward: bool,
         onesided: bool) -> Tensor:
    if x.is_complex():
        raise InvalidArgumentError(f"{name} expects a real input tensor, but got "
                                   f"{_dtypes.scalar_type_name(x._data.dtype)}")
    x = _promote(x)
    d = _wrap_dim(dim, x.dim())
    if n is not None:
        _check_n(n)
        x = _resize(x, [d], [n])
    out = _F.fft_r2c_op(x, dim=(d,), normalization=_norm(norm, forward), onesided=onesided)
    return out if forward else out.conj()  # (ATen: no native r2c inverse)


def _c2r(x: Tensor, n: int | None, dim: int, norm: str | None, forward: bool) -> Tensor:
    x = _promote(x, require_complex=True)
    d = _wrap_dim(dim, x.dim())
    size = n if n is not None else 2 * (x.shape[d] - 1)
    _check_n(size)
    if n is not None:
        x = _resize(x, [d], [size // 2 + 1])
    if forward:  # (ATen: no c2r with forward=true; the input is conjugated instead)
        x = x.conj()
    return _F.fft_c2r_op(x, dim=(d,), normalization=_norm(norm, forward), last_dim_size=size)


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The 1-D discrete Fourier transform (torch.fft.fft)."""
    if input.is_complex():
        return _c2c(input, n, dim, norm, True)
    return _r2c("fft", input, n, dim, norm, True, False)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The 1-D inverse discrete Fourier transform (torch.fft.ifft)."""
    if input.is_complex():
        return _c2c(input, n, dim, norm, False)
    return _r2c("ifft", input, n, dim, norm, False, False)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-sided transform of a real signal (torch.fft.rfft)."""
    return _r2c("rfft", input, n, dim, norm, True, True)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of rfft: a real signal of length n (torch.fft.irfft)."""
    return _c2r(input, n, dim, norm, False)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The transform of a Hermitian-symmetric signal, real (torch.fft.hfft)."""
    return _c2r(input, n, dim, norm, True)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of hfft (torch.fft.ihfft)."""
    return _r2c("ihfft", input, n, dim, norm, False, True)


def _dims_sizes(x: Tensor, s: Sequence[int] | None, dim: Sequence[int] | int | None,
                name: str) -> tuple[list[int], list[int]]:
    """ATen's canonicalize_fft_shape_and_dim_args."""
    nd = x.dim()
    if isinstance(dim, int):
        dim = [dim]
    if dim is not None:
        dims = [_wrap_dim(d, nd) for d in dim]
        if len(set(dims)) != len(dims):
            raise InvalidArgumentError("FFT dims must be unique")
    if s is not None:
        s = list(s)
        if dim is not None and len(s) != len(dims):
            raise InvalidArgumentError(
                "When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise InvalidArgumentError(
                f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        if dim is None:
            dims = list(range(nd - len(s), nd))
        sizes = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    else:
        if dim is None:
            dims = list(range(nd))
        sizes = [x.shape[d] for d in dims]
    for n in sizes:
        if n < 1:
            raise InvalidArgumentError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _cn(x: Tensor, s: Any, dim: Any, norm: str | None, forward: bool, name: str) -> Tensor:
    x = _promote(x, require_complex=True)
    dims, sizes = _dims_sizes(x, s, dim, name)
    x = _resize(x, dims, sizes)
    return _F.fft_c2c_op(x, dim=tuple(dims), normalization=_norm(norm, forward),
                         forward=forward)


def fftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-D discrete Fourier transform (torch.fft.fftn)."""
    return _cn(input, s, dim, norm, True, "fftn")


def ifftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-D inverse discrete Fourier transform (torch.fft.ifftn)."""
    return _cn(input, s, dim, norm, False, "ifftn")


def fft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D discrete Fourier transform (torch.fft.fft2)."""
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D inverse discrete Fourier transform (torch.fft.ifft2)."""
    return ifftn(input, s, dim, norm)


def _r2c_args(input: Tensor, s: Any, dim: Any, name: str,
              complex_error: str) -> tuple[Tensor, list[int]]:
    """An N-D R2C transform's checks (a real input, at least one dim), the input promoted and
    resized, and its dims."""
    if input.is_complex():
        raise InvalidArgumentError(complex_error + _dtypes.scalar_type_name(input._data.dtype))
    x = _promote(input)
    dims, sizes = _dims_sizes(x, s, dim, name)
    if not dims:
        raise InvalidArgumentError(f"{name} must transform at least one axis")
    return _resize(x, dims, sizes), dims


def rfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-D transform of a real signal, one-sided in the last dim (torch.fft.rfftn)."""
    x, dims = _r2c_args(input, s, dim, "rfftn", "rfftn expects a real-valued input tensor, but "
                        "got ")
    return _F.fft_r2c_op(x, dim=tuple(dims), normalization=_norm(norm, True), onesided=True)


def _c2r_args(x: Tensor, s: Any, dim: Any, name: str) -> tuple[Tensor, list[int], int]:
    """ATen's canonicalize_fft_c2r_shape_and_dim_args, then the input resized: the dims, and
    the last dim's output length (its input keeps length // 2 + 1)."""
    dims, sizes = _dims_sizes(x, s, dim, name)
    if not dims:
        raise InvalidArgumentError(f"{name} must transform at least one axis")
    last = sizes[-1] if s is not None and list(s)[-1] != -1 else 2 * (x.shape[dims[-1]] - 1)
    if last < 1:
        raise InvalidArgumentError(f"Invalid number of data points ({last}) specified")
    sizes[-1] = last // 2 + 1
    return _resize(x, dims, sizes), dims, last


def irfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of rfftn (torch.fft.irfftn)."""
    x, dims, last = _c2r_args(_promote(input, require_complex=True), s, dim, "irfftn")
    return _F.fft_c2r_op(x, dim=tuple(dims), normalization=_norm(norm, False),
                         last_dim_size=last)


def hfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-D transform of a Hermitian-symmetric signal, real (torch.fft.hfftn): a C2C
    transform over all dims but the last, conjugated, then a C2R over the last (ATen's)."""
    x, dims, last = _c2r_args(_promote(input, require_complex=True), s, dim, "hfftn")
    n = _norm(norm, True)
    if len(dims) > 1:
        x = _F.fft_c2c_op(x, dim=tuple(dims[:-1]), normalization=n, forward=True)
    return _F.fft_c2r_op(x.conj(), dim=(dims[-1],), normalization=n, last_dim_size=last)


def ihfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of hfftn (torch.fft.ihfftn): a one-sided R2C over the last dim, conjugated
    (conj_physical), then an inverse C2C over the others (ATen's)."""
    x, dims = _r2c_args(input, s, dim, "ihfftn", "Only supports floating-point dtypes, but "
                        "found: ")
    n = _norm(norm, False)
    out = _F.fft_r2c_op(x, dim=(dims[-1],), normalization=n, onesided=True)
    if len(dims) == 1:
        return out.conj()
    out = _TORCH["conj_physical"](out)
    return _F.fft_c2c_op(out, dim=tuple(dims[:-1]), normalization=n, forward=False)


def hfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D hfftn (torch.fft.hfft2)."""
    return hfftn(input, s, dim, norm)


def ihfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D ihfftn (torch.fft.ihfft2)."""
    return ihfftn(input, s, dim, norm)


def rfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D transform of a real signal (torch.fft.rfft2)."""
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of rfft2 (torch.fft.irfft2)."""
    return irfftn(input, s, dim, norm)


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, requires_grad: bool = False,
            **kw: Any) -> Tensor:
    """The sample frequencies of fft: arange(n) wrapped at n // 2, divided by n * d."""
    x = _TORCH["arange"](n, dtype=dtype if dtype is not None else _dtypes.get_default_dtype())
    with _TORCH["no_grad"]():
        x[(n + 1) // 2:] -= n  # (ATen: results.slice(0, (n + 1) / 2).sub_(n))
        x = x.mul_(1.0 / (n * d))
    return x.requires_grad_(requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, requires_grad: bool = False,
             **kw: Any) -> Tensor:
    """The sample frequencies of rfft: arange(n // 2 + 1) divided by n * d."""
    x = _TORCH["arange"](n // 2 + 1,
                         dtype=dtype if dtype is not None else _dtypes.get_default_dtype())
    with _TORCH["no_grad"]():
        x = x.mul_(1.0 / (n * d))
    return x.requires_grad_(requires_grad)


def _shift(input: Tensor, dim: Any, inverse: bool) -> Tensor:
    dims = list(range(input.dim())) if dim is None else [dim] if isinstance(dim, int) else \
        list(dim)
    # (ATen's shifts: n // 2, and (n + 1) // 2 for the inverse)
    shifts = [(input.shape[d] + inverse) // 2 for d in dims]
    return _TORCH["roll"](input, shifts, dims)


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """Moves the zero frequency to the centre (torch.fft.fftshift: a roll by n // 2)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The inverse of fftshift (a roll by (n + 1) // 2)."""
    return _shift(input, dim, True)

