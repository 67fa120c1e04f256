"""``torch.stft`` / ``torch.istft`` (and the Tensor methods), composed as torch composes them.

stft is torch/functional.py's centre padding (``F.pad`` of a 3-d view, ReflectionPad1DBackward0
by default) followed by ATen's ``stft``: the window zero-padded to ``n_fft`` (CopySlices), the
frames as one ``as_strided`` view, the window multiplied in, ``_fft_r2c`` (or ``_fft_c2c`` for
a complex input or window) over the last dim, then ``transpose_`` and ``squeeze_`` in place, so
the grad_fn graph is torch's (SqueezeBackward4 -> TransposeBackward1 -> FftR2CBackward0 ->
MulBackward0 -> AsStridedBackward0 ...). istft is ATen's ``istft``: the inverse transforms,
the window, an overlap-add (``unfold_backward``) and the division by the summed squared window.
"""

from __future__ import annotations

from typing import Any

from ..creation import zeros
from ..errors import AdcliError, InvalidArgumentError
from ..tensor import Tensor
from .common import warn_once
from .complex_parts import view_as_complex, view_as_real
from .fft_ops import fft_c2c_op, fft_c2r_op, fft_r2c_op
from .padding import constant_pad_nd
from .padding import pad as F_pad
from .strided import unfold_backward_op

_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_NEED_RETURN_COMPLEX = (
    "stft requires the return_complex parameter be given for real inputs, and will further "
    "require that return_complex=True in a future PyTorch release.")
_REAL_DEPRECATED = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will "
    "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
    "Note: you can still call torch.view_as_real on the complex output to recover the old "
    "return format.")


def _opt(v: Any) -> str:
    """ATen's writeOpt: the value (bools as 0/1) or None."""
    return "None" if v is None else str(int(v)) if isinstance(v, bool) else str(v)


def _two_sided(onesided: bool) -> None:
    """A complex transform has no one-sided form (ATen's check in stft and istft)."""
    if onesided:
        raise AdcliError("Cannot have onesided output if window or input is complex")


def _window_repr(window: Tensor | None) -> str:
    return "None" if window is None else f"{window.type()}{{{list(window.shape)}}}"


def _repr(x: Tensor, n_fft: int, hop: int, win: int, window: Tensor | None, normalized: bool,
          onesided: Any, return_complex: Any, align: Any) -> str:
    """ATen's REPR of an stft call, which its errors start with."""
    return (f"stft({x.type()}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={_window_repr(window)}, normalized={int(bool(normalized))}, "
            f"onesided={_opt(onesided)}, return_complex={_opt(return_complex)}, "
            f"align_to_window={_opt(align)}) ")


