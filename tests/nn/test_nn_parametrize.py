"""``nn.utils.parametrize`` and ``nn.utils.parametrizations`` against torch.

Every program runs twice, once on torch and once on adcli (``T`` is the library), from the same
seed, and the two are compared: values, gradients, parameter and buffer names, state dicts,
class names, reprs, errors word for word, and the state after optimizer steps.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import arr, both, raised, same, same_error  # noqa: E402

import adcli  # noqa: E402


# -- parametrizations written as a user writes them (one class per library) --------------------
def symmetric(T: Any) -> type:
    class Symmetric(T.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()
    return Symmetric


def scale(T: Any) -> type:
    class Scale(T.nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k

        def forward(self, X):
            return X * self.k

        def right_inverse(self, X):
            return X / self.k
    return Scale


def rank_one(T: Any) -> type:
    class RankOne(T.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            U, S, Vh = T.linalg.svd(Z, full_matrices=False)
            s0_sqrt = S[0].sqrt().unsqueeze(-1)
            return U[..., :, 0] * s0_sqrt, Vh[..., 0, :] * s0_sqrt
    return RankOne


def skew(T: Any) -> type:
    class Skew(T.nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.mT
    return Skew


def linear(T: Any, n: int = 5, m: int = 5, seed: int = 0) -> Any:
    T.manual_seed(seed)
    return T.nn.Linear(n, m).double()


def test_register_symmetric_matches_torch() -> None:
    def prog(T):
        m = linear(T)
        P = T.nn.utils.parametrize
        w_before = m.weight
        out = P.register_parametrization(m, "weight", symmetric(T)())
        assert out is m
        # the original keeps its identity (an optimizer holding it keeps working)
        assert m.parametrizations.weight.original is w_before
        return m

    mt, ma = both(prog)
    assert type(ma).__name__ == type(mt).__name__ == "ParametrizedLinear"
    assert type(ma).__bases__[0] is adcli.nn.Linear
    assert list(ma.state_dict()) == list(mt.state_dict())
    assert [n for n, _ in ma.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in ma.named_modules()] == [n for n, _ in mt.named_modules()]
    assert repr(ma) == repr(mt)
    same(ma.weight, mt.weight, exact=True)
    same(ma.parametrizations.weight.original, mt.parametrizations.weight.original, exact=True)
    assert type(ma.weight.grad_fn).__name__ == type(mt.weight.grad_fn).__name__
    assert "weight" not in ma._parameters
    assert ma.parametrizations.weight.is_tensor and ma.parametrizations.weight.ntensors == 1
    # other Linear instances are untouched
    assert type(adcli.nn.Linear(2, 2)) is adcli.nn.Linear


def test_assignment_chaining_training_and_gradients() -> None:
    x = np.random.default_rng(0).standard_normal((4, 5))

    def prog(T):
        m = linear(T)
        P = T.nn.utils.parametrize
        P.register_parametrization(m, "weight", symmetric(T)())
        P.register_parametrization(m, "weight", scale(T)(3.0))
        T.manual_seed(1)
        A = T.rand(5, 5, dtype=T.float64)
        m.weight = A + A.T                      # right_inverse of both, last first
        opt = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        outs = []
        for _ in range(3):
            opt.zero_grad()
            y = m(T.tensor(x))
            (y ** 2).sum().backward()
            opt.step()
            outs.append(y)
        return m, outs

    (mt, ot), (ma, oa) = both(prog)
    assert repr(ma) == repr(mt)
    assert list(ma.state_dict()) == list(mt.state_dict())
    for a, t in zip(oa, ot):
        same(a, t)
    same(ma.weight, mt.weight)
    same(ma.parametrizations.weight.original, mt.parametrizations.weight.original)
    same(ma.parametrizations.weight.original.grad, mt.parametrizations.weight.original.grad)
    assert len(ma.parametrizations.weight) == 2


def test_rank_one_tuple_right_inverse() -> None:
    def prog(T):
        m = linear(T, 4, 3)
        T.nn.utils.parametrize.register_parametrization(m, "weight", rank_one(T)())
        y = m(T.ones(2, 4, dtype=T.float64)).sum()
        y.backward()
        return m

    mt, ma = both(prog)
    assert list(ma.state_dict()) == list(mt.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    pl_a, pl_t = ma.parametrizations.weight, mt.parametrizations.weight
    assert not pl_a.is_tensor and pl_a.ntensors == 2
    for i in range(2):
        oa, ot = getattr(pl_a, f"original{i}"), getattr(pl_t, f"original{i}")
        assert isinstance(oa, adcli.nn.Parameter) and oa.requires_grad
        # SVD sign choice may differ between LAPACKs: compare up to sign
        np.testing.assert_allclose(np.abs(arr(oa)), np.abs(arr(ot)), atol=1e-12)
    same(ma.weight, mt.weight)
    same(pl_a.original0.grad.abs(), pl_t.original0.grad.abs())
    # leaving it unparametrized needs one original
    same_error(lambda T: T.nn.utils.parametrize.remove_parametrizations(
        prog(T), "weight", leave_parametrized=False))

    def remove(T):
        m = prog(T)
        T.nn.utils.parametrize.remove_parametrizations(m, "weight")
        return m

    rt, ra = both(remove)
    assert type(ra) is adcli.nn.Linear and type(rt) is torch.nn.Linear
    assert isinstance(ra.weight, adcli.nn.Parameter)
    same(ra.weight, rt.weight)
    assert list(ra.state_dict()) == list(rt.state_dict())


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave: bool) -> None:
    def prog(T):
        m = linear(T)
        P = T.nn.utils.parametrize
        w = m.weight
        P.register_parametrization(m, "weight", skew(T)())
        P.register_parametrization(m, "bias", scale(T)(2.0))
        P.remove_parametrizations(m, "weight", leave_parametrized=leave)
        mid = (type(m).__name__, P.is_parametrized(m), P.is_parametrized(m, "weight"),
               P.is_parametrized(m, "bias"), list(m.state_dict()))
        assert m.weight is w       # the same Parameter object, its value set in place
        P.remove_parametrizations(m, "bias", leave_parametrized=leave)
        return m, mid

    (mt, it), (ma, ia) = both(prog)
    assert ia == it
    assert type(ma) is adcli.nn.Linear and not hasattr(ma, "parametrizations")
    assert list(ma.state_dict()) == list(mt.state_dict())
    same(ma.weight, mt.weight, exact=True)
    same(ma.bias, mt.bias, exact=True)


def test_buffers_cached_and_helpers() -> None:
    def prog(T):
        P = T.nn.utils.parametrize
        m = T.nn.BatchNorm1d(3).double()
        P.register_parametrization(m, "running_var", scale(T)(2.0))
        calls = []

        class Count(T.nn.Module):
            def forward(self, X):
                calls.append(1)
                return X
        lin = linear(T, 3, 3)
        P.register_parametrization(lin, "weight", Count())
        n0 = len(calls)
        with P.cached():
            a = lin.weight
            b = lin.weight
            assert a is b
        _ = lin.weight, lin.weight
        info = (len(calls) - n0, list(m.state_dict()), [n for n, _ in m.named_buffers()],
                P.type_before_parametrizations(m).__name__, type(m).__name__,
                P.type_before_parametrizations(T.nn.ReLU()).__name__, P.is_parametrized(m),
                P.is_parametrized(m, "weight"), P.is_parametrized(T.nn.ReLU()))
        return m, info

    (mt, it), (ma, ia) = both(prog)
    assert ia == it
    same(ma.running_var, mt.running_var, exact=True)


def test_transfer_parametrizations_and_params() -> None:
    def prog(T):
        P = T.nn.utils.parametrize
        a = linear(T, 4, 4)
        P.register_parametrization(a, "weight", skew(T)())
        b = linear(T, 4, 4, seed=3)
        P.transfer_parametrizations_and_params(a, b)
        c = T.nn.Module()
        P.transfer_parametrizations_and_params(a, c, "weight")
        return b, c, a

    (bt, ct, _at), (ba, ca, aa) = both(prog)
    assert type(ba).__name__ == type(bt).__name__
    assert list(ba.state_dict()) == list(bt.state_dict())
    assert list(ca.state_dict()) == list(ct.state_dict())
    same(ba.weight, bt.weight, exact=True)
    same(ca.weight, ct.weight, exact=True)
    assert ba.parametrizations.weight.original is aa.parametrizations.weight.original


def test_deepcopy_and_pickle() -> None:
    def prog(T):
        m = linear(T)
        T.nn.utils.parametrize.register_parametrization(m, "weight", skew(T)())
        m2 = copy.deepcopy(m)
        return m, m2

    (_mt, ct), (ma, ca) = both(prog)
    assert type(ca).__name__ == type(ct).__name__
    same(ca.weight, ct.weight, exact=True)
    assert ca.parametrizations.weight.original is not ma.parametrizations.weight.original
    te, ae = raised(lambda T: pickle.dumps(prog(T)[0]))
    assert str(ae) == str(te) and type(ae) is type(te)


def test_register_errors_match_torch() -> None:
    def reg(T, name, param, **kw):
        m = linear(T, 3, 3)
        T.nn.utils.parametrize.register_parametrization(m, name, param, **kw)
        return m

    same_error(lambda T: reg(T, "nope", skew(T)()))

    def dtype_changer(T):
        class ToFloat(T.nn.Module):
            def forward(self, X):
                return X.float()
        return ToFloat()

    def shape_changer(T):
        class Row(T.nn.Module):
            def forward(self, X):
                return X[0]
        return Row()

    def bad_inverse(T):
        class Bad(T.nn.Module):
            def forward(self, X):
                return X

            def right_inverse(self, X):
                return 3
        return Bad()

    def tuple_inverse_bad(T):
        class Bad(T.nn.Module):
            def forward(self, X, Y):
                return X

            def right_inverse(self, X):
                return (X, 3)
        return Bad()

    def no_tensor(T):
        class NoTensor(T.nn.Module):
            def forward(self, X):
                return 1.0
        return NoTensor()

    for make in (dtype_changer, shape_changer, bad_inverse, tuple_inverse_bad, no_tensor):
        same_error(lambda T, mk=make: reg(T, "weight", mk(T)))
    # the same checks when chaining onto an existing parametrization
    for make in (dtype_changer, shape_changer, no_tensor):
        def chained(T, mk=make):
            m = reg(T, "weight", skew(T)())
            T.nn.utils.parametrize.register_parametrization(m, "weight", mk(T))
        same_error(chained)

    def wrong_inverse_dtype(T):
        class WrongInv(T.nn.Module):
            def forward(self, X):
                return X

            def right_inverse(self, X):
                return X.float()
        m = reg(T, "weight", skew(T)())
        T.nn.utils.parametrize.register_parametrization(m, "weight", WrongInv())
    same_error(wrong_inverse_dtype)
    # assigning through a parametrization without right_inverse
    def assign(T):
        m = reg(T, "weight", skew(T)())
        m.weight = T.zeros(3, 3, dtype=T.float64)
    same_error(assign)
    same_error(lambda T: T.nn.utils.parametrize.remove_parametrizations(linear(T, 2, 2),
                                                                        "weight"))
    same_error(lambda T: T.nn.utils.parametrize.ParametrizationList([], T.zeros(2)))
    # the unsafe flag lets a parametrization change the shape
    def unsafe(T):
        return reg(T, "weight", shape_changer(T), unsafe=True).weight
    ut, ua = both(unsafe)
    same(ua, ut, exact=True)


# -- parametrizations.weight_norm / spectral_norm / orthogonal ---------------------------------
def _train(T: Any, m: Any, x: np.ndarray, steps: int = 3) -> list[Any]:
    opt = T.optim.Adam(m.parameters(), lr=0.05)
    outs = []
    for _ in range(steps):
        opt.zero_grad()
        y = m(T.tensor(x))
        y.pow(2).mean().backward()
        opt.step()
        outs.append(y)
    return outs


@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_parametrizations_weight_norm(dim: Any) -> None:
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6))

    def prog(T):
        T.manual_seed(4)
        m = T.nn.Conv2d(3, 4, 3).double()
        T.nn.utils.parametrizations.weight_norm(m, dim=dim)
        first = (m.weight, type(m.weight.grad_fn).__name__)
        return m, first, _train(T, m, x)

    (mt, ft, ot), (ma, fa, oa) = both(prog)
    assert fa[1] == ft[1]
    same(fa[0], ft[0])
    assert list(ma.state_dict()) == list(mt.state_dict())
    g_a, g_t = ma.parametrizations.weight.original0, mt.parametrizations.weight.original0
    assert g_a.shape == g_t.shape
    for a, t in zip(oa, ot):
        same(a, t, tol=1e-10)
    same(g_a.grad, g_t.grad, tol=1e-10)
    same(ma.parametrizations.weight.original1.grad, mt.parametrizations.weight.original1.grad,
         tol=1e-10)


def test_weight_norm_loads_old_state_dict() -> None:
    def prog(T):
        T.manual_seed(0)
        old = T.nn.Linear(3, 2).double()
        T.nn.utils.weight_norm(old)
        T.manual_seed(9)
        new = T.nn.Linear(3, 2).double()
        T.nn.utils.parametrizations.weight_norm(new)
        res = new.load_state_dict(old.state_dict())
        return new, old, repr(res)

    (nt, _ot, rt), (na, oa, ra) = both(prog)
    assert ra == rt
    same(na.weight, nt.weight)
    same(na.weight, oa.weight)


@pytest.mark.parametrize("kind", ["linear", "conv", "convT", "iters", "eps_dim"])
def test_parametrizations_spectral_norm(kind: str) -> None:
    shapes = {"linear": (4, 5), "conv": (2, 3, 7, 7), "convT": (2, 3, 5, 5),
              "iters": (4, 5), "eps_dim": (3, 4)}
    x = np.random.default_rng(2).standard_normal(shapes[kind])

    def prog(T):
        T.manual_seed(11)
        SN = T.nn.utils.parametrizations.spectral_norm
        if kind == "linear":
            m = SN(T.nn.Linear(5, 3).double())
        elif kind == "conv":
            m = SN(T.nn.Conv2d(3, 4, 3).double())
        elif kind == "convT":
            m = SN(T.nn.ConvTranspose2d(3, 2, 3).double())
        elif kind == "iters":
            m = SN(T.nn.Linear(5, 6).double(), n_power_iterations=4)
        else:
            m = SN(T.nn.Linear(4, 6).double(), eps=1e-3, dim=1)
        start = (m.parametrizations.weight[0]._u.clone(), m.parametrizations.weight[0]._v.clone())
        outs = _train(T, m, x)
        m.eval()
        ev = m(T.tensor(x))
        return m, start, outs, ev, T.rand(2)

    (mt, st, ot, et, rt), (ma, sa, oa, ea, ra) = both(prog)
    same(ra, rt, exact=True)            # the same number of draws
    same(sa[0], st[0], tol=1e-14)
    same(sa[1], st[1], tol=1e-14)
    assert list(ma.state_dict()) == list(mt.state_dict())
    assert [n for n, _ in ma.named_buffers()] == [n for n, _ in mt.named_buffers()]
    for a, t in zip(oa, ot):
        same(a, t, tol=1e-10)
    same(ea, et, tol=1e-10)
    pa, pt = ma.parametrizations.weight, mt.parametrizations.weight
    same(pa.original.grad, pt.original.grad, tol=1e-10)
    same(pa[0]._u, pt[0]._u, tol=1e-10)
    assert type(ma.weight.grad_fn).__name__ == type(mt.weight.grad_fn).__name__
    assert pa[0].dim == pt[0].dim


def test_spectral_norm_1d_and_errors() -> None:
    def one_d(T):
        m = linear(T, 3, 4)
        T.nn.utils.parametrizations.spectral_norm(m, "bias")
        return m.bias, T.rand(1)

    (bt, rt), (ba, ra) = both(one_d)
    same(ba, bt, exact=True)
    same(ra, rt, exact=True)
    same_error(lambda T: T.nn.utils.parametrizations.spectral_norm(linear(T, 2, 2), "nope"))
    same_error(lambda T: T.nn.utils.parametrizations.spectral_norm(linear(T, 2, 2), dim=2))
    same_error(lambda T: T.nn.utils.parametrizations.spectral_norm(linear(T, 2, 2),
                                                                   n_power_iterations=0))


def _has_geqrf() -> bool:
    return hasattr(adcli, "geqrf") and hasattr(adcli.linalg, "householder_product")


@pytest.mark.parametrize("orth_map,shape,triv", [
    ("matrix_exp", (4, 4), True), ("cayley", (4, 4), True), ("householder", (5, 3), True),
    ("matrix_exp", (3, 5), True), ("cayley", (5, 3), True), ("householder", (3, 5), False),
    ("matrix_exp", (4, 4), False), (None, (4, 4), True), (None, (5, 3), True)])
def test_parametrizations_orthogonal(orth_map: Any, shape: tuple[int, int], triv: bool) -> None:
    if not _has_geqrf():
        pytest.skip("adcli.geqrf / linalg.householder_product not available yet")
    x = np.random.default_rng(3).standard_normal((2, shape[1]))

    def prog(T):
        T.manual_seed(5)
        m = T.nn.Linear(shape[1], shape[0]).double()
        T.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orth_map,
                                               use_trivialization=triv)
        w0 = m.weight
        outs = _train(T, m, x)
        return m, w0, outs

    (mt, wt, ot), (ma, wa, oa) = both(prog)
    same(wa, wt, tol=1e-10)
    for a, t in zip(oa, ot):
        same(a, t, tol=1e-9)
    assert list(ma.state_dict()) == list(mt.state_dict())
    w = arr(ma.weight)
    k = min(shape)
    gram = w @ w.T if shape[0] < shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(k), atol=1e-10)


@pytest.mark.parametrize("orth_map,shape", [("matrix_exp", (4, 4)), ("cayley", (3, 5)),
                                             ("householder", (5, 3))])
def test_orthogonal_assignment(orth_map: str, shape: tuple[int, int]) -> None:
    if not _has_geqrf():
        pytest.skip("adcli.geqrf / linalg.householder_product not available yet")
    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.standard_normal((max(shape), min(shape))))
    q = q if shape[0] >= shape[1] else q.T

    def prog(T):
        T.manual_seed(6)
        m = T.nn.Linear(shape[1], shape[0]).double()
        T.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orth_map)
        m.weight = T.tensor(q)
        return m.weight, m.parametrizations.weight[0].base, T.rand(1)

    (wt, bt, rt), (wa, ba, ra) = both(prog)
    same(wa, wt, tol=1e-12)
    same(ba, bt, tol=1e-12)
    same(ra, rt, exact=True)
    np.testing.assert_allclose(arr(wa), q, atol=1e-12)


def test_orthogonal_errors() -> None:
    same_error(lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(2, 2), "nope"))
    same_error(lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(2, 2), "bias"))
    same_error(lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(2, 2),
                                                                 orthogonal_map="svd"))
    if not _has_geqrf():
        return

    def assign_no_triv(T):
        m = T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3), use_trivialization=False)
        m.weight = T.eye(3)
    same_error(assign_no_triv)

    def wrong_shape(T):
        m = T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3))
        m.weight = T.eye(2)
    same_error(wrong_shape)


def test_spec_reaches_parametrizations() -> None:
    """A spec step builds parametrized layers and names their originals in ``wrt``."""
    from adcli.check.spec_checks import check_spec
    from adcli.spec.interpreter import execute
    from adcli.spec.loader import load_specs

    text = """
