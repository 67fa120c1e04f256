"""adcli.autograd.functional against torch.autograd.functional: values, structure, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(3)
X = RNG.uniform(0.5, 1.5, (3,))
Y = RNG.uniform(0.5, 1.5, (2, 3))
V3 = RNG.standard_normal(3)
V23 = RNG.standard_normal((2, 3))


def t(T: Any, a: np.ndarray, rg: bool = False) -> Any:
    return T.tensor(a.tolist(), dtype=T.float64, requires_grad=rg)


def f1(x: Any) -> Any:
    return x.exp() * x.sin()


def f_red(x: Any) -> Any:
    return (x.pow(3) * 2).sum()


def f2(x: Any, y: Any) -> Any:
    return (x * y).sum(0), y.tanh()


def f2s(x: Any, y: Any) -> Any:
    return (x.pow(2) * y).sum()


FUNS = {"f1": f1, "f_red": f_red, "f2": f2, "f2s": f2s}


def _args(T: Any, name: str, rg: bool) -> Any:
    if name in ("f2", "f2s"):
        return (t(T, X, rg), t(T, Y, rg))
    return t(T, X, rg)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", ["f1", "f_red", "f2", "f2s"])
def test_jacobian(name: str, create_graph: bool) -> None:
    compare(lambda T: T.autograd.functional.jacobian(
        FUNS[name], _args(T, name, create_graph), create_graph=create_graph), torch)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", ["f_red", "f2s"])
def test_hessian(name: str, create_graph: bool) -> None:
    compare(lambda T: T.autograd.functional.hessian(
        FUNS[name], _args(T, name, create_graph), create_graph=create_graph), torch)


def test_jacobian_vectorize_and_strict() -> None:
    compare(lambda T: T.autograd.functional.jacobian(f2, _args(T, "f2", False),
                                                     vectorize=True), torch)
    compare(lambda T: T.autograd.functional.jacobian(f2, _args(T, "f2", False),
                                                     vectorize=True, strict=True), torch)
    # an output independent of an input is an error in strict mode only
    compare(lambda T: T.autograd.functional.jacobian(lambda x, y: x * 2, _args(T, "f2s", False),
                                                     strict=True), torch)
    compare(lambda T: T.autograd.functional.jacobian(lambda x, y: x * 2, _args(T, "f2s", False)),
            torch)
    compare(lambda T: T.autograd.functional.jacobian(lambda x: x.detach(), t(T, X),
                                                     strict=True), torch)
    compare(lambda T: T.autograd.functional.jacobian(lambda x: 3.0, t(T, X)), torch)
    compare(lambda T: T.autograd.functional.jacobian(f1, t(T, X), strategy="sideways"), torch)


@pytest.mark.parametrize("fn", ["vjp", "jvp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp_jvp(fn: str, create_graph: bool) -> None:
    def prog(T: Any) -> Any:
        f = getattr(T.autograd.functional, fn)
        out = [f(f1, t(T, X, create_graph), t(T, V3), create_graph=create_graph)]
        vs = (t(T, V3), t(T, V23)) if fn == "jvp" else (t(T, V23[0]), t(T, V23))
        out.append(f(f2, _args(T, "f2", create_graph), vs, create_graph=create_graph))
        return out

    # grad_fn names of create_graph results: see test_double_backward_structure
    compare(prog, torch, grad_fn=not (create_graph and fn == "jvp"))


@pytest.mark.parametrize("fn", ["vhp", "hvp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_vhp_hvp(fn: str, create_graph: bool) -> None:
    def prog(T: Any) -> Any:
        f = getattr(T.autograd.functional, fn)
        return [f(f_red, t(T, X, create_graph), t(T, V3), create_graph=create_graph),
                f(f2s, _args(T, "f2s", create_graph), (t(T, V3), t(T, V23)),
                  create_graph=create_graph)]

    compare(prog, torch)


@pytest.mark.parametrize("fn", ["vjp", "jvp", "vhp", "hvp"])
def test_errors(fn: str) -> None:
    def call(T: Any, *args: Any, **kw: Any) -> Any:
        return getattr(T.autograd.functional, fn)(*args, **kw)

    compare(lambda T: call(T, f1, t(T, X)), torch)  # v=None with a 3-element tensor
    compare(lambda T: call(T, f1, t(T, X), t(T, V23)), torch)  # v of the wrong size
    compare(lambda T: call(T, f2s, _args(T, "f2s", False), (t(T, V3),)), torch)  # v too short
    compare(lambda T: call(T, f1, [1.0, 2.0]), torch)  # inputs not tensors
    compare(lambda T: call(T, lambda x: x.detach().sum(), t(T, X), t(T, V3), strict=True),
            torch)
    compare(lambda T: call(T, lambda x: (x * 2).sum(), t(T, X), t(T, V3), strict=True), torch)
    compare(lambda T: call(T, lambda x: (x * 2).sum(), t(T, X), t(T, V3)), torch)


def test_hessian_errors() -> None:
    H = "hessian"
    compare(lambda T: getattr(T.autograd.functional, H)(f1, t(T, X)), torch)
    compare(lambda T: getattr(T.autograd.functional, H)(f2, _args(T, "f2", False)), torch)
    compare(lambda T: getattr(T.autograd.functional, H)(lambda x: (x * 2).sum(), t(T, X),
                                                        strict=True), torch)
    compare(lambda T: getattr(T.autograd.functional, H)(lambda x: (x * 2).sum(), t(T, X)),
            torch)
