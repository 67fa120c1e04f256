"""``optim.swa_utils`` against torch 2.13: AveragedModel (default SWA, avg_fn, multi_avg_fn,
use_buffers), SWALR rates, update_bn, the averaging functions and their errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(11)
X = [RNG.standard_normal((5, 3)) for _ in range(4)]


def _model(L: Any) -> Any:
    m = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.Linear(4, 2))
    with L.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(L.tensor(np.linspace(-1, 1, p.numel()).reshape(tuple(p.shape)) * (i + 1),
                             dtype=p.dtype))
    return m


def _avg_kwargs(L: Any, how: str) -> dict[str, Any]:
    S = L.optim.swa_utils
    return {"swa": {}, "ema_multi": {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)},
            "swa_multi": {"multi_avg_fn": S.get_swa_multi_avg_fn()},
            "ema": {"avg_fn": S.get_ema_avg_fn(0.8)}, "swa_fn": {"avg_fn": S.get_swa_avg_fn()},
            "ema_buffers": {"multi_avg_fn": S.get_ema_multi_avg_fn(0.7), "use_buffers": True},
            }[how]


@pytest.mark.parametrize("how", ["swa", "ema_multi", "swa_multi", "ema", "swa_fn",
                                 "ema_buffers"])
def test_averaged_model_matches_torch(how: str) -> None:
    def run(L: Any) -> Any:
        model = _model(L)
        avg = L.optim.swa_utils.AveragedModel(model, **_avg_kwargs(L, how))
        opt = L.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
        for x in X:
            opt.zero_grad()
            model(L.tensor(x, dtype=L.float32)).pow(2).sum().backward()
            opt.step()
            avg.update_parameters(model)
        out = {k: v.detach().numpy() for k, v in avg.state_dict().items()}
        out["y"] = avg(L.tensor(X[0], dtype=L.float32)).detach().numpy()
        return out, avg.n_averaged.item()

    (a, na), (t, nt) = run(adcli), run(torch)
    assert na == nt and sorted(a) == sorted(t)
    for k in t:
        np.testing.assert_array_equal(a[k], t[k], err_msg=k)


def test_update_bn_matches_torch() -> None:
    def run(L: Any) -> Any:
        model = _model(L)
        loader = [(L.tensor(x, dtype=L.float32), 0) for x in X]
        model.eval()
        L.optim.swa_utils.update_bn(loader, model)
        bn = model[1]
        return (bn.running_mean.numpy(), bn.running_var.numpy(), bn.num_batches_tracked.item(),
                bn.momentum, model.training)

    a, t = run(adcli), run(torch)
    np.testing.assert_allclose(a[0], t[0], rtol=1e-6)
    np.testing.assert_allclose(a[1], t[1], rtol=1e-6)
    assert a[2:] == t[2:]


@pytest.mark.parametrize("kw", [{"swa_lr": 0.05}, {"swa_lr": [0.05, 0.2], "anneal_epochs": 3,
                                                   "anneal_strategy": "linear"},
                                {"swa_lr": 0.01, "anneal_epochs": 0}])
def test_swalr_matches_torch(kw: dict[str, Any]) -> None:
    def run(L: Any) -> Any:
        p, q = L.nn.Parameter(L.zeros(1)), L.nn.Parameter(L.zeros(1))
        opt = L.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
        sched = L.optim.swa_utils.SWALR(opt, **kw)
        out = [sched.get_last_lr()]
        for _ in range(12):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        sd = {k: v for k, v in sched.state_dict().items() if k != "_get_lr_called_within_step"}
        return out, sorted(sd), [g["swa_lr"] for g in opt.param_groups]

    assert run(adcli) == run(torch)


def test_swa_errors_match_torch() -> None:
    def cases(L: Any) -> list[Any]:
        S = L.optim.swa_utils
        opt = L.optim.SGD([L.nn.Parameter(L.zeros(1))], lr=0.1)
        return [lambda: S.get_ema_multi_avg_fn(1.5), lambda: S.get_ema_avg_fn(-0.1),
                lambda: S.SWALR(opt, 0.1, anneal_strategy="exp"),
                lambda: S.SWALR(opt, 0.1, anneal_epochs=-1),
                lambda: S.SWALR(opt, [0.1, 0.2]),
                lambda: S.AveragedModel(_model(L), avg_fn=S.get_swa_avg_fn(),
                                        multi_avg_fn=S.get_swa_multi_avg_fn())]

    for a_fn, t_fn in zip(cases(adcli), cases(torch)):
        with pytest.raises(Exception) as te:
            t_fn()
        with pytest.raises(Exception) as ae:
            a_fn()
        assert type(ae.value) is type(te.value) and str(ae.value) == str(te.value)
