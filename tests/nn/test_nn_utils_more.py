"""The rest of ``nn.utils`` and ``nn.init`` against torch: the old hook-based ``weight_norm`` /
``spectral_norm``, ``stateless.functional_call``, conv/linear + batch-norm fusion,
``skip_init``, the memory-format converters, ``nn.init.sparse_`` and the deprecated
``nn.init`` aliases, ``torch._weight_norm``, and the module state-dict hooks they rest on.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import both, same, same_error, warned  # noqa: E402

import adcli  # noqa: E402


# -- torch._weight_norm ------------------------------------------------------------------------
@pytest.mark.parametrize("vshape,gshape,dim", [
    ((3, 4, 5), (3, 1, 1), 0), ((3, 4, 5), (1, 1, 5), 2), ((3, 4, 5), (1, 4, 1), 1),
    ((4, 6), (4, 1), 0), ((4, 6), (1, 6), 1), ((4, 6), (1, 6), -1), ((4, 6), (), -1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_weight_norm_op(vshape: tuple[int, ...], gshape: tuple[int, ...], dim: int,
                        dtype: str) -> None:
    rng = np.random.default_rng(7)
    v, g, go = (rng.standard_normal(s) for s in (vshape, gshape, vshape))

    def prog(T):
        dt = getattr(T, dtype)
        vt = T.tensor(v, dtype=dt, requires_grad=True)
        gt = T.tensor(g, dtype=dt, requires_grad=True)
        w = T._weight_norm(vt, gt, dim)
        w.backward(T.tensor(go, dtype=dt))
        return w, vt.grad, gt.grad

    (wt, vgt, ggt), (wa, vga, gga) = both(prog)
    tol = 1e-6 if dtype == "float32" else 1e-14
    assert type(wa.grad_fn).__name__ == type(wt.grad_fn).__name__
    same(wa, wt, tol=tol)
    same(vga, vgt, tol=tol)
    same(gga, ggt, tol=tol * 10)


def test_weight_norm_interface_and_errors() -> None:
    v = np.random.default_rng(0).standard_normal((3, 4))

    def prog(T):
        w, n = T._weight_norm_interface(T.tensor(v, requires_grad=True),
                                        T.tensor(np.ones((3, 1)), requires_grad=True), 0)
        return w, n

    (wt, nt), (wa, na) = both(prog)
    same(na, nt, tol=1e-15)
    assert na.requires_grad == nt.requires_grad is False
    assert type(wa.grad_fn).__name__ == type(wt.grad_fn).__name__
    same_error(lambda T: T._weight_norm_interface(T.ones(2, 3, 4), T.ones(1, 3, 1), 1))
    same_error(lambda T: T._weight_norm(T.ones(2, 3, 4), T.ones(1, 3, 1), 5))
    same_error(lambda T: T._weight_norm(T.ones(2, 3), T.ones(2, 1, dtype=T.float64), 0))
    for d in (0, -1, 1):
        same_error(lambda T, d=d: T._weight_norm(T.ones(()), T.ones(()), d))
        same_error(lambda T, d=d: T._weight_norm_interface(T.ones(()), T.ones(()), d))
    # adcli's second derivative is the true one (torch's keeps its saved norms constant)
    va = adcli.tensor(v, requires_grad=True)
    ga = adcli.tensor(np.random.default_rng(1).standard_normal((3, 1)), requires_grad=True)
    assert adcli.autograd.gradgradcheck(lambda a, b: adcli._weight_norm(a, b, 0), (va, ga))


# -- old nn.utils.weight_norm / remove_weight_norm ---------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None])
def test_old_weight_norm(dim: Any) -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 8))

    def prog(T):
        T.manual_seed(2)
        m = T.nn.Conv1d(3, 4, 3).double()
        _, warns = warned(lambda: T.nn.utils.weight_norm(m, dim=dim))
        names = [n for n, _ in m.named_parameters()]
        opt = T.optim.SGD(m.parameters(), lr=0.1)
        ys = []
        for _ in range(3):
            opt.zero_grad()
            y = m(T.tensor(x))
            (y ** 2).sum().backward()
            opt.step()
            ys.append(y)
        keys = list(m.state_dict())
        grads = (m.weight_g.grad, m.weight_v.grad)
        T.nn.utils.remove_weight_norm(m)
        return m, warns, names, ys, keys, grads

    (mt, wt, nt, yt, kt, gt), (ma, wa, na, ya, ka, ga) = both(prog)
    assert wa == wt
    assert na == nt and ka == kt
    for a, t in zip(ya, yt):
        same(a, t, tol=1e-12)
    same(ga[0], gt[0], tol=1e-11)
    same(ga[1], gt[1], tol=1e-11)
    assert isinstance(ma.weight, adcli.nn.Parameter)
    same(ma.weight, mt.weight, tol=1e-12)
    assert list(ma.state_dict()) == list(mt.state_dict())
    assert not ma._forward_pre_hooks


def test_old_weight_norm_errors() -> None:
    def twice(T):
        m = T.nn.Linear(2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            T.nn.utils.weight_norm(m)
            T.nn.utils.weight_norm(m)
    same_error(twice)
    same_error(lambda T: T.nn.utils.remove_weight_norm(T.nn.Linear(2, 2)))


# -- old nn.utils.spectral_norm / remove_spectral_norm -----------------------------------------
@pytest.mark.parametrize("kind", ["linear", "convT", "iters"])
def test_old_spectral_norm(kind: str) -> None:
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 5) if kind == "convT" else (3, 5))

    def prog(T):
        T.manual_seed(8)
        if kind == "convT":
            m = T.nn.utils.spectral_norm(T.nn.ConvTranspose2d(3, 2, 3).double())
        elif kind == "iters":
            m = T.nn.utils.spectral_norm(T.nn.Linear(5, 4).double(), n_power_iterations=3,
                                         eps=1e-4)
        else:
            m = T.nn.utils.spectral_norm(T.nn.Linear(5, 4).double())
        names = ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])
        u0 = m.weight_u.clone()
        opt = T.optim.SGD(m.parameters(), lr=0.1)
        ys = []
        for _ in range(3):
            opt.zero_grad()
            y = m(T.tensor(x))
            (y ** 2).sum().backward()
            opt.step()
            ys.append(y)
        m.eval()
        u_before = m.weight_u.clone()
        ys.append(m(T.tensor(x)))
        eval_kept_u = bool((m.weight_u == u_before).all())
        sd = m.state_dict()
        meta = dict(sd._metadata)
        grad = m.weight_orig.grad
        T.nn.utils.remove_spectral_norm(m)
        return m, names, u0, ys, eval_kept_u, list(sd), meta, grad, T.rand(1)

    t, a = both(prog)
    assert a[1] == t[1]
    same(a[2], t[2], tol=1e-14)
    for ya, yt in zip(a[3], t[3]):
        same(ya, yt, tol=1e-11)
    assert a[4] == t[4] is True
    assert a[5] == t[5] and a[6] == t[6]
    same(a[7], t[7], tol=1e-10)
    same(a[8], t[8], exact=True)
    assert isinstance(a[0].weight, adcli.nn.Parameter)
    same(a[0].weight, t[0].weight, tol=1e-11)
    assert list(a[0].state_dict()) == list(t[0].state_dict())
    assert len(a[0]._load_state_dict_pre_hooks) == len(t[0]._load_state_dict_pre_hooks)


def test_old_spectral_norm_state_dict_round_trip_and_errors() -> None:
    def prog(T):
        T.manual_seed(1)
        a = T.nn.utils.spectral_norm(T.nn.Linear(3, 4).double())
        a(T.ones(1, 3, dtype=T.float64))
        T.manual_seed(2)
        b = T.nn.utils.spectral_norm(T.nn.Linear(3, 4).double())
        res = b.load_state_dict(a.state_dict())
        b.eval()
        # a version-0 state dict (weight kept, no v): v is solved for
        sd = a.state_dict()
        sd._metadata[""]["spectral_norm"]["weight.version"] = 0
        sd["weight"] = a.weight.detach()
        del sd["weight_v"]
        c = T.nn.utils.spectral_norm(T.nn.Linear(3, 4).double())
        c.load_state_dict(sd)
        return b(T.ones(2, 3, dtype=T.float64)), repr(res), c.weight_v

    (yt, rt, vt), (ya, ra, va) = both(prog)
    same(ya, yt, tol=1e-12)
    assert ra == rt
    same(va, vt, tol=1e-8)

    def twice(T):
        m = T.nn.utils.spectral_norm(T.nn.Linear(2, 2))
        T.nn.utils.spectral_norm(m)
    same_error(twice)
    same_error(lambda T: T.nn.utils.remove_spectral_norm(T.nn.Linear(2, 2)))
    same_error(lambda T: T.nn.utils.spectral_norm(T.nn.Linear(2, 2, bias=False), "bias"))
    same_error(lambda T: T.nn.utils.spectral_norm(T.nn.Linear(2, 2), n_power_iterations=0))


# -- module state-dict hooks -------------------------------------------------------------------
def test_state_dict_hooks_match_torch() -> None:
    def prog(T):
        log = []
        m = T.nn.Sequential(T.nn.Linear(2, 2))
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", prefix)))
        m[0].register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre0", prefix)))

        def post(mod, sd, prefix, meta):
            log.append(("post", prefix, sorted(meta)))
            meta["extra"] = 1
        m.register_state_dict_post_hook(post)
        sd = m.state_dict()
        log.append(dict(sd._metadata)[""])

        def load_pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("load_pre", type(mod).__name__, prefix, sorted(sd)))
        m[0].register_load_state_dict_pre_hook(load_pre)

        def rename(sd, prefix, *rest):
            sd[prefix + "weight"] = sd.pop(prefix + "w")
        m[0]._register_load_state_dict_pre_hook(rename)
        sd2 = {"0.w": T.ones(2, 2), "0.bias": T.zeros(2)}
        log.append(repr(m.load_state_dict(sd2)))
        return log, m[0].weight

    (lt, wt), (la, wa) = both(prog)
    assert la == lt
    same(wa, wt, exact=True)

    def bad_post(T):
        m = T.nn.Linear(2, 2)
        m.register_state_dict_post_hook(lambda *a: {})
        m.state_dict()
    same_error(bad_post)

    def reuse(T):
        m = T.nn.Linear(2, 2)

        def hook(*a):
            return None
        m.register_state_dict_post_hook(hook)
        m._register_state_dict_hook(hook)
    same_error(reuse)


# -- stateless.functional_call -----------------------------------------------------------------
def test_stateless_functional_call() -> None:
    x = np.random.default_rng(5).standard_normal((2, 3))

    def prog(T):
        T.manual_seed(0)
        m = T.nn.Linear(3, 2).double()
        params = {"weight": T.ones(2, 3, dtype=T.float64, requires_grad=True),
                  "bias": T.zeros(2, dtype=T.float64)}
        y, warns = warned(lambda: T.nn.utils.stateless.functional_call(m, params, T.tensor(x)))
        y.sum().backward()
        return y, warns, params["weight"].grad, m.weight

    (yt, wt, gt, mt), (ya, wa, ga, ma) = both(prog)
    assert wa == wt
    same(ya, yt, exact=True)
    same(ga, gt, exact=True)
    same(ma, mt, exact=True)


# -- fusion ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["conv", "convT", "linear", "nobias"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fusion(kind: str, dtype: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 6, 6) if kind in ("conv", "convT", "nobias") else (4, 3))
    stats = [rng.standard_normal(4), rng.uniform(0.5, 2, 4), rng.standard_normal(4),
             rng.standard_normal(4)]

    def prog(T):
        dt = getattr(T, dtype)
        T.manual_seed(3)
        if kind == "linear":
            layer, bn = T.nn.Linear(3, 4), T.nn.BatchNorm1d(4)
        elif kind == "convT":
            layer, bn = T.nn.ConvTranspose2d(3, 4, 3), T.nn.BatchNorm2d(4)
        else:
            layer, bn = T.nn.Conv2d(3, 4, 3, bias=kind == "conv"), T.nn.BatchNorm2d(4)
        layer, bn = layer.to(dt), bn.to(dt)
        with T.no_grad():
            for buf, val in zip((bn.running_mean, bn.running_var, bn.weight, bn.bias), stats):
                buf.copy_(T.tensor(val, dtype=dt))
        layer.eval()
        bn.eval()
        if kind == "linear":
            fused = T.nn.utils.fuse_linear_bn_eval(layer, bn)
        else:
            fused = T.nn.utils.fuse_conv_bn_eval(layer, bn, transpose=kind == "convT")
        return fused, fused(T.tensor(x, dtype=dt)), bn(layer(T.tensor(x, dtype=dt)))

    (ft, yt, _rt), (fa, ya, ra) = both(prog)
    assert type(fa).__name__ == type(ft).__name__
    same(fa.weight, ft.weight, exact=True)
    same(fa.bias, ft.bias, exact=True)
    assert isinstance(fa.weight, adcli.nn.Parameter) and fa.weight.requires_grad
    tol = 1e-5 if dtype == "float32" else 1e-12
    same(ya, yt, tol=tol)
    same(ya, ra, tol=tol)


def test_fusion_weights_functions_and_errors() -> None:
    rng = np.random.default_rng(8)
    vals = [rng.standard_normal(s) for s in ((4, 3, 2, 2), (4,), (4,), (4,), (4,), (4,))]
    vals[3] = np.abs(vals[3]) + 0.5

    def prog(T):
        w, b, rm, rv, bw, bb = (T.tensor(v) for v in vals)
        cw, cb = T.nn.utils.fuse_conv_bn_weights(w, None, rm, rv, 1e-5, None, None)
        lw, lb = T.nn.utils.fuse_linear_bn_weights(w[:, :, 0, 0], b, rm, rv, 1e-3, bw, bb)
        return cw, cb, lw, lb

    for a, t in zip(*reversed(both(prog))):
        same(a, t, exact=True)
        assert type(a).__name__ == "Parameter"
    same_error(lambda T: T.nn.utils.fuse_conv_bn_eval(T.nn.Conv2d(1, 1, 1),
                                                     T.nn.BatchNorm2d(1)))

    def mismatch(T):
        lin, bn = T.nn.Linear(2, 3).eval(), T.nn.BatchNorm1d(2).eval()
        T.nn.utils.fuse_linear_bn_eval(lin, bn)
    same_error(mismatch)


# -- skip_init ---------------------------------------------------------------------------------
def test_skip_init_keeps_the_random_stream() -> None:
    def prog(T):
        T.manual_seed(0)
        m = T.nn.utils.skip_init(T.nn.Linear, 5, 3, bias=True)
        return m, T.rand(3), [n for n, _ in m.named_parameters()]

    (mt, rt, nt), (ma, ra, na) = both(prog)
    same(ra, rt, exact=True)
    assert na == nt and type(ma).__name__ == "Linear"
    assert ma.weight.shape == mt.weight.shape and ma.weight.requires_grad
    same_error(lambda T: T.nn.utils.skip_init(int))

    def no_device(T):
        class NoDevice(T.nn.Module):
            def __init__(self, n):
                super().__init__()
        T.nn.utils.skip_init(NoDevice, 3)
    same_error(no_device)


# -- memory-format converters ------------------------------------------------------------------
def test_convert_conv_weight_memory_format() -> None:
    def prog(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Conv2d(2, 3, 2), T.nn.Sequential(T.nn.ConvTranspose2d(3, 2, 2)),
                            T.nn.Conv3d(1, 1, 1), T.nn.Linear(2, 2))
        w = m[0].weight
        out = T.nn.utils.convert_conv2d_weight_memory_format(m, T.channels_last)
        T.nn.utils.convert_conv3d_weight_memory_format(m, T.channels_last_3d)
        assert out is m and m[0].weight is w
        return m, (m[0].weight.is_contiguous(), m[1][0].weight.is_contiguous(),
                   m[0].weight.is_contiguous(memory_format=T.channels_last),
                   m[2].weight.is_contiguous(memory_format=T.channels_last_3d),
                   m[3].weight.is_contiguous())

    (mt, ft), (ma, fa) = both(prog)
    assert fa == ft
    for (_, a), (_, t) in zip(ma.named_parameters(), mt.named_parameters()):
        same(a, t, exact=True)


# -- nn.init: sparse_ and the deprecated aliases -----------------------------------------------
@pytest.mark.parametrize("shape,sparsity,std", [((6, 5), 0.4, 0.5), ((10, 3), 0.1, 0.01),
                                                ((4, 4), 0.0, 1.0), ((3, 7), 1.0, 2.0)])
def test_sparse_init_draws_torchs_numbers(shape: tuple[int, int], sparsity: float,
                                          std: float) -> None:
    def prog(T):
        T.manual_seed(3)
        w = T.empty(*shape)
        out = T.nn.init.sparse_(w, sparsity, std=std)
        assert out is w
        g = T.Generator().manual_seed(7)
        w2 = T.empty(*shape, dtype=T.float64)
        T.nn.init.sparse_(w2, sparsity, generator=g)
        return w, w2, T.rand(2)

    for a, t in zip(*reversed(both(prog))):
        same(a, t, exact=True)
    same_error(lambda T: T.nn.init.sparse_(T.empty(2, 3, 4), 0.1))


ALIASES = {"uniform": (), "normal": (), "constant": (0.3,), "eye": (), "dirac": (),
           "xavier_uniform": (), "xavier_normal": (), "kaiming_uniform": (),
           "kaiming_normal": (), "orthogonal": (), "sparse": (0.5,)}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_init_deprecated_aliases(name: str) -> None:
    shape = (2, 3, 3) if name == "dirac" else (4, 3)

    def prog(T):
        T.manual_seed(1)
        w = T.empty(*shape)
        out, warns = warned(lambda: getattr(T.nn.init, name)(w, *ALIASES[name]))
        assert out is w
        return w, warns, getattr(T.nn.init, name).__name__

    (wt, mt, nt), (wa, ma, na) = both(prog)
    assert ma == mt and na == nt
    tol = 1e-6 if name == "orthogonal" else 0
    same(wa, wt, exact=not tol, tol=tol)
    assert name in adcli.nn.init.__all__ and "sparse_" in adcli.nn.init.__all__
