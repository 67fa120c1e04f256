"""Global optimizer step hooks, ``swap_in_optimizer_params_and_state`` and the schedulers'
epoch deprecation warning, run side by side with torch 2.13 and compared."""

from __future__ import annotations

import copy
import importlib
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as e:  # the class and message are what is compared
        return type(e).__name__, str(e)


def _hooks(L: Any) -> list[Any]:
    oo = importlib.import_module(L.__name__ + ".optim.optimizer")
    log: list[Any] = []
    p = L.ones(2, requires_grad=True)
    p.grad = L.ones(2)
    o = L.optim.SGD([p], lr=0.1)
    h1 = oo.register_optimizer_step_pre_hook(
        lambda opt, a, k: log.append(("global pre", type(opt).__name__, len(a), a[0] is opt, k)))
    h2 = oo.register_optimizer_step_post_hook(
        lambda opt, a, k: log.append(("global post", type(opt).__name__, len(a))))
    o.register_step_pre_hook(lambda opt, a, k: log.append("pre"))
    o.register_step_post_hook(lambda opt, a, k: log.append("post"))
    try:
        o.step()
        log.append(p.tolist())

        class Mine(L.optim.Optimizer):
            def __init__(self, params: Any) -> None:
                super().__init__(params, {"lr": 1})

            def step(self, closure: Any = None) -> Any:
                log.append("my step")
                return 5

        log.append(Mine([p]).step())
        log.append((type(h1).__name__, h2.id - h1.id))
        h1.remove()
        o.step()
        h2.remove()
        o.step()
        h = oo.register_optimizer_step_pre_hook(lambda opt, a, k: 3)
        out = _outcome(o.step)
        log.append((out[0], out[1].split(" must ")[1]))
        h.remove()
        # a pre hook may replace the arguments (the optimizer stays first)
        h = oo.register_optimizer_step_pre_hook(lambda opt, a, k: ((opt,), {"closure": lambda: 7}))
        log.append(o.step())
        h.remove()
    finally:
        h1.remove()
        h2.remove()
    log.append((len(oo._global_optimizer_pre_hooks), len(oo._global_optimizer_post_hooks)))
    log.append(sorted(set(oo.__all__) - {"required"}))  # (adcli also exports ``required``)
    return log


def test_global_step_hooks_as_torch() -> None:
    assert _hooks(adcli) == _hooks(torch)


def _swap(L: Any) -> list[Any]:
    out: list[Any] = []
    p = L.tensor([1.0, 2.0], requires_grad=True)
    q = L.tensor([3.0], requires_grad=True)
    o = L.optim.Adam([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
    swap = L.optim.swap_in_optimizer_params_and_state
    out.append(_outcome(lambda: swap(o, {}, {}).__enter__()))
    p.grad, q.grad = L.ones(2), L.ones(1)
    o.step()
    sd = o.state_dict()
    fake = {"a": L.tensor([5.0, 6.0], requires_grad=True), "b": L.tensor([7.0], requires_grad=True)}
    fake["a"].grad, fake["b"].grad = L.full((2,), 0.5), L.full((1,), 2.0)
    sd2 = copy.deepcopy(sd)
    sd2["param_groups"][0]["lr"] = 0.01
    with swap(o, fake, sd2):
        out.append((o.param_groups[0]["lr"], o.param_groups[0]["params"][0] is fake["a"]))
        o.step()
    out += [fake["a"].tolist(), fake["b"].tolist(), sd2["state"][0]["exp_avg"].tolist(),
            sd2["state"][0]["step"].item(), sd2["state"][1]["exp_avg_sq"].tolist()]
    out += [o.param_groups[0]["lr"], o.param_groups[0]["params"][0] is p,
            sd["state"][0]["step"].item(), p.tolist(), o.state[p]["step"].item()]

    def broken(edit: Callable[[dict[str, Any]], None]) -> Any:
        bad = copy.deepcopy(sd)
        edit(bad)
        return _outcome(lambda: swap(o, fake, bad).__enter__())

    out.append(broken(lambda d: d.__setitem__("state", [])))
    out.append(broken(lambda d: d["state"].__setitem__(9, {})))
    out.append(broken(lambda d: d["state"].__setitem__(0, 3)))
    out.append(broken(lambda d: d.__setitem__("param_groups", d["param_groups"][:1])))
    out.append(broken(lambda d: d.__setitem__("param_groups", 5)))
    out.append(broken(lambda d: (d["param_groups"][1].__setitem__("zzz", 1),
                                 d["param_groups"][1].pop("eps"))))
    out.append(broken(lambda d: d["param_groups"][1].__setitem__("params", ["x"])))
    out.append(broken(lambda d: d["param_groups"][1].__setitem__("params", [1, 2])))
    out.append(broken(lambda d: d.__setitem__("state", {p: {}})))
    out.append(broken(lambda d: d["param_groups"].__setitem__(0, 1)))
    out.append(_outcome(lambda: swap(o, {"a": fake["a"]}, sd).__enter__()))
    out.append(_outcome(lambda: swap(o, fake, 3).__enter__()))
    return out


def test_swap_in_optimizer_params_and_state_as_torch() -> None:
    assert _swap(adcli) == _swap(torch)
    assert adcli.optim.swap_in_optimizer_params_and_state.__module__ == "adcli.optim"


def _epoch_warnings(L: Any) -> list[Any]:
    out: list[Any] = [L.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING]
    p = L.zeros(1, requires_grad=True)
    for make, args in [(lambda o: L.optim.lr_scheduler.StepLR(o, 2), ()),
                       (lambda o: L.optim.lr_scheduler.ExponentialLR(o, 0.5), ()),
                       (lambda o: L.optim.lr_scheduler.ReduceLROnPlateau(o, patience=0), (1.0,))]:
        o = L.optim.SGD([p], lr=1.0)
        s = make(o)
        o.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s.step(*args, 3)
            s.step(*args)
        out.append([(w.category.__name__, str(w.message), w.filename == __file__)
                    for w in caught])
        out.append((s.last_epoch, o.param_groups[0]["lr"]))
    return out


def test_epoch_argument_warns_as_torch() -> None:
    assert _epoch_warnings(adcli) == _epoch_warnings(torch)