def _aten_stft(x: Tensor, n_fft: int, hop_length: int | None, win_length: int | None,
               window: Tensor | None, normalized: bool, onesided: bool | None,
               return_complex: bool | None, align: bool | None) -> Tensor:
    if window is None:
        warn_once("stft_window", _NO_WINDOW)
    hop = n_fft >> 2 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    complex_in = x._data.dtype.kind == "c" or (window is not None
                                               and window._data.dtype.kind == "c")
    rc = complex_in if return_complex is None else bool(return_complex)
    if not rc:
        if return_complex is None:
            raise AdcliError(_NEED_RETURN_COMPLEX)
        warn_once("stft_real", _REAL_DEPRECATED)

    def fail(what: str) -> AdcliError:
        return AdcliError(_repr(x, n_fft, hop, win, window, normalized, onesided,
                                return_complex, align) + ": " + what)

    if x._data.dtype.kind not in "fc":
        raise fail("expected a tensor of floating point or complex values")
    if x.dim() not in (1, 2):
        raise fail("expected a 1D or 2D tensor")
    inp = x.unsqueeze(0) if x.dim() == 1 else x
    batch, length = inp.shape[0], inp.shape[1]
    if n_fft <= 0 or n_fft > length:
        raise fail(f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise fail(f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise fail(f"expected a 1D window tensor of size equal to win_length={win}, but got "
                   f"window with size {list(window.shape)}")
    win_ = window
    if win < n_fft:
        # the window centred in n_fft zeros (torch: zeros + narrow().copy_, CopySlices)
        left = (n_fft - win) // 2
        like = window if window is not None else x
        win_ = zeros(n_fft, dtype=like.dtype)
        if window is not None:
            win_.narrow(0, left, win).copy_(window)
        else:
            win_.narrow(0, left, win).fill_(1)
    n_frames = 1 + (length - n_fft) // hop
    s0, s1 = inp.stride()
    frames = inp.as_strided((batch, n_frames, n_fft), (s0, hop * s1, s1))
    if win_ is not None:
        frames = frames.mul(win_)
    complex_fft = frames._data.dtype.kind == "c"
    one = (not complex_fft) if onesided is None else bool(onesided)
    norm = 1 if normalized else 0
    if complex_fft:
        _two_sided(one)
        out = fft_c2c_op(frames, dim=(2,), normalization=norm, forward=True)
    else:
        out = fft_r2c_op(frames, dim=(2,), normalization=norm, onesided=one)
    out.transpose_(1, 2)
    if x.dim() == 1:
        out.squeeze_(0)
    return out if rc else view_as_real(out)


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """Short-time Fourier transform, as torch.stft (frames as columns: ``(..., freq, frame)``)."""
    if center and align_to_window is not None:
        raise AdcliError("stft align_to_window should only be set when center = false")
    if align_to_window:
        raise InvalidArgumentError(
            "adcli's stft does not support align_to_window=True yet")
    if center:
        signal_dim = input.dim()
        extended = [1] * (3 - signal_dim) + list(input.shape)
        pad = int(n_fft // 2)
        input = F_pad(input.view(extended), [pad, pad], pad_mode)
        input = input.view(input.shape[-signal_dim:])
    return _aten_stft(input, n_fft, hop_length, win_length, window, normalized, onesided,
                      return_complex, align_to_window)


_NO_WINDOW_I = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_PADDED = (
    "The length of signal is shorter than the length parameter. Result is being padded with "
    "zeros in the tail. Please check your center and hop_length settings.")


def _cpu_type(x: Tensor) -> str:
    """ATen's toString of a CPU tensor's type (CPUComplexFloatType)."""
    return "CPU" + x.type().removeprefix("torch.").removesuffix("Tensor") + "Type"


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """Inverse short-time Fourier transform, as torch.istft (ATen's composite: inverse FFTs,
    window, overlap-add by unfold_backward, division by the window envelope)."""
    if window is None:
        warn_once("istft_window", _NO_WINDOW_I)
    hop = n_fft >> 2 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if input._data.dtype.kind != "c":
        raise AdcliError("istft requires a complex-valued input tensor matching the output "
                         "from stft with return_complex=True.")

    def fail(what: str) -> AdcliError:
        return AdcliError(
            f"istft({_cpu_type(input)}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={_window_repr(window)}, center={int(bool(center))}, "
            f"normalized={int(bool(normalized))}, onesided={_opt(onesided)}, "
            f"length={_opt(length)}, return_complex={int(bool(return_complex))}) {what}")

    x = view_as_real(input)
    nd = x.dim()
    n_frames, fft_size = x.size(-2), x.size(-3)
    expected = n_fft + hop * (n_frames - 1)
    if x.numel() == 0:
        raise fail(": input tensor cannot be empty.")
    if nd not in (3, 4):
        raise fail(": expected a tensor with 3 or 4 dimensions of complex dtype, but got "
                   f"{nd}")
    one = (fft_size != n_fft) if onesided is None else bool(onesided)
    if one and n_fft // 2 + 1 != fft_size:
        raise fail(": expected the frequency dimension (3rd to the last) of the input tensor "
                   f"to match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not one and n_fft != fft_size:
        raise fail(": expected the frequency dimension (3rd to the last) of the input tensor "
                   f"to match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        raise fail(": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise fail(": expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise fail(": Invalid window shape. window has to be 1D and length of `win_length`")
    w = window if window is not None else _ones(win, x)
    if win != n_fft:
        left = (n_fft - win) // 2
        w = constant_pad_nd(w, [left, n_fft - win - left], 0)
    if nd == 3:
        x = x.unsqueeze(0)
    z = view_as_complex(x.transpose(1, 2))  # (channel, n_frames, fft_size)
    norm = 1 if normalized else 2
    if return_complex:
        _two_sided(one)
        z = fft_c2c_op(z, dim=(2,), normalization=norm, forward=False)
    else:
        if window is not None and window._data.dtype.kind == "c":
            raise AdcliError("Complex windows are incompatible with return_complex=False")
        if not one:
            z = z.narrow(-1, 0, n_fft // 2 + 1)
        z = fft_c2r_op(z, dim=(2,), normalization=norm, last_dim_size=n_fft)
    y = unfold_backward_op(z * w.view(1, 1, n_fft), input_sizes=(z.shape[0], expected), dim=1,
                           size=n_fft, step=hop)
    env = unfold_backward_op(w.pow(2).expand(1, n_frames, n_fft), input_sizes=(1, expected),
                             dim=1, size=n_fft, step=hop)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else -(n_fft // 2) if center else expected
    y = y[:, start:end]
    env = env[:, start:end]
    if bool((env.abs().min() < 1e-11).item()):
        raise fail("window overlap add min: 1\n[ CPUBoolType{} ]")
    y = y / env
    if nd == 3:
        y = y.squeeze(0)
    if end > expected:
        warn_once("istft_length", _PADDED)
        y = constant_pad_nd(y, [0, end - expected], 0)
    return y


def _ones(n: int, like: Tensor) -> Tensor:
    from ..creation import ones

    return ones(n, dtype=like.dtype)


TORCH: dict[str, Any] = {"stft": stft, "istft": istft}
METHODS: dict[str, Any] = {"stft": stft, "istft": istft}
FUNCTIONAL: dict[str, Any] = {}
