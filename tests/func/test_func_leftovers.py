"""torch.func.linearize, functionalize, stack_module_state, replace_all_batch_norm_modules_
and top-level torch.vmap, against real torch."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def outcome(fn):
    try:
        r = fn()
    except Exception as exc:
        return type(exc).__name__, str(exc)
    if isinstance(r, tuple):
        return tuple(outcome(lambda v=v: v) for v in r)
    if isinstance(r, dict):
        return {k: outcome(lambda v=v: v) for k, v in r.items()}
    if isinstance(r, (adcli.Tensor, torch.Tensor)):
        return (str(r.dtype), tuple(r.shape), np.round(r.detach().numpy(), 6).tolist(),
                r.requires_grad, r.is_leaf)
    return repr(r)


def same(prog):
    assert outcome(lambda: prog(adcli)) == outcome(lambda: prog(torch))


def f(x, y):
    return (x.sin() * y).sum(0), x * 2


@pytest.mark.parametrize("case", range(5))
def test_linearize(case):
    def prog(lib):
        x = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64)
        y = lib.tensor([1.5, -0.5], dtype=lib.float64)
        out, jvp_fn = lib.func.linearize(f, x, y)
        tx, ty = lib.ones_like(x) * 0.3, lib.tensor([2.0, 1.0], dtype=lib.float64)
        return [lambda: out, lambda: jvp_fn(tx, ty), lambda: jvp_fn(tx, ty)[0] * 2,
                lambda: jvp_fn(lib.ones(3), ty), lambda: jvp_fn(tx)][case]()

    same(prog)


def test_functionalize_computes_the_same():
    def g(x):
        y = x.clone()
        y.add_(1.0)
        x.mul_(2.0)  # an input mutation stays visible, as torch's functionalize keeps it
        return y.exp()

    def prog(lib):
        x = lib.tensor([0.5, -1.0], dtype=lib.float64)
        fn = lib.func.functionalize(g)
        return fn(x), x, fn.__name__

    same(prog)
    same(lambda lib: lib.func.functionalize(g, remove="x"))
    same(lambda lib: lib.func.functionalize(g, remove="mutations_and_views").__name__)


def test_stack_module_state():
    def prog(lib):
        lib.manual_seed(0)
        models = [lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
                  for _ in range(3)]
        params, buffers = lib.func.stack_module_state(models)
        return params, buffers

    same(prog)
    same(lambda lib: lib.func.stack_module_state([]))

    def mixed(lib):
        models = [lib.nn.Linear(2, 1), lib.nn.Linear(2, 1)]
        models[1].eval()
        return lib.func.stack_module_state(models)

    same(mixed)
    same(lambda lib: lib.func.stack_module_state([lib.nn.Linear(2, 1), lib.nn.Tanh()]))

    def grads(lib):
        models = [lib.nn.Linear(2, 1), lib.nn.Linear(2, 1)]
        models[1].weight.requires_grad_(False)
        return lib.func.stack_module_state(models)

    same(grads)


def test_ensemble_with_vmap_and_functional_call():
    # torch's model-ensembling tutorial: stack_module_state + functional_call + vmap
    def prog(lib):
        lib.manual_seed(0)
        models = [lib.nn.Linear(3, 2).double() for _ in range(4)]
        params, buffers = lib.func.stack_module_state(models)
        base = lib.nn.Linear(3, 2).double()

        def call(p, b, x):
            return lib.func.functional_call(base, (p, b), (x,))

        x = lib.randn(5, 3, dtype=lib.float64)
        out = lib.vmap(call, in_dims=(0, 0, None))(params, buffers, x)
        out.sum().backward()
        return out, params["weight"].grad

    same(prog)


def test_replace_all_batch_norm_modules_():
    def prog(lib):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2),
                              lib.nn.Sequential(lib.nn.BatchNorm1d(2)))
        back = lib.func.replace_all_batch_norm_modules_(m)
        bn = m[1]
        m.eval()
        return (back is m, bn.running_mean, bn.running_var, bn.num_batches_tracked,
                bn.track_running_stats, m[2][0].track_running_stats,
                m(lib.tensor([[1.0, 2.0], [3.0, -1.0]])))

    same(prog)


def test_top_level_vmap():
    same(lambda lib: lib.vmap(lambda x: (x * x).sum())(lib.arange(6.).reshape(2, 3)))
    assert adcli.vmap is adcli.func.vmap
