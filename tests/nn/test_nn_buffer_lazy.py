"""nn.Buffer, the deprecated nn.Container / nn.NLLLoss2d, UninitializedParameter/Buffer and the
Lazy modules against torch 2.13: registration, state_dict, warnings, reprs, same-seed weights
after the first call, errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli import nn  # noqa: E402


def _both(fn: Any) -> tuple[Any, Any]:
    """fn(lib) in torch and in adcli; an exception becomes (type name, message)."""
    out = []
    for lib in (torch, adcli):
        try:
            out.append(fn(lib))
        except Exception as e:  # the error itself is compared
            out.append((type(e).__name__, str(e)))
    return out[0], out[1]


def _sd(module: Any) -> dict[str, Any]:
    return {k: (v if isinstance(v, str) else np.asarray(v.detach().numpy()))
            for k, v in module.state_dict().items()}


# -- Buffer --------------------------------------------------------------------------------------
@pytest.mark.parametrize("persistent", [True, False])
def test_buffer_registers_on_assignment(persistent: bool) -> None:
    def run(lib: Any) -> Any:
        m = lib.nn.Module()
        m.plain = lib.ones(2)
        m.buf = lib.nn.Buffer(lib.arange(3.0), persistent=persistent)
        m.register_buffer("reg", lib.nn.Buffer(lib.zeros(1), persistent=False))
        b = lib.nn.Buffer(lib.ones(2, requires_grad=True))
        return (sorted(m._buffers), sorted(m.state_dict()), [n for n, _ in m.named_buffers()],
                isinstance(m.buf, lib.nn.Buffer), isinstance(m.plain, lib.nn.Buffer),
                type(m.buf).__name__, b.requires_grad, b.is_leaf, b.grad_fn is None,
                m.buf.tolist())
    t, a = _both(run)
    assert a == t


def test_buffer_assignment_errors() -> None:
    def over_attribute(lib: Any) -> Any:
        m = lib.nn.Module()
        m.a = lib.ones(1)
        m.a = lib.nn.Buffer(lib.ones(1))

    def over_parameter(lib: Any) -> Any:
        m = lib.nn.Linear(1, 1)
        m.weight = lib.nn.Buffer(lib.ones(1))

    def replace_keeps_flag(lib: Any) -> Any:
        m = lib.nn.Module()
        m.b = lib.nn.Buffer(lib.ones(1), persistent=False)
        m.b = lib.zeros(1)  # a plain tensor into a non-persistent buffer stays non-persistent
        m.c = lib.nn.Buffer(lib.ones(1))
        m.c = lib.nn.Buffer(lib.ones(1), persistent=False)
        return sorted(m.state_dict()), sorted(m._buffers)
    for fn in (over_attribute, over_parameter, replace_keeps_flag):
        t, a = _both(fn)
        assert a == t, fn.__name__


def test_buffer_default_data_and_moves_with_module() -> None:
    def run(lib: Any) -> Any:
        m = lib.nn.Module()
        m.b = lib.nn.Buffer()
        m.c = lib.nn.Buffer(lib.ones(2))
        m.double()
        return tuple(m.b.shape), str(m.c.dtype), list(m.state_dict())
    t, a = _both(run)
    assert a == t


# -- deprecated aliases ----------------------------------------------------------------------------
def _warned(fn: Any) -> list[tuple[str, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


def test_container_and_nllloss2d_warn_as_torch() -> None:
    for make in (lambda lib: lib.nn.Container(a=lib.nn.Linear(2, 1), b=lib.nn.ReLU()),
                 lambda lib: lib.nn.NLLLoss2d(ignore_index=3, reduction="sum")):
        mods = {}
        warns = {}
        for name, lib in (("torch", torch), ("adcli", adcli)):
            warns[name] = _warned(lambda lib=lib, name=name, make=make, mods=mods:
                                  mods.__setitem__(name, make(lib)))
        assert warns["adcli"] == warns["torch"]
        assert len(warns["torch"]) == 1
        assert repr(mods["adcli"]) == repr(mods["torch"])
        assert list(mods["adcli"].state_dict()) == list(mods["torch"].state_dict())

    def subclass(lib: Any) -> None:
        class Mine(lib.nn.Container):
            pass
    assert _warned(lambda: subclass(adcli)) == _warned(lambda: subclass(torch))
    with pytest.warns(FutureWarning):
        assert isinstance(nn.NLLLoss2d(), nn.NLLLoss)


# -- Uninitialized tensors -------------------------------------------------------------------------
def _uninit_ops() -> list[Any]:
    return [
        lambda lib, p: repr(p),
        lambda lib, p: (str(p.dtype), tuple(p.size()), p.requires_grad, p.is_leaf),
        lambda lib, p: p.shape,
        lambda lib, p: lib.nn.functional.linear(lib.ones(2, 3), p),
        lambda lib, p: p.sum(),
        lambda lib, p: p.t(),
        lambda lib, p: p.dim(),
        lambda lib, p: p.detach(),
        lambda lib, p: p.requires_grad_(False),
        lambda lib, p: str(p.double().dtype),
        lambda lib, p: lib.nn.parameter.is_lazy(p),
    ]


@pytest.mark.parametrize("k", range(len(_uninit_ops())))
def test_uninitialized_parameter_as_torch(k: int) -> None:
    op = _uninit_ops()[k]
    t, a = _both(lambda lib: op(lib, lib.nn.parameter.UninitializedParameter()))
    assert a == t


def test_materialize_as_torch() -> None:
    def run(lib: Any) -> Any:
        p = lib.nn.parameter.UninitializedParameter(dtype=lib.float64)
        b = lib.nn.parameter.UninitializedBuffer()
        p.materialize((2, 3))
        b.materialize((4,))
        return (type(p).__name__, tuple(p.shape), str(p.dtype), p.requires_grad,
                type(b).__name__, tuple(b.shape), b.requires_grad, isinstance(b, lib.nn.Buffer))
    t, a = _both(run)
    assert a == t


# -- Lazy modules ----------------------------------------------------------------------------------
LAZY = [
    ("LazyLinear", (3,), {}, (2, 4)),
    ("LazyLinear", (2,), {"bias": False}, (5,)),
    ("LazyConv1d", (4, 3), {"stride": 2}, (2, 3, 7)),
    ("LazyConv2d", (4, 3), {"padding": 1, "groups": 2}, (2, 2, 5, 5)),
    ("LazyConv3d", (2, 2), {"bias": False}, (3, 4, 4, 4)),
    ("LazyConvTranspose1d", (2, 3), {"stride": 2, "output_padding": 1}, (2, 3, 4)),
    ("LazyConvTranspose2d", (4, 2), {"groups": 2}, (1, 2, 3, 3)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 2, 2, 2, 2)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm1d", (), {"momentum": None, "affine": False}, (4, 3, 2)),
    ("LazyBatchNorm2d", (), {"bias": False}, (2, 3, 2, 2)),
    ("LazyBatchNorm3d", (), {"track_running_stats": False}, (2, 2, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 3, 3)),
    ("LazyInstanceNorm3d", (), {}, (2, 2, 3, 2, 2)),
]


def _state(module: Any) -> list[Any]:
    return [(k, repr(v) if "Uninitialized" in type(v).__name__ else v.detach().numpy().tolist())
            for k, v in module.state_dict().items()]


@pytest.mark.parametrize("case", LAZY, ids=lambda c: f"{c[0]}-{c[2]}")
def test_lazy_module_matches_torch(case: tuple) -> None:
    name, args, kwargs, shape = case
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)

    def run(lib: Any) -> Any:
        lib.manual_seed(11)
        m = getattr(lib.nn, name)(*args, **kwargs)
        before = (repr(m), type(m).__name__, _state(m), m.has_uninitialized_params(),
                  [type(p).__name__ for p in m.parameters()])
        inp = lib.tensor(x, requires_grad=True)
        out = m(inp)
        out.pow(2).sum().backward()
        after = (repr(m), type(m).__name__, list(m.state_dict()),
                 [type(p).__name__ for p in m.parameters()], out.grad_fn.name())
        grads = [p.grad.numpy() for p in m.parameters()]
        grads += [v.detach().numpy().astype(float) for v in m.state_dict().values()]
        return before, after, out.detach().numpy(), inp.grad.numpy(), grads
    t, a = _both(run)
    assert a[0] == t[0]
    assert a[1] == t[1]
    np.testing.assert_allclose(a[2], t[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a[3], t[3], rtol=1e-4, atol=1e-5)
    for ga, gt in zip(a[4], t[4], strict=True):
        np.testing.assert_allclose(ga, gt, rtol=1e-4, atol=1e-5)


def test_lazy_same_seed_initial_weights_bit_for_bit() -> None:
    def run(lib: Any) -> Any:
        lib.manual_seed(3)
        seq = lib.nn.Sequential(lib.nn.LazyLinear(5), lib.nn.Linear(5, 2), lib.nn.LazyConv1d(3, 2))
        seq[0](lib.ones(2, 7))
        seq[2](lib.ones(1, 4, 6))
        return [p.detach().numpy().tolist() for p in seq.parameters()]
    t, a = _both(run)
    assert a == t


def test_lazy_state_dict_and_errors() -> None:
    def load_initialized(lib: Any) -> Any:
        lib.manual_seed(0)
        full = lib.nn.LazyLinear(2)
        full(lib.ones(1, 3))
        lazy = lib.nn.LazyLinear(2)
        result = lazy.load_state_dict(full.state_dict())
        # loaded parameters are kept: the first call only removes the hook
        before = lazy.weight.detach().numpy().tolist()
        lazy(lib.ones(1, 3))
        return (type(lazy).__name__, str(result), before, lazy.weight.detach().numpy().tolist(),
                repr(lazy))

    def load_lazy_into_initialized(lib: Any) -> Any:
        lib.nn.Linear(3, 2).load_state_dict(lib.nn.LazyLinear(2).state_dict())

    def wrong_dims(lib: Any) -> Any:
        lib.nn.LazyConv2d(4, 3)(lib.ones(3, 5))

    def groups(lib: Any) -> Any:
        lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5))

    def instance_unbatched(lib: Any) -> Any:
        lib.nn.LazyInstanceNorm1d()(lib.ones(3, 5))

    def optimizer_after_init(lib: Any) -> Any:
        lib.manual_seed(1)
        m = lib.nn.LazyLinear(2)
        opt = lib.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            m(lib.arange(6.0).reshape(2, 3)).sum().backward()
            opt.step()
        return [p.detach().numpy().tolist() for p in m.parameters()]
    for fn in (load_initialized, load_lazy_into_initialized, wrong_dims, groups,
               instance_unbatched, optimizer_after_init):
        t, a = _both(fn)
        if fn is optimizer_after_init:
            np.testing.assert_allclose(np.array(a[0]), np.array(t[0]), rtol=1e-6)
            np.testing.assert_allclose(np.array(a[1]), np.array(t[1]), rtol=1e-6)
        else:
            assert a == t, fn.__name__
