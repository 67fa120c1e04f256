"""Complex autograd against torch 2.13: gradients (torch's convention, the conjugate
Wirtinger derivative), grad_fn names, backward()'s rule for complex outputs, and gradcheck
on complex inputs and outputs (real and imaginary parts perturbed, as torch's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()

import adcli  # noqa: E402
import adcli.engine.ops.arithmetic as _A  # noqa: E402

# name: (program on the library T, input shapes); inputs are complex128 leaves
OPS: dict[str, tuple[Callable[..., Any], list[tuple[int, ...]]]] = {
    "add": (lambda T, a, b: a + b, [(2, 3), (3,)]),
    "add alpha": (lambda T, a, b: T.add(a, b, alpha=2 - 1j), [(3,), (3,)]),
    "sub": (lambda T, a, b: a - b, [(3,), (2, 3)]),
    "rsub number": (lambda T, a: 1j - a, [(3,)]),
    "mul": (lambda T, a, b: a * b, [(3,), (3,)]),
    "mul number": (lambda T, a: a * (2 - 3j), [(3,)]),
    "div": (lambda T, a, b: a / b, [(3,), (3,)]),
    "div number": (lambda T, a: a / (2 - 1j), [(3,)]),
    "neg": (lambda T, a: -a, [(3,)]),
    "reciprocal": (lambda T, a: a.reciprocal(), [(3,)]),
    "pow int": (lambda T, a: a ** 3, [(3,)]),
    "pow complex": (lambda T, a: a ** (1.5 + 0.5j), [(3,)]),
    "square": (lambda T, a: a.square(), [(3,)]),
    "exp": (lambda T, a: a.exp(), [(3,)]),
    "log": (lambda T, a: a.log(), [(3,)]),
    "sqrt": (lambda T, a: a.sqrt(), [(3,)]),
    "sin": (lambda T, a: a.sin(), [(3,)]),
    "cos": (lambda T, a: a.cos(), [(3,)]),
    "tan": (lambda T, a: a.tan(), [(3,)]),
    "sinh": (lambda T, a: a.sinh(), [(3,)]),
    "cosh": (lambda T, a: a.cosh(), [(3,)]),
    "tanh": (lambda T, a: a.tanh(), [(3,)]),
    "sigmoid": (lambda T, a: a.sigmoid(), [(3,)]),
    "abs": (lambda T, a: a.abs(), [(3,)]),
    "angle": (lambda T, a: a.angle(), [(3,)]),
    "sgn": (lambda T, a: a.sgn(), [(3,)]),
    "real": (lambda T, a: a.real, [(3,)]),
    "imag": (lambda T, a: a.imag, [(3,)]),
    "conj": (lambda T, a: a.conj(), [(3,)]),
    "conj_physical": (lambda T, a: T.conj_physical(a), [(3,)]),
    "sum": (lambda T, a: a.sum(), [(2, 3)]),
    "sum dim": (lambda T, a: a.sum(1), [(2, 3)]),
    "mean": (lambda T, a: a.mean(), [(2, 3)]),
    "mean dim": (lambda T, a: a.mean(0, keepdim=True), [(2, 3)]),
    "prod": (lambda T, a: a.prod(), [(3,)]),
    "prod dim": (lambda T, a: a.prod(1), [(2, 3)]),
    "matmul": (lambda T, a, b: a @ b, [(2, 3), (3, 4)]),
    "mm": (lambda T, a, b: T.mm(a, b), [(2, 3), (3, 2)]),
    "bmm": (lambda T, a, b: T.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "mv": (lambda T, a, b: T.mv(a, b), [(2, 3), (3,)]),
    "dot": (lambda T, a, b: T.dot(a, b), [(3,), (3,)]),
    "vdot": (lambda T, a, b: T.vdot(a, b), [(3,), (3,)]),
    "outer": (lambda T, a, b: T.outer(a, b), [(3,), (2,)]),
    "einsum": (lambda T, a, b: T.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    "view": (lambda T, a: a.view(6), [(2, 3)]),
    "reshape": (lambda T, a: a.reshape(3, 2), [(2, 3)]),
    "flatten": (lambda T, a: a.flatten(), [(2, 3)]),
    "permute": (lambda T, a: a.permute(1, 0), [(2, 3)]),
    "transpose": (lambda T, a: a.transpose(0, 1), [(2, 3)]),
    "t": (lambda T, a: a.t(), [(2, 3)]),
    "cat": (lambda T, a, b: T.cat([a, b]), [(2, 3), (1, 3)]),
    "stack": (lambda T, a, b: T.stack([a, b], 1), [(3,), (3,)]),
    "index": (lambda T, a: a[T.tensor([0, 2, 2])], [(3,)]),
    "select": (lambda T, a: a[1], [(2, 3)]),
    "slice": (lambda T, a: a[:, 1:], [(2, 3)]),
    "expand": (lambda T, a: a.expand(2, 3), [(1, 3)]),
    "squeeze": (lambda T, a: a.squeeze(), [(1, 3)]),
    "unsqueeze": (lambda T, a: a.unsqueeze(0), [(3,)]),
    "clone": (lambda T, a: a.clone(), [(3,)]),
    "contiguous": (lambda T, a: a.t().contiguous(), [(2, 3)]),
    "flip": (lambda T, a: a.flip(0), [(3,)]),
    "roll": (lambda T, a: a.roll(1), [(3,)]),
    "split": (lambda T, a: a.split(1)[0], [(2, 3)]),
    "unbind": (lambda T, a: a.unbind(0)[1], [(2, 3)]),
    "where": (lambda T, a, b: T.where(T.tensor([True, False, True]), a, b), [(3,), (3,)]),
    "vector_norm": (lambda T, a: T.linalg.vector_norm(a), [(3,)]),
    "vector_norm 1": (lambda T, a: T.linalg.vector_norm(a, 1), [(3,)]),
    "vector_norm 3 dim": (lambda T, a: T.linalg.vector_norm(a, 3, dim=1), [(2, 3)]),
    "vector_norm inf": (lambda T, a: T.linalg.vector_norm(a, float("inf")), [(3,)]),
    "linalg.norm": (lambda T, a: T.linalg.norm(a), [(2, 3)]),
    "Tensor.norm": (lambda T, a: a.norm(), [(3,)]),
    "view_as_real": (lambda T, a: T.view_as_real(a), [(3,)]),
    "to cfloat": (lambda T, a: a.to(T.cfloat), [(3,)]),
    "to float": (lambda T, a: a.float(), [(3,)]),
    "setitem": (lambda T, a, b: _setitem(a, b), [(3,), (1,)]),
    "chain": (lambda T, a, b: (a.exp() * b.conj()).sum() / (a.abs() + 1).sum(), [(3,), (3,)]),
}


def _setitem(a: Any, b: Any) -> Any:
    c = a * 1
    c[1] = b[0] * 2
    return c


def _run(T: Any, name: str, seed: int) -> tuple[list[str], Any, list[Any]]:
    fn, shapes = OPS[name]
    T.manual_seed(seed)
    xs = [T.randn(*s, dtype=T.cdouble, requires_grad=True) for s in shapes]
    out = fn(T, *xs)
    names = []
    node = out.grad_fn
    while node is not None:  # the chain of first inputs' grad_fn names, as torch's
        names.append(type(node).__name__)
        nxt = [f for f, _ in node.next_functions if f is not None]
        node = nxt[0] if nxt else None
    w = T.randn(out.shape, dtype=out.dtype)
    loss = (out * w).real.sum() if out.is_complex() else (out * w).sum()
    loss.backward()
    return names, out.detach(), [x.grad for x in xs]


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradients_and_grad_fns_are_torchs(name: str) -> None:
    seed = sum(map(ord, name))
    n_got, o_got, g_got = _run(adcli, name, seed)
    n_want, o_want, g_want = _run(torch, name, seed)
    assert n_got == n_want
    assert str(o_got.dtype) == str(o_want.dtype)
    # values and gradients within a few ulps: NumPy's complex kernels (exp, log, sqrt, trig,
    # division, abs) round differently from torch's in the last bits; the formulas are the same
    np.testing.assert_allclose(o_got.resolve_conj().numpy(), o_want.resolve_conj().numpy(),
                               rtol=1e-13, atol=1e-14)
    for g, w in zip(g_got, g_want):
        assert str(g.dtype) == str(w.dtype)
        # (torch's gradient of a conj() is itself a lazily conjugated tensor)
        np.testing.assert_allclose(g.resolve_conj().numpy(), w.resolve_conj().numpy(),
                                   rtol=1e-12, atol=1e-13)


REAL_LEAVES = {
    "complex": lambda T, r, i: T.complex(r, i) * (1 - 2j),
    "polar": lambda T, r, i: T.polar(r.abs() + 0.5, i),
    "real times complex": lambda T, r, i: r * (1 - 1j) + i,
    "view_as_complex": lambda T, r, i: T.view_as_complex(T.stack([r, i], -1)).exp(),
    "abs of complex": lambda T, r, i: T.complex(r, i).abs(),
}


@pytest.mark.parametrize("name", sorted(REAL_LEAVES))
def test_real_leaves_get_real_gradients(name: str) -> None:
    def run(T: Any) -> Any:
        T.manual_seed(5)
        r = T.randn(3, dtype=T.float64, requires_grad=True)
        i = T.randn(3, dtype=T.float64, requires_grad=True)
        out = REAL_LEAVES[name](T, r, i)
        w = T.randn(3, dtype=out.dtype)
        ((out * w).real if out.is_complex() else out * w).sum().backward()
        return type(out.grad_fn).__name__, r.grad, i.grad

    (ng, rg, ig), (nw, rw, iw) = run(adcli), run(torch)
    assert ng == nw
    for g, w in ((rg, rw), (ig, iw)):
        assert str(g.dtype) == str(w.dtype) == "torch.float64"
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-13, atol=1e-14)


def test_backward_needs_a_real_scalar() -> None:
    for T in (torch, adcli):
        z = T.tensor([1 + 1j, 2j], requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        assert str(info.value) == ("grad can be implicitly created only for real scalar "
                                   "outputs but got torch.complex64")
        with pytest.raises(RuntimeError) as info:
            T.autograd.grad(z.sum(), z)
        assert "real scalar outputs but got torch.complex64" in str(info.value)
        (g,) = T.autograd.grad((z * z).sum(), z, grad_outputs=T.tensor(1 - 1j))
        assert str(g.dtype) == "torch.complex64"
    z1 = torch.tensor([1 + 1j, 2j], requires_grad=True)
    z2 = adcli.tensor([1 + 1j, 2j], requires_grad=True)
    (g1,) = torch.autograd.grad((z1 * z1).sum(), z1, grad_outputs=torch.tensor(1 - 1j))
    (g2,) = adcli.autograd.grad((z2 * z2).sum(), z2, grad_outputs=adcli.tensor(1 - 1j))
    np.testing.assert_array_equal(g2.numpy(), g1.numpy())


# -- gradcheck on complex inputs and outputs ---------------------------------------------------
GRADCHECKED = ["mul", "div", "exp", "log", "sqrt", "sin", "tanh", "sigmoid", "abs", "angle",
               "sgn", "conj", "matmul", "vdot", "prod", "vector_norm 3 dim", "chain", "real",
               "view_as_real", "setitem", "pow complex", "reciprocal", "mean dim"]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck_on_complex_inputs(name: str) -> None:
    fn, shapes = OPS[name]
    adcli.manual_seed(1)
    xs = tuple(adcli.randn(*s, dtype=adcli.cdouble, requires_grad=True) for s in shapes)
    assert adcli.autograd.gradcheck(lambda *a: fn(adcli, *a), xs)
    report = adcli.gradcheck(lambda *a: fn(adcli, *a), xs)
    assert report.ok, report.summary()
    assert all(n.endswith((".real", ".imag")) for n in report.inputs)


def test_gradcheck_catches_a_missing_conj() -> None:
    """The complex checks can fail: mul's formula without its conj is caught, with MulBackward0
    as the culprit, by both gradchecks (torch's own gradcheck fails the same formula)."""
    adcli.manual_seed(2)
    a = adcli.randn(3, dtype=adcli.cdouble, requires_grad=True)
    b = adcli.randn(3, dtype=adcli.cdouble, requires_grad=True)
    good = _A.mul_op.grads["self"]
    _A.mul_op.grad("self")(lambda g, s, B: g * s.other)
    try:
        with pytest.raises(adcli.autograd.GradcheckError):
            adcli.autograd.gradcheck(lambda x, y: (x * y).exp(), (a, b))
        report = adcli.gradcheck(lambda x, y: (x * y).exp(), (a, b))
        assert not report.ok
        assert report.culprit is not None and report.culprit.node == "MulBackward0"
    finally:
        _A.mul_op.grad("self")(good)
    assert adcli.gradcheck(lambda x, y: (x * y).exp(), (a, b)).ok


def test_torch_gradcheck_agrees() -> None:
    """torch's own gradcheck passes the programs adcli checks (the convention is torch's)."""
    for name in ("chain", "sgn", "vdot"):
        fn, shapes = OPS[name]
        torch.manual_seed(1)
        xs = tuple(torch.randn(*s, dtype=torch.cdouble, requires_grad=True) for s in shapes)
        assert torch.autograd.gradcheck(lambda *a, fn=fn: fn(torch, *a), xs)
