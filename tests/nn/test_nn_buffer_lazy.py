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
        except Exception as e:  # noqa: BLE001 - the error itself is compared
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
            warns[name] = _warned(lambda lib=lib, name=name: mods.__setitem__(name, make(lib)))
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
