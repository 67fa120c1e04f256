"""``adcli.optim`` against torch: parameters and optimizer state after several steps (param
groups, weight decay, momentum/Nesterov, amsgrad, maximize, ...), state_dict round trips, reprs,
errors, and the learning-rate schedulers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(42)
W0, B0, V0 = RNG.standard_normal((3, 4)), RNG.standard_normal(3), RNG.standard_normal(5)
X = RNG.standard_normal((6, 4))
T = RNG.standard_normal((6, 3))

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.7, "weight_decay": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.3, "centered": True, "eps": 1e-4}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2,
                 "weight_decay": 0.1, "eps": 1e-8}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.9, 0.5), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 3, "weight_decay": 0.1,
              "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.2), "maximize": True}),
]


def _model(L: Any) -> tuple[list[Any], Any]:
    w = L.nn.Parameter(L.tensor(W0, dtype=L.float64))
    b = L.nn.Parameter(L.tensor(B0, dtype=L.float64))
    v = L.nn.Parameter(L.tensor(V0, dtype=L.float64))  # never gets a gradient

    def loss() -> Any:
        y = L.tanh(L.tensor(X) @ w.T + b)
        return ((y - L.tensor(T)) ** 2).sum() + (w**4).mean()

    return [w, b, v], loss


def _run(L: Any, name: str, kw: dict[str, Any], steps: int = 7) -> tuple[list[Any], Any]:
    (w, b, v), loss_fn = _model(L)
    # Two groups with their own options; the third parameter never has a gradient.
    group2 = {"params": [b, v], "lr": kw.get("lr", 1e-3) * 3}
    if name != "SGD" or kw.get("momentum", 0) == 0:
        group2["weight_decay"] = 0.2
    opt = getattr(L.optim, name)([{"params": [w]}, group2], **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    return [w, b, v], opt


def _np(x: Any) -> Any:
    return x.detach().numpy() if hasattr(x, "detach") else x


def _compare_state(sa: dict[str, Any], st: dict[str, Any], rtol: float = 1e-12) -> None:
    assert sa["param_groups"] == st["param_groups"]
    assert sorted(sa["state"]) == sorted(st["state"])
    for k in st["state"]:
        assert list(sa["state"][k]) == list(st["state"][k]), k
        for key, tv in st["state"][k].items():
            av = sa["state"][k][key]
            assert isinstance(av, adcli.Tensor) == isinstance(tv, torch.Tensor)
            assert str(av.dtype) == str(tv.dtype), (k, key)
            np.testing.assert_allclose(_np(av), _np(tv), rtol=rtol, atol=1e-15,
                                       err_msg=f"{k}.{key}")


@pytest.mark.parametrize(("name", "kw"), CONFIGS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_optimizer_matches_torch(name: str, kw: dict[str, Any]) -> None:
    pa, oa = _run(adcli, name, kw)
    pt, ot = _run(torch, name, kw)
    for a, t in zip(pa, pt):
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-12, atol=1e-15)
    _compare_state(oa.state_dict(), ot.state_dict())
    assert repr(oa) == repr(ot)


@pytest.mark.parametrize(("name", "kw"), [CONFIGS[2], CONFIGS[6], CONFIGS[13], CONFIGS[15]],
                         ids=["SGD", "Adam", "RMSprop", "Adagrad"])
def test_state_dict_round_trip_continues_like_torch(name: str, kw: dict[str, Any]) -> None:
    """Stop after 3 steps, load torch's state_dict into a fresh adcli optimizer, go on 4 more."""
    (w, b, v), loss_t = _model(torch)
    opt_t = getattr(torch.optim, name)([{"params": [w]}, {"params": [b, v], "lr": 0.03}], **kw)

    def step_t() -> None:
        opt_t.zero_grad()
        loss_t().backward()
        opt_t.step()

    for _ in range(3):
        step_t()
    sd = opt_t.state_dict()
    (aw, ab, av), loss_a = _model(adcli)
    for ap, tp in zip((aw, ab, av), (w, b, v)):
        with adcli.no_grad():
            ap.copy_(adcli.tensor(tp.detach().numpy()))
    opt_a = getattr(adcli.optim, name)([{"params": [aw]}, {"params": [ab, av]}], **kw)
    converted = {
        "state": {k: {kk: adcli.tensor(vv.numpy()) if isinstance(vv, torch.Tensor) else vv
                      for kk, vv in s.items()} for k, s in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    opt_a.load_state_dict(converted)
    assert opt_a.param_groups[1]["lr"] == 0.03
    for _ in range(4):
        step_t()
        opt_a.zero_grad()
        loss_a().backward()
        opt_a.step()
    for ap, tp in zip((aw, ab, av), (w, b, v)):
        np.testing.assert_allclose(_np(ap), _np(tp), rtol=1e-12, atol=1e-15)
    _compare_state(opt_a.state_dict(), opt_t.state_dict())


def _closure_run(L: Any) -> None:
    (w, b, _), loss_fn = _model(L)
    opt = L.optim.SGD([w, b], lr=0.01)
    calls: list[str] = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    h = opt.register_step_post_hook(lambda o, a, k: calls.append("post"))

    def closure() -> Any:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    loss = opt.step(closure)
    h.remove()
    opt.step(closure)
    assert calls == ["pre", "post", "pre"]
    assert float(loss) > 0
    opt.zero_grad(set_to_none=False)
    assert float(w.grad.abs().sum()) == 0.0 and w.grad is not None
    opt.zero_grad()
    assert w.grad is None


def test_closure_zero_grad_and_hooks() -> None:
    _closure_run(adcli)
    _closure_run(torch)
    pa, _ = _run(adcli, "SGD", {"lr": 0.1}, steps=2)
    pt, _ = _run(torch, "SGD", {"lr": 0.1}, steps=2)
    np.testing.assert_allclose(_np(pa[0]), _np(pt[0]), rtol=1e-12)


def test_constructor_and_group_errors_match_torch() -> None:
    def cases(L: Any) -> list[Any]:
        p = L.nn.Parameter(L.zeros(2))
        q = L.nn.Parameter(L.zeros(2))
        return [
            lambda: L.optim.SGD([p], lr=-1.0),
            lambda: L.optim.SGD([p], lr=0.1, momentum=-0.5),
            lambda: L.optim.SGD([p], lr=0.1, nesterov=True),
            lambda: L.optim.SGD([], lr=0.1),
            lambda: L.optim.SGD(p, lr=0.1),
            lambda: L.optim.SGD([{"params": [p]}, {"params": [p, q]}], lr=0.1),
            lambda: L.optim.SGD([p * 2], lr=0.1),
            lambda: L.optim.SGD([1.0], lr=0.1),
            lambda: L.optim.Adam([p], betas=(1.0, 0.9)),
            lambda: L.optim.Adam([p], betas=(0.9, -0.1)),
            lambda: L.optim.Adam([p], eps=-1.0),
            lambda: L.optim.AdamW([p], weight_decay=-1.0),
            lambda: L.optim.RMSprop([p], alpha=-0.1),
            lambda: L.optim.Adagrad([p], lr_decay=-0.1),
            lambda: L.optim.Adagrad([p], initial_accumulator_value=-1),
            lambda: L.optim.Adadelta([p], rho=1.5),
            lambda: L.optim.Adamax([p], betas=(0.9, 1.0)),
            lambda: L.optim.NAdam([p], momentum_decay=-1.0),
            lambda: L.optim.RAdam([p], lr=-0.1),
            lambda: L.optim.ASGD([p], lr=-0.1),
            lambda: L.optim.ASGD([p], weight_decay=-0.1),
            lambda: L.optim.Rprop([p], etas=(1.0, 1.2)),
            lambda: L.optim.Rprop([p], lr=-1.0),
            lambda: L.optim.SGD([p], lr=0.1).add_param_group([q]),
            lambda: L.optim.SGD([p], lr=0.1).add_param_group({"params": {q}}),
            lambda: L.optim.SGD([p], lr=0.1).load_state_dict(
                {"state": {}, "param_groups": []}),
            lambda: L.optim.SGD([p], lr=0.1).load_state_dict(
                {"state": {}, "param_groups": [{"params": [0, 1]}]}),
            lambda: L.optim.SGD([("a", p)], lr=0.1).add_param_group({"params": [q]}),
        ]

    for a_fn, t_fn in zip(cases(adcli), cases(torch)):
        with pytest.raises(Exception) as te:
            t_fn()
        with pytest.raises(Exception) as ae:
            a_fn()
        assert type(ae.value) is type(te.value), (ae.value, te.value)
        assert str(ae.value) == str(te.value)


def test_named_params_and_add_param_group_match_torch() -> None:
    def build(L: Any) -> Any:
        m = L.nn.Linear(2, 2)
        opt = L.optim.Adam(m.named_parameters(), lr=0.01)
        return opt.state_dict()["param_groups"]

    assert build(adcli) == build(torch)

    def later(L: Any) -> Any:
        p, q = L.nn.Parameter(L.zeros(2)), L.nn.Parameter(L.zeros(3))
        opt = L.optim.Adagrad([p], lr=0.5)
        opt.add_param_group({"params": q, "lr_decay": 0.1})
        return opt.state_dict()

    sa, st = later(adcli), later(torch)
    assert sa["param_groups"] == st["param_groups"]
    assert sorted(sa["state"]) == sorted(st["state"])


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 8], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (e + 1)}),
    ("LambdaLR", {"lr_lambda": [lambda e: 0.95**e, lambda e: e + 1]}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9 if e % 2 else 1.05}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 4}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 6}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": 7}),
]


