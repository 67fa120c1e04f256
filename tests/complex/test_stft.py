"""torch.stft / torch.istft (and Tensor.stft / Tensor.istft) against torch 2.13: values (NumPy's
pocketfft against torch's: rtol 1e-12 in float64, as tests/complex/test_fft.py), gradients of
the signal, the window and the spectrogram, the whole grad_fn graph (torch's composite: the
centre pad, as_strided frames, the FFT op, transpose_/squeeze_; istft's inverse FFT, overlap-add
by unfold_backward and the window envelope), torch's errors word for word and its warnings."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()

from test_complex_core import same  # noqa: E402

import adcli  # noqa: E402


def _graph(t: Any) -> list[str]:
    out: list[str] = []

    def rec(node: Any, depth: int) -> None:
        if node is None:
            out.append("  " * depth + "None")
            return
        out.append("  " * depth + type(node).__name__)
        for f, _ in node.next_functions:
            rec(f, depth + 1)

    rec(t.grad_fn, 0)
    return out


def _compare(got: Any, want: Any) -> None:
    """(output, input's grad, window's grad or None) of adcli and torch: dtype, shape, graph,
    values and gradients (rtol 1e-12: pocketfft against torch's FFT)."""
    (ay, ag, agw), (ty, tg, tgw) = got, want
    assert str(ay.dtype) == str(ty.dtype) and tuple(ay.shape) == tuple(ty.shape)
    assert _graph(ay) == _graph(ty)
    np.testing.assert_allclose(ay.detach().numpy(), ty.detach().numpy(), rtol=1e-12,
                               atol=1e-13)
    np.testing.assert_allclose(ag.numpy(), tg.numpy(), rtol=1e-12, atol=1e-12)
    assert (agw is None) == (tgw is None)
    if tgw is not None:
        np.testing.assert_allclose(agw.numpy(), tgw.numpy(), rtol=1e-12, atol=1e-12)


def _data(seed: int, shape: tuple[int, ...], complex_: bool = False) -> np.ndarray:
    rng = np.random.default_rng([seed, *shape])
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if complex_ else a


W8 = np.random.default_rng(8).uniform(0.3, 1.0, 8)

# name: (signal shape, complex signal?, window (None or array), stft keywords)
STFT = {
    "default hann-like": ((21,), False, W8, {}),
    "batched": ((2, 21), False, W8, {}),
    "hop win_length no center": ((21,), False, W8[:6],
                                 {"hop_length": 3, "win_length": 6, "center": False}),
    "no window normalized": ((2, 21), False, None, {"normalized": True}),
    "constant pad twosided": ((21,), False, W8[:6],
                              {"win_length": 6, "pad_mode": "constant", "onesided": False}),
    "replicate odd n_fft": ((21,), False, None, {"n_fft": 7, "hop_length": 2,
                                                 "pad_mode": "replicate"}),
    "circular": ((20,), False, W8, {"pad_mode": "circular"}),
    "complex signal": ((21,), True, W8, {}),
    "complex window": ((21,), False, W8 * (1 + 0.5j), {}),
    "complex signal no window": ((2, 21), True, None, {"hop_length": 3}),
}


@pytest.mark.parametrize("name", sorted(STFT))
def test_stft_as_torch(name: str) -> None:
    shape, cplx, window, kw = STFT[name]
    x = _data(1, shape, cplx)
    kw = {"n_fft": 8, **kw}

    def run(T: Any) -> Any:
        X = T.tensor(x, requires_grad=True)
        W = None if window is None else T.tensor(window, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = T.stft(X, window=W, return_complex=True, **kw)
        (y.abs() ** 2 * T.arange(y.shape[-1], dtype=T.float64)).sum().backward()
        return y, X.grad, None if W is None else W.grad

    _compare(run(adcli), run(torch))


def test_stft_float32_return_complex_false_and_method() -> None:
    x = _data(2, (2, 30)).astype(np.float32)

    def run(T: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = T.stft(T.tensor(x), 16, window=T.hann_window(16), return_complex=False)
        b = T.tensor(x).stft(16, hop_length=5, window=T.hann_window(16), return_complex=True)
        return a, b

    (ta, tb), (aa, ab) = run(torch), run(adcli)
    for got, want in ((aa, ta), (ab, tb)):
        assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


# name: (stft keywords for the spectrogram, istft keywords)
ISTFT = {
    "default": ({}, {}),
    "hop win_length": ({"hop_length": 3, "win_length": 6}, {"hop_length": 3, "win_length": 6}),
    "no window normalized": ({"normalized": True}, {"normalized": True, "window": None}),
    "length longer": ({}, {"length": 25}),
    "length shorter": ({}, {"length": 15}),
    "twosided": ({"onesided": False}, {"onesided": False}),
    "return_complex": ({"onesided": False}, {"onesided": False, "return_complex": True}),
    "batched": ({}, {}),
}


@pytest.mark.parametrize("name", sorted(ISTFT))
def test_istft_as_torch(name: str) -> None:
    skw, ikw = ISTFT[name]
    x = _data(3, (2, 21) if name == "batched" else (21,))
    win = skw.get("win_length", 8)

    def run(T: Any) -> Any:
        S = T.stft(T.tensor(x), 8, window=T.tensor(W8[:win]), return_complex=True, **skw)
        S = S.detach().requires_grad_()
        kw = dict(ikw)
        W = T.tensor(W8[:win], requires_grad=True) if "window" not in kw else kw.pop("window")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = T.istft(S, 8, window=W, **kw)
        (y.abs() ** 2).sum().backward()
        return y, S.grad, None if W is None else W.grad

    _compare(run(adcli), run(torch))


def test_istft_method_round_trip() -> None:
    x = _data(4, (30,))
    for T in (torch, adcli):
        S = T.tensor(x).stft(8, window=T.hann_window(8, dtype=T.float64), return_complex=True)
        y = S.istft(8, window=T.hann_window(8, dtype=T.float64), length=30)
        np.testing.assert_allclose(y.numpy(), x, atol=1e-12)


def _s(T: Any) -> Any:
    return T.stft(T.arange(20.0), 8, window=T.ones(8), return_complex=True)


ERRORS = {
    "stft return_complex missing": lambda T: T.stft(T.ones(20), 8, window=T.ones(8)),
    "stft int": lambda T: T.stft(T.arange(20), 8, window=T.ones(8), return_complex=True),
    "stft 3-d": lambda T: T.stft(T.ones(2, 3, 20), 8, window=T.ones(8), return_complex=True),
    "stft 3-d no center": lambda T: T.stft(T.ones(2, 3, 20), 8, window=T.ones(8),
                                           return_complex=True, center=False),
    "stft n_fft": lambda T: T.stft(T.ones(20), 30, window=T.ones(30), return_complex=True,
                                   center=False),
    "stft hop": lambda T: T.stft(T.ones(20), 8, hop_length=0, window=T.ones(8),
                                 return_complex=True),
    "stft win_length": lambda T: T.stft(T.ones(20), 8, win_length=9, window=T.ones(9),
                                        return_complex=True),
    "stft window size": lambda T: T.stft(T.ones(20), 8, window=T.ones(7), return_complex=True),
    "stft onesided complex": lambda T: T.stft(T.ones(20, dtype=T.cfloat), 8, window=T.ones(8),
                                              return_complex=True, onesided=True),
    "stft pad mode": lambda T: T.stft(T.ones(20), 8, window=T.ones(8), return_complex=True,
                                      pad_mode="foo"),
    "stft align with center": lambda T: T.stft(T.ones(20), 8, window=T.ones(8),
                                               return_complex=True, align_to_window=True),
    "istft real": lambda T: T.istft(_s(T).real, 8, window=T.ones(8)),
    "istft overlap": lambda T: T.istft(_s(T), 8, window=T.hann_window(8), center=False),
    "istft window shape": lambda T: T.istft(_s(T), 8, window=T.ones(7)),
    "istft hop": lambda T: T.istft(_s(T), 8, hop_length=9, window=T.ones(8)),
    "istft win_length": lambda T: T.istft(_s(T), 8, win_length=9, window=T.ones(9)),
    "istft onesided complex": lambda T: T.istft(_s(T), 8, window=T.ones(8), return_complex=True),
    "istft twosided size": lambda T: T.istft(_s(T), 8, window=T.ones(8), onesided=False),
    "istft onesided size": lambda T: T.istft(_s(T), 10, window=T.ones(10)),
    "istft empty": lambda T: T.istft(_s(T)[:0], 8, window=T.ones(8)),
    "istft 1-d": lambda T: T.istft(_s(T)[0], 8, window=T.ones(8)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_torch(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((RuntimeError, TypeError, IndexError)):  # (torch errs; same() compares)
            ERRORS[name](torch)
        same(ERRORS[name])


WARNINGS = {
    "stft no window": lambda T: T.stft(T.ones(20), 8, return_complex=True),
    "stft return_complex=False": lambda T: T.stft(T.ones(20), 8, window=T.ones(8),
                                                  return_complex=False),
    "istft no window": lambda T: T.istft(_s(T), 8),
    "istft length padded": lambda T: T.istft(_s(T), 8, window=T.ones(8), length=30),
}


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_warnings_as_torch(name: str) -> None:
    def messages(T: Any) -> list[tuple[type, str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            WARNINGS[name](T)
        # (torch adds where in its C++ the warning was raised)
        return [(w.category, str(w.message).split(" (Triggered internally")[0])
                for w in caught]

    torch.set_warn_always(True)  # both warn once per process otherwise
    adcli.set_warn_always(True)
    try:
        want, got = messages(torch), messages(adcli)
    finally:
        torch.set_warn_always(False)
        adcli.set_warn_always(False)
    assert want and got == want


def test_gradcheck_stft_and_istft() -> None:
    rng = np.random.default_rng(5)
    x = adcli.tensor(rng.standard_normal(12), requires_grad=True)
    w = adcli.tensor(rng.uniform(0.5, 1.0, 6), requires_grad=True)
    z = adcli.tensor(rng.standard_normal(12) + 1j * rng.standard_normal(12), requires_grad=True)

    def spec(x: Any, w: Any) -> Any:
        return adcli.view_as_real(adcli.stft(x, 6, hop_length=2, window=w, return_complex=True))

    def round_trip(z: Any, w: Any) -> Any:
        s = adcli.stft(z, 6, hop_length=2, window=w, return_complex=True)
        return adcli.view_as_real(adcli.istft(s, 6, hop_length=2, window=w,
                                              return_complex=True, length=12))

    assert adcli.autograd.gradcheck(spec, (x, w))
    assert adcli.autograd.gradcheck(round_trip, (z, w))