name: parametrized layers
steps:
  - |
    import torch.nn as nn
    from torch.nn.utils import parametrizations, parametrize
    torch.manual_seed(0)
    lin = parametrizations.weight_norm(nn.Linear(3, 2).double())
    sn = nn.utils.parametrizations.spectral_norm(nn.Linear(2, 3).double())
    sn.eval()
    old = nn.utils.spectral_norm(nn.Linear(3, 3).double())
    x = torch.ones(2, 3, dtype=torch.float64)
    ok = parametrize.is_parametrized(lin, "weight")
    keys = list(lin.state_dict())
    u = old.weight_u
    w = torch.empty(4, 3)
    nn.init.sparse_(w, 0.5)
gradcheck:
  - of: sn(lin(x)).sum()
    wrt: [lin.parametrizations.weight.original0, lin.parametrizations.weight.original1,
          sn.parametrizations.weight.original]
"""
    spec = load_specs("t.yaml", text=text)[0]
    ns = execute(spec).namespace
    assert ns["ok"] is True
    assert ns["keys"] == ["bias", "parametrizations.weight.original0",
                          "parametrizations.weight.original1"]
    g, v = (arr(getattr(ns["lin"].parametrizations.weight, f"original{i}")) for i in (0, 1))
    np.testing.assert_allclose(arr(ns["lin"].weight),
                               g * v / np.linalg.norm(v, axis=1, keepdims=True), rtol=1e-14)
    (report, *_) = check_spec(spec)
    assert report.error is None and report.ok, report.to_dict()