@pytest.mark.parametrize(("name", "kw"), SCHEDULERS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_lr_schedulers_match_torch(name: str, kw: dict[str, Any]) -> None:
    def run(L: Any) -> Any:
        p, q = L.nn.Parameter(L.zeros(1)), L.nn.Parameter(L.zeros(1))
        opt = L.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1, momentum=0.9)
        sched = getattr(L.optim.lr_scheduler, name)(opt, **kw)
        history = [sched.get_last_lr()]
        for _ in range(10):
            opt.step()
            sched.step()
            history.append(sched.get_last_lr())
        sd = sched.state_dict()
        return history, [g["lr"] for g in opt.param_groups], sd, opt

    ha, la, sda, opt_a = run(adcli)
    ht, lt, sdt, _ = run(torch)
    np.testing.assert_allclose(np.array(ha), np.array(ht), rtol=1e-15)
    assert la == lt
    assert sorted(sda) == sorted(k for k in sdt if k != "_get_lr_called_within_step")
    for k in ("last_epoch", "base_lrs", "_step_count", "_last_lr"):
        assert sda[k] == sdt[k]
    assert opt_a.param_groups[0]["initial_lr"] == 0.1


def test_reduce_lr_on_plateau_matches_torch() -> None:
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9, 0.91, 0.92, 0.93]

    def run(L: Any, **kw: Any) -> Any:
        p, q = L.nn.Parameter(L.zeros(1)), L.nn.Parameter(L.zeros(1))
        opt = L.optim.Adam([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
        sched = L.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
        return out, {k: v for k, v in sched.state_dict().items()}

    for kw in ({"patience": 1}, {"patience": 0, "cooldown": 2, "factor": 0.5},
               {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "patience": 1,
                "min_lr": [0.05, 0.2]}):
        (ha, sa), (ht, st) = run(adcli, **kw), run(torch, **kw)
        assert ha == ht
        assert sa == st
    for bad in ({"factor": 1.0}, {"mode": "avg"}, {"threshold_mode": "pct"},
                {"min_lr": [0.1, 0.2, 0.3]}):
        def make(L: Any, kw: dict[str, Any] = bad) -> Any:
            return L.optim.lr_scheduler.ReduceLROnPlateau(
                L.optim.SGD([L.nn.Parameter(L.zeros(1))], lr=1.0), **kw)

        with pytest.raises(ValueError) as te:
            make(torch)
        with pytest.raises(ValueError) as ae:
            make(adcli)
        assert str(ae.value) == str(te.value)


def test_scheduler_warnings_and_epoch_argument_match_torch() -> None:
    for L in (adcli, torch):
        p = L.nn.Parameter(L.zeros(1))
        opt = L.optim.SGD([p], lr=1.0)
        sched = L.optim.lr_scheduler.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.step()
        assert any("before `optimizer.step()`" in str(x.message) for x in w), L
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.step(5)
        assert any("epoch parameter" in str(x.message) for x in w)
        assert sched.get_last_lr() == [0.1**2 * 1.0]
    with pytest.raises(KeyError):
        adcli.optim.lr_scheduler.StepLR(adcli.optim.SGD([adcli.nn.Parameter(adcli.zeros(1))],
                                                        lr=1.0), 2, last_epoch=3)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        adcli.optim.lr_scheduler.ExponentialLR(object(), 0.5)  # type: ignore[arg-type]


def test_float32_parameters_follow_torch() -> None:
    def run(L: Any) -> Any:
        w = L.nn.Parameter(L.tensor(W0.astype(np.float32)))
        opt = L.optim.Adam([w], lr=0.05, amsgrad=True)
        for _ in range(5):
            opt.zero_grad()
            (L.tanh(w) ** 2).sum().backward()
            opt.step()
        return w.detach().numpy(), opt.state_dict()["state"][0]["step"]

    (wa, sa), (wt, st) = run(adcli), run(torch)
    np.testing.assert_allclose(wa, wt, rtol=2e-6, atol=1e-7)
    assert sa.item() == st.item() == 5.0 and str(sa.dtype) == str(st.dtype)
