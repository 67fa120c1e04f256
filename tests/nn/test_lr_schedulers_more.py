"""The schedulers added in session 13 against torch 2.13: SequentialLR, ChainedScheduler,
PolynomialLR, CyclicLR (modes, cycle_momentum), CosineAnnealingWarmRestarts, OneCycleLR
(anneal_strategy, three_phase, cycle_momentum): every group's options after each step (rates,
momentum or betas, the keys the scheduler adds), the state_dict, a round trip that continues
as torch does, and the errors word for word."""

from __future__ import annotations

from typing import Any

import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402


def _opt(L: Any, name: str = "SGD") -> Any:
    p, q = L.nn.Parameter(L.zeros(1)), L.nn.Parameter(L.zeros(1))
    groups = [{"params": [p]}, {"params": [q], "lr": 0.5}]
    if name == "SGD":
        return L.optim.SGD(groups, lr=0.1, momentum=0.9)
    return L.optim.Adam(groups, lr=0.1)


def _groups(opt: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


def _plain(sd: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in sd.items() if k != "_get_lr_called_within_step"}
    if "_schedulers" in out:
        out["_schedulers"] = [_plain(s) for s in out["_schedulers"]]
    return out


BUILDERS: dict[str, Any] = {
    "PolynomialLR": lambda L, o: L.optim.lr_scheduler.PolynomialLR(o, total_iters=6, power=2.0),
    "PolynomialLR-linear": lambda L, o: L.optim.lr_scheduler.PolynomialLR(o),
    "CyclicLR-triangular": lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=3),
    "CyclicLR-triangular2": lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.2, step_size_up=2, step_size_down=3, mode="triangular2"),
    "CyclicLR-exp_range": lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.2, step_size_up=2, mode="exp_range", gamma=0.9, base_momentum=0.7,
        max_momentum=[0.95, 0.9]),
    "CyclicLR-scale_fn": lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.2, step_size_up=2, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
        cycle_momentum=False),
    "CyclicLR-adam": lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, 0.001, 0.01, step_size_up=4),
    "CosineAnnealingWarmRestarts": lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, eta_min=0.001),
    "CosineAnnealingWarmRestarts-mult": lambda L, o:
        L.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
    "OneCycleLR": lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=13),
    "OneCycleLR-linear-3": lambda L, o: L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=[1.0, 2.0], epochs=2, steps_per_epoch=7, anneal_strategy="linear",
        three_phase=True, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-adam": lambda L, o: L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.01, total_steps=12, cycle_momentum=True, base_momentum=0.8),
    "SequentialLR": lambda L, o: L.optim.lr_scheduler.SequentialLR(
        o, [L.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=3),
            L.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
            L.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)], milestones=[3, 6]),
    "ChainedScheduler": lambda L, o: L.optim.lr_scheduler.ChainedScheduler(
        [L.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4),
         L.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler-opt": lambda L, o: L.optim.lr_scheduler.ChainedScheduler(
        [L.optim.lr_scheduler.PolynomialLR(o, total_iters=5),
         L.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 4], gamma=0.5)], optimizer=o),
}


def _run(L: Any, name: str, steps: int = 12) -> tuple[list[Any], Any, Any]:
    opt = _opt(L, "Adam" if name.endswith("adam") else "SGD")
    sched = BUILDERS[name](L, opt)
    history = [(sched.get_last_lr(), _groups(opt))]
    for _ in range(steps):
        opt.step()
        sched.step()
        history.append((sched.get_last_lr(), _groups(opt)))
    return history, sched, opt


@pytest.mark.parametrize("name", list(BUILDERS))
def test_new_schedulers_match_torch(name: str) -> None:
    ha, sa, _ = _run(adcli, name)
    ht, st, _ = _run(torch, name)
    assert ha == ht
    sda, sdt = _plain(sa.state_dict()), _plain(st.state_dict())
    assert sorted(sda) == sorted(sdt)
    for key in sdt:
        if key not in ("_scale_fn_custom",):
            assert sda[key] == sdt[key], key


@pytest.mark.parametrize("name", ["CyclicLR-exp_range", "OneCycleLR", "SequentialLR",
                                  "CosineAnnealingWarmRestarts-mult", "ChainedScheduler"])
