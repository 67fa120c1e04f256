"""The discrete Fourier transforms torch.fft is built on: ATen's ``_fft_c2c``, ``_fft_r2c``
and ``_fft_c2r`` (FftC2CBackward0, FftR2CBackward0, FftC2RBackward0), on NumPy's pocketfft.

Each takes its ``normalization`` as ATen's enum (0: none, 1: by 1/sqrt(n), 2: by 1/n, with n
the product of the signal sizes) and transforms over ``dim``. The derivative formulas are
derivatives.yaml's: the adjoint of a C2C transform is the C2C transform the other way with the
same normalization; R2C's backward pads a one-sided gradient with zeros and takes the real part
of the inverse C2C; C2R's is a one-sided R2C with the entries that stand for two doubled.
The public functions (``adcli.fft``) resize their inputs and pick the ops as torch's do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import defop
from ..tensor import Tensor

# ATen's fft_norm_mode -> NumPy's norm for a transform (forward, inverse)
_NP_NORM = {(0, True): "backward", (0, False): "forward", (1, True): "ortho",
            (1, False): "ortho", (2, True): "forward", (2, False): "backward"}


def _complex_of(a: np.ndarray) -> np.dtype:
    return np.result_type(a.dtype, np.complex64)


def _c2c(a: np.ndarray, dim: tuple[int, ...], normalization: int, forward: bool) -> np.ndarray:
    fn = np.fft.fftn if forward else np.fft.ifftn
    out = fn(a, axes=dim, norm=_NP_NORM[(normalization, forward)])
    return np.asarray(out, dtype=a.dtype)


def _r2c(a: np.ndarray, dim: tuple[int, ...], normalization: int,
         onesided: bool) -> np.ndarray:
    norm = _NP_NORM[(normalization, True)]
    out = np.fft.rfftn(a, axes=dim, norm=norm) if onesided else np.fft.fftn(a, axes=dim,
                                                                           norm=norm)
    return np.asarray(out, dtype=_complex_of(a))


def _c2r(a: np.ndarray, dim: tuple[int, ...], normalization: int,
         last_dim_size: int) -> np.ndarray:
    s = [a.shape[d] for d in dim[:-1]] + [last_dim_size]
    out = np.fft.irfftn(a, s=s, axes=dim, norm=_NP_NORM[(normalization, False)])
    return np.asarray(out, dtype=a.real.dtype)


fft_c2c_op = defop("_fft_c2c", "FftC2CBackward0", _c2c, complex_ok=True,
                   torch="torch.fft.fft / ifft / fftn / ... (complex input)")
fft_r2c_op = defop("_fft_r2c", "FftR2CBackward0", _r2c, complex_ok=True,
                   torch="torch.fft.rfft / rfftn / fft (real input) / ihfft")
fft_c2r_op = defop("_fft_c2r", "FftC2RBackward0", _c2r, complex_ok=True,
                   torch="torch.fft.irfft / irfftn / hfft")


def _c2c_any(g: Any, dim: tuple[int, ...], normalization: int, forward: bool, B: Any) -> Any:
    if B.tensors:
        return fft_c2c_op(g, dim=dim, normalization=normalization, forward=forward)
    return _c2c(np.asarray(g, dtype=_complex_of(g)), dim, normalization, forward)


@fft_c2c_op.grad("self")
def _fft_c2c_self(g, s, B):
    "_fft_c2c(grad, dim, normalization, not forward)"
    return _c2c_any(g, s.dim, s.normalization, not s.forward, B)


@fft_r2c_op.grad("self")
def _fft_r2c_self(g, s, B):
    "real(_fft_c2c(grad zero-padded to the full last dim when onesided, dim, norm, inverse))"
    last = s.dim[-1]
    if s.onesided:
        n = s.in_shape[last]
        pad = [(0, 0)] * len(s.in_shape)
        pad[last] = (0, n - g.shape[last])
        if B.tensors:
            amounts: list[int] = []
            for lo, hi in reversed(pad):
                amounts += [lo, hi]
            g = B.constant_pad_nd(g, amounts, 0)
        else:
            g = np.pad(g, pad)
    return B.real(_c2c_any(g, s.dim, s.normalization, False, B))


@fft_c2r_op.grad("self")
def _fft_c2r_self(g, s, B):
    "_fft_r2c(grad, dim, normalization, onesided), the entries that stand for two doubled"
    last = s.dim[-1]
    if B.tensors:
        gi = fft_r2c_op(g, dim=s.dim, normalization=s.normalization, onesided=True)
    else:
        gi = _r2c(g, s.dim, s.normalization, True)
    double = g.shape[last] - gi.shape[last]
    if double > 0:
        scale = np.ones(gi.shape[last])
        scale[1:1 + double] = 2
        shape = [1] * len(gi.shape)
        shape[last] = -1
        scale = scale.reshape(shape)
        gi = gi * (Tensor._make(scale, None, 0, None) if B.tensors else scale)
    return gi


TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
