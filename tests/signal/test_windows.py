"""torch.signal.windows against torch 2.13: values (float64 to the last bit where adcli's exp,
sin and cos are torch's, float32 within a few ulps), dtypes, requires_grad graphs (grad_fn
names node by node, gradients), errors word for word, and reach from a spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.signal.windows as TW  # noqa: E402

import adcli  # noqa: E402
import adcli.signal.windows as AW  # noqa: E402

NAMES = AW.__all__
KW = {"general_cosine": {"a": [0.5, 0.3, 0.2]}, "general_hamming": {"alpha": 0.6},
      "exponential": {"tau": 2.5}, "gaussian": {"std": 1.7}, "kaiser": {"beta": 5.0}}


def _call(ns: Any, W: Any, name: str, M: int, **kw: Any) -> Any:
    return getattr(W, name)(M, **{**KW.get(name, {}), **kw})


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_values(name: str) -> None:
    for M in (0, 1, 2, 3, 7, 10, 33):
        for sym in (True, False):
            for dt in ("float64", "float32"):
                want = _call(torch, TW, name, M, sym=sym, dtype=getattr(torch, dt))
                got = _call(adcli, AW, name, M, sym=sym, dtype=getattr(adcli, dt))
                assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(
                    want.shape)
                # torch's vectorised exp/cos/sin (SLEEF) and NumPy's can differ in the last
                # bit (float64) or a few (float32); a sum of cosines cancels near 0
                tol = (1e-15, 1e-16) if dt == "float64" else (2e-6, 2e-7)
                np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol[0],
                                           atol=tol[1])


@pytest.mark.slow
def test_exact_where_the_ops_are_exact() -> None:
    # linspace, abs, i0, sqrt, pow, division: bit for bit
    for name in ("bartlett", "kaiser"):
        for sym in (True, False):
            want = _call(torch, TW, name, 12, sym=sym, dtype=torch.float64)
            got = _call(adcli, AW, name, 12, sym=sym, dtype=adcli.float64)
            np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.slow
def test_default_dtype_and_center() -> None:
    for W in (TW, AW):
        assert str(W.hann(4).dtype) == "torch.float32"
    np.testing.assert_allclose(
        AW.exponential(7, center=2.0, sym=False, dtype=adcli.float64).numpy(),
        TW.exponential(7, center=2.0, sym=False, dtype=torch.float64).numpy(), rtol=1e-15)


def _graph(t: Any) -> list[str]:
    out, todo, seen = [], [t.grad_fn], set()
    while todo:
        fn = todo.pop(0)
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        out.append(fn.name())
        todo.extend(f for f, _ in fn.next_functions)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_requires_grad_graph(name: str) -> None:
    want = _call(torch, TW, name, 6, dtype=torch.float64, requires_grad=True)
    got = _call(adcli, AW, name, 6, dtype=adcli.float64, requires_grad=True)
    assert got.requires_grad == want.requires_grad
    assert _graph(got) == _graph(want)
    w = np.linspace(0.3, 1.7, 6)
    (want * torch.tensor(w)).sum().backward()
    (got * adcli.tensor(w)).sum().backward()
    # the leaves (linspace's k, general_cosine's a_i and i) are inside: their grads
    leaves_t = [f.variable for f in _walk(want) if hasattr(f, "variable")]
    leaves_a = [f.variable for f in _walk(got) if hasattr(f, "variable")]
    assert len(leaves_t) == len(leaves_a)
    for a, t in zip(leaves_a, leaves_t):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-13, atol=1e-15)


def _walk(t: Any) -> list[Any]:
    out, todo, seen = [], [t.grad_fn], set()
    while todo:
        fn = todo.pop(0)
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        out.append(fn)
        todo.extend(f for f, _ in fn.next_functions)
    return out


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("negative M", lambda ns, W: W.hann(-1)),
    ("int dtype", lambda ns, W: W.cosine(4, dtype=ns.int64)),
    ("float16", lambda ns, W: W.bartlett(4, dtype=ns.float16)),
    ("tau", lambda ns, W: W.exponential(4, tau=0.0)),
    ("center sym", lambda ns, W: W.exponential(4, center=1.0)),
    ("std", lambda ns, W: W.gaussian(4, std=-1.0)),
    ("beta", lambda ns, W: W.kaiser(4, beta=-1.0)),
    ("empty a", lambda ns, W: W.general_cosine(4, a=[])),
    ("a not iterable", lambda ns, W: W.general_cosine(4, a=3)),
    ("negative M blackman", lambda ns, W: W.blackman(-2)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    with pytest.raises((ValueError, TypeError)) as want:
        prog(torch, TW)
    with pytest.raises((ValueError, TypeError)) as got:
        prog(adcli, AW)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


@pytest.mark.slow
def test_from_a_spec() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spec"))
    from flow_helpers import compare

    compare("w = torch.signal.windows.hann(8, sym=False, dtype=torch.float64)\n"
            "import torch.signal.windows as W\n"
            "k = W.kaiser(9, beta=4.0, dtype=torch.float64)\n"
            "b = torch.special.bessel_j0(torch.linspace(0.0, 9.0, 7, dtype=torch.float64))\n"
            "c = torch.special.chebyshev_polynomial_t(torch.linspace(-1.0, 1.0, 5), 9)\n",
            ["w", "k", "b", "c"])
