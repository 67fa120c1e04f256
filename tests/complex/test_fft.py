"""torch.fft against torch 2.13: values (NumPy's pocketfft: within a few ulps of torch's,
measured relative to the largest output), dtypes, grad_fn chains (FftC2CBackward0,
FftR2CBackward0, FftC2RBackward0 and the pads, slices, conjugates and casts around them),
gradients, errors; gradcheck of the three transforms on complex inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()

from test_complex_core import same  # noqa: E402

import adcli  # noqa: E402

# name: (program on T, leaves: (shape, complex?))
CASES: dict[str, tuple[Callable[..., Any], list[tuple[tuple[int, ...], bool]]]] = {
    "fft real": (lambda T, x: T.fft.fft(x), [((5,), False)]),
    "fft complex": (lambda T, z: T.fft.fft(z), [((5,), True)]),
    "fft n pad": (lambda T, z: T.fft.fft(z, n=8), [((5,), True)]),
    "fft n slice": (lambda T, z: T.fft.fft(z, n=3, dim=0), [((5, 2), True)]),
    "fft ortho": (lambda T, z: T.fft.fft(z, norm="ortho"), [((6,), True)]),
    "fft forward": (lambda T, z: T.fft.fft(z, norm="forward"), [((6,), True)]),
    "ifft": (lambda T, z: T.fft.ifft(z), [((5,), True)]),
    "ifft real": (lambda T, x: T.fft.ifft(x), [((5,), False)]),
    "ifft forward": (lambda T, z: T.fft.ifft(z, norm="forward"), [((4, 3), True)]),
    "rfft": (lambda T, x: T.fft.rfft(x), [((5,), False)]),
    "rfft even n": (lambda T, x: T.fft.rfft(x, n=6, norm="ortho"), [((2, 5), False)]),
    "irfft": (lambda T, z: T.fft.irfft(z), [((5,), True)]),
    "irfft odd n": (lambda T, z: T.fft.irfft(z, n=7), [((5,), True)]),
    "irfft real input": (lambda T, x: T.fft.irfft(x, n=4), [((3,), False)]),
    "hfft": (lambda T, z: T.fft.hfft(z), [((5,), True)]),
    "ihfft": (lambda T, x: T.fft.ihfft(x), [((5,), False)]),
    "fft2 real": (lambda T, x: T.fft.fft2(x), [((3, 4), False)]),
    "ifft2": (lambda T, z: T.fft.ifft2(z), [((3, 4), True)]),
    "fftn": (lambda T, z: T.fft.fftn(z, s=(4, 5)), [((3, 4), True)]),
    "fftn dim": (lambda T, z: T.fft.fftn(z, dim=0, norm="forward"), [((3, 4), True)]),
    "ifftn": (lambda T, z: T.fft.ifftn(z, dim=(0, 2)), [((2, 3, 4), True)]),
    "rfft2": (lambda T, x: T.fft.rfft2(x), [((3, 4), False)]),
    "rfftn s": (lambda T, x: T.fft.rfftn(x, s=(4, 6)), [((3, 4), False)]),
    "irfft2": (lambda T, z: T.fft.irfft2(z), [((3, 4), True)]),
    "irfftn s": (lambda T, z: T.fft.irfftn(z, s=(3, 5)), [((3, 4), True)]),
    "hfftn": (lambda T, z: T.fft.hfftn(z), [((3, 4, 5), True)]),
    "hfftn real input": (lambda T, x: T.fft.hfftn(x, norm="ortho"), [((3, 4), False)]),
    "hfftn one dim": (lambda T, z: T.fft.hfftn(z, dim=(0,)), [((3, 4), True)]),
    "hfftn dims forward": (lambda T, z: T.fft.hfftn(z, dim=(2, 0), norm="forward"),
                           [((3, 4, 5), True)]),
    "hfft2 s": (lambda T, z: T.fft.hfft2(z, s=(5, 6)), [((4, 5), True)]),
    "ihfftn": (lambda T, x: T.fft.ihfftn(x), [((3, 4, 5), False)]),
    "ihfftn one dim": (lambda T, x: T.fft.ihfftn(x, dim=1), [((3, 4), False)]),
    "ihfftn dims ortho": (lambda T, x: T.fft.ihfftn(x, dim=(0, 2), norm="ortho"),
                          [((3, 4, 5), False)]),
    "ihfft2 s": (lambda T, x: T.fft.ihfft2(x, s=(3, 6)), [((4, 5), False)]),
    "fftshift": (lambda T, x: T.fft.fftshift(x), [((5, 4), False)]),
    "ifftshift dim": (lambda T, x: T.fft.ifftshift(x, dim=1), [((5, 5), False)]),
    "float32": (lambda T, x: T.fft.fft(x.float()), [((7,), False)]),
    "complex64": (lambda T, z: T.fft.irfft(z.to(T.cfloat)), [((7,), True)]),
}


def _chain(t: Any) -> list[str]:
    out, node = [], t.grad_fn
    while node is not None:
        out.append(type(node).__name__)
        nxt = [f for f, _ in node.next_functions if f is not None]
        node = nxt[0] if nxt else None
    return out


def _run(T: Any, name: str) -> tuple[Any, list[str], list[Any]]:
    fn, leaves = CASES[name]
    T.manual_seed(sum(map(ord, name)))
    xs = [T.randn(*s, dtype=T.cdouble if c else T.float64, requires_grad=True)
          for s, c in leaves]
    out = fn(T, *xs)
    w = T.randn(out.shape, dtype=out.dtype)
    ((out * w).real if out.is_complex() else out * w).sum().backward()
    return out.detach().resolve_conj(), _chain(out), [x.grad.resolve_conj() for x in xs]


def _close(got: np.ndarray, want: np.ndarray, eps: float) -> None:
    # a transform's rounding error scales with the largest output, not with each entry
    scale = max(float(np.abs(want).max()), 1.0) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=0, atol=8 * eps * scale)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fft_is_torchs(name: str) -> None:
    out_g, chain_g, grads_g = _run(adcli, name)
    out_w, chain_w, grads_w = _run(torch, name)
    assert chain_g == chain_w
    assert str(out_g.dtype) == str(out_w.dtype) and tuple(out_g.shape) == tuple(out_w.shape)
    eps = float(np.finfo(out_w.numpy().real.dtype).eps)
    _close(out_g.numpy(), out_w.numpy(), eps)
    for g, w in zip(grads_g, grads_w):
        assert str(g.dtype) == str(w.dtype)
        _close(g.numpy(), w.numpy(), eps)  # (computed at the output's precision)


def test_frequencies_are_torchs() -> None:
    for make in (lambda T: T.fft.fftfreq(5), lambda T: T.fft.fftfreq(6, 0.1),
                 lambda T: T.fft.rfftfreq(5, d=0.5),
                 lambda T: T.fft.fftfreq(4, dtype=T.float64, requires_grad=True)):
        got, want = make(adcli), make(torch)
        assert str(got.dtype) == str(want.dtype) and got.requires_grad == want.requires_grad
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())


ERRORS = {
    "rfft of complex": lambda T: T.fft.rfft(T.randn(3, dtype=T.cfloat)),
    "rfftn of complex": lambda T: T.fft.rfftn(T.randn(3, dtype=T.cfloat)),
    "bad norm": lambda T: T.fft.fft(T.randn(3), norm="bad"),
    "n=0": lambda T: T.fft.fft(T.randn(3), n=0),
    "irfft of one": lambda T: T.fft.irfft(T.randn(1, dtype=T.cfloat)),
    "ihfftn of complex": lambda T: T.fft.ihfftn(T.randn(3, 2, dtype=T.cdouble)),
    "ihfftn no dims": lambda T: T.fft.ihfftn(T.randn(3, 2), dim=()),
    "hfftn no dims": lambda T: T.fft.hfftn(T.randn(3, 2, dtype=T.cdouble), dim=()),
    "hfftn zero length": lambda T: T.fft.hfftn(T.randn(3, 2, dtype=T.cdouble), s=(2, 0)),
    "hfftn bad norm": lambda T: T.fft.hfftn(T.randn(3, 2, dtype=T.cdouble), norm="bad"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_are_torchs(name: str) -> None:
    with pytest.raises(RuntimeError):  # (an error in torch: same() then compares adcli's)
        ERRORS[name](torch)
    same(ERRORS[name])


@pytest.mark.parametrize("name", ["fft complex", "fft real", "ifft real", "rfft even n",
                                  "irfft odd n", "hfft", "ihfft", "fftn", "irfftn s",
                                  "rfftn s", "fft n slice", "hfftn", "hfft2 s", "ihfftn",
                                  "ihfft2 s"])
def test_gradcheck(name: str) -> None:
    fn, leaves = CASES[name]
    adcli.manual_seed(3)
    xs = tuple(adcli.randn(*s, dtype=adcli.cdouble if c else adcli.float64, requires_grad=True)
               for s, c in leaves)
    assert adcli.autograd.gradcheck(lambda *a: fn(adcli, *a), xs)
    assert adcli.gradcheck(lambda *a: fn(adcli, *a), xs).ok