def test_state_dict_round_trip_continues_like_torch(name: str) -> None:
    def run(L: Any) -> list[Any]:
        _, sched, opt = _run(L, name, steps=5)
        sd = sched.state_dict()
        opt2 = _opt(L)
        opt2.load_state_dict(opt.state_dict())
        fresh = BUILDERS[name](L, opt2)
        fresh.load_state_dict(sd)
        out = []
        for _ in range(4):
            opt2.step()
            fresh.step()
            out.append((fresh.get_last_lr(), _groups(opt2)))
        return out

    assert run(adcli) == run(torch)


def test_warm_restarts_epoch_argument_matches_torch() -> None:
    def run(L: Any) -> list[Any]:
        opt = _opt(L)
        sched = L.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3)
        out = []
        for epoch in (0.5, 1.25, 3, 7.5, 20, 2):
            sched.step(epoch)
            out.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        return out

    assert run(adcli) == run(torch)


def test_scheduler_errors_match_torch() -> None:
    def cases(L: Any) -> list[Any]:
        S = L.optim.lr_scheduler
        o = _opt(L)
        other = _opt(L)
        plateau = S.ReduceLROnPlateau(o)
        one_cycle = S.OneCycleLR(other, 1.0, total_steps=2)
        return [
            lambda: S.SequentialLR(o, [], milestones=[]),
            lambda: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]),
            lambda: S.SequentialLR(o, [S.StepLR(o, 2), plateau], milestones=[2]),
            lambda: S.SequentialLR(o, [S.StepLR(o, 2), object()], milestones=[2]),
            lambda: S.ChainedScheduler([]),
            lambda: S.ChainedScheduler([S.StepLR(o, 2), plateau]),
            lambda: S.CyclicLR(o, 0.1, [0.2, 0.3, 0.4]),
            lambda: S.CyclicLR(o, 0.1, 0.2, mode="sawtooth"),
            lambda: S.CyclicLR(L.optim.Adagrad([L.nn.Parameter(L.zeros(1))]), 0.1, 0.2),
            lambda: S.CosineAnnealingWarmRestarts(o, T_0=0),
            lambda: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
            lambda: S.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="x"),
            lambda: S.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
            lambda: S.OneCycleLR(o, 1.0),
            lambda: S.OneCycleLR(o, 1.0, total_steps=0),
            lambda: S.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2),
            lambda: S.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1),
            lambda: S.OneCycleLR(o, 1.0, total_steps=5, pct_start=1.5),
            lambda: S.OneCycleLR(o, 1.0, total_steps=5, anneal_strategy="exp"),
            lambda: [one_cycle.step() for _ in range(3)],
        ]

    for a_fn, t_fn in zip(cases(adcli), cases(torch)):
        with pytest.raises(Exception) as te:
            t_fn()
        with pytest.raises(Exception) as ae:
            a_fn()
        assert type(ae.value) is type(te.value), (ae.value, te.value)
        assert str(ae.value) == str(te.value)


def test_optimizer_state_dict_hooks_and_sparse_adam_match_torch() -> None:
    """register_(load_)state_dict_pre/post_hook (order, prepend, a returned dict replaces the
    result), and SparseAdam: its checks, its repr, and its refusal of dense gradients."""

    def run(L: Any) -> list[Any]:
        p = L.nn.Parameter(L.zeros(3))
        out: list[Any] = []
        opt = L.optim.SparseAdam([p], lr=0.1)
        calls: list[str] = []
        opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre 1"))
        opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre 0"), prepend=True)
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": len(calls)})
        h = opt.register_load_state_dict_pre_hook(
            lambda o, sd: calls.append("load pre") or {**sd, "param_groups": [
                {**sd["param_groups"][0], "lr": 0.5}]})
        opt.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
        sd = opt.state_dict()
        opt.load_state_dict(sd)
        out += [sorted(sd), sd["extra"], list(calls), opt.param_groups[0]["lr"], repr(opt)]
        h.remove()
        opt.load_state_dict(sd)
        out.append(opt.param_groups[0]["lr"])
        p.grad = L.ones(3)
        for fn in (opt.step, lambda: L.optim.SparseAdam([p], lr=0),
                   lambda: L.optim.SparseAdam([p], eps=0.0),
                   lambda: L.optim.SparseAdam([p], betas=(1.0, 0.5)),
                   lambda: L.optim.SparseAdam([p], betas=(0.5, -1.0))):
            try:
                fn()
            except Exception as e:
                out.append((type(e).__name__, str(e)))
        return out

    assert run(adcli) == run(torch)
