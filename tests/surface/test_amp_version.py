"""torch.amp on a CPU-only adcli (autocast disabled or refused, GradScaler as torch's),
torch.cpu and torch.version, against real torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = fn()
            r = type(r).__name__ if type(r).__name__ in ("autocast", "GradScaler") else repr(r)
        except Exception as exc:
            r = (type(exc).__name__, str(exc))
    return r, [(w.category.__name__, str(w.message)) for w in caught
               if "jit" not in str(w.message)]


def same(prog):
    assert outcome(lambda: prog(adcli)) == outcome(lambda: prog(torch))


def test_autocast_disabled_forms_match_torch():
    same(lambda lib: lib.autocast("cuda", enabled=True))
    same(lambda lib: lib.autocast("cpu", enabled=False))
    same(lambda lib: lib.autocast("cpu", dtype=lib.float64))
    same(lambda lib: lib.autocast("xyz"))
    same(lambda lib: lib.autocast(device_type=3))
    same(lambda lib: lib.amp.autocast("cpu", enabled=False))
    same(lambda lib: lib.cpu.amp.autocast(enabled=False))
    same(lambda lib: lib.cuda.amp.autocast())
    same(lambda lib: lib.cuda.amp.autocast(enabled=False))
    same(lambda lib: (lib.is_autocast_enabled(), lib.get_autocast_dtype("cpu"),
                      lib.get_autocast_dtype("cuda"), lib.amp.is_autocast_available("cpu")))

    def block(lib):
        x = lib.ones(2, 2, requires_grad=True)
        with lib.autocast("cpu", enabled=False):
            y = x @ x
            inner = lib.is_autocast_enabled("cpu")
        return y, y.dtype, inner

    same(block)

    def decorated(lib):
        @lib.autocast("cpu", enabled=False)
        def f(x):
            return x * 2

        return f(lib.ones(2))

    same(decorated)


def test_enabled_cpu_autocast_is_refused():
    refused = r"adcli does not autocast: torch\.autocast"
    with pytest.raises(NotImplementedError, match=refused), adcli.autocast("cpu"):
        pass
    with pytest.raises(NotImplementedError), adcli.autocast("cpu", dtype=adcli.float16):
        pass


def test_grad_scaler_construction_matches_torch():
    same(lambda lib: lib.amp.GradScaler())
    same(lambda lib: lib.amp.GradScaler("cpu"))
    same(lambda lib: lib.GradScaler("cpu", growth_factor=1.0))
    same(lambda lib: lib.amp.GradScaler("cpu", backoff_factor=1.0))
    same(lambda lib: lib.cuda.amp.GradScaler())
    same(lambda lib: lib.cpu.amp.GradScaler())
    same(lambda lib: lib.amp.GradScaler().state_dict())
    same(lambda lib: lib.amp.GradScaler().get_scale())


def _training(lib, enabled, inf_at=(2,)):
    lib.manual_seed(0)
    model = lib.nn.Linear(2, 1)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2, enabled=enabled)
    log = []
    for i in range(6):
        opt.zero_grad()
        loss = model(lib.tensor([[1.0, -2.0]])).sum()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i in inf_at:
            with lib.no_grad():
                model.weight.grad[0, 0] = float("inf")
        if i == 4:
            scaler.unscale_(opt)
            log.append(model.weight.grad.tolist())
        log.append((scaled.item(), None if scaled.grad_fn is None else scaled.grad_fn.name(),
                    scaler.step(opt)))
        scaler.update()
        log.append((scaler.get_scale(), scaler._get_growth_tracker(),
                    model.weight.detach().numpy().round(6).tolist()))
    log.append(scaler.state_dict())
    log.append(outcome(lambda: scaler.update()))
    return log


@pytest.mark.parametrize("enabled", [True, False])
def test_grad_scaler_training_matches_torch(enabled):
    assert _training(adcli, enabled) == _training(torch, enabled)


def test_grad_scaler_errors_and_state():
    def prog(lib):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        s = lib.amp.GradScaler("cpu")
        out = [outcome(lambda: s.step(opt)), outcome(lambda: s.unscale_(opt))]
        s.scale(model(lib.ones(1, 2)).sum()).backward()
        s.unscale_(opt)
        out.append(outcome(lambda: s.unscale_(opt)))
        s.step(opt)
        out.append(outcome(lambda: s.step(opt)))
        out.append(outcome(lambda: s.unscale_(opt)))
        out.append(outcome(lambda: s.step(opt, closure=lambda: 0)))
        s.update(8.0)
        out.append(s.get_scale())
        t = lib.amp.GradScaler("cpu")
        t.load_state_dict(s.state_dict())
        out.append(t.state_dict())
        out.append(outcome(lambda: t.load_state_dict({})))
        out.append(outcome(lambda: s.scale([lib.ones(1), (lib.ones(2),)])))
        out.append(outcome(lambda: s.scale(3)))
        return out

    assert prog(adcli) == prog(torch)


def test_cpu_and_version_modules():
    same(lambda lib: (lib.cpu.is_available(), lib.cpu.device_count(), lib.cpu.current_device(),
                      lib.cpu.synchronize()))
    same(lambda lib: (lib.version.cuda, lib.version.hip, lib.version.debug))
    assert adcli.version.__version__ == adcli.__version__
    assert isinstance(adcli.version.git_version, str)


def test_scaled_gradients_equal_unscaled_ones():
    # the point of loss scaling: after unscale_ the gradients are the unscaled ones
    model = adcli.nn.Linear(3, 1)
    x = adcli.randn(4, 3)
    model(x).sum().backward()
    plain = model.weight.grad.clone()
    model.zero_grad()
    opt = adcli.optim.SGD(model.parameters(), lr=0.1)
    scaler = adcli.amp.GradScaler("cpu", init_scale=1024.0)
    scaler.scale(model(x).sum()).backward()
    scaler.unscale_(opt)
    np.testing.assert_array_equal(model.weight.grad.numpy(), plain.numpy())
