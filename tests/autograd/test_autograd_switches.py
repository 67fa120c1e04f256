"""torch.autograd's switches against torch: multithreading, view replay, anomaly mode at the
top level, the CUDA-stream flags of torch.autograd.graph, region_activation_memory_budget."""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()


@pytest.mark.parametrize("case", ["call", "ctx", "decorate", "bad", "clone"])
@pytest.mark.parametrize("which", ["multithreading", "view_replay"])
def test_flag_contexts(which: str, case: str) -> None:
    def prog(T: Any) -> Any:
        A = T.autograd
        make = A.set_multithreading_enabled if which == "multithreading" else \
            A.grad_mode._force_original_view_tracking

        def state() -> tuple[bool, bool]:
            return A.is_multithreading_enabled(), A.is_view_replay_enabled()

        start = state()
        try:
            if case == "call":
                make(which != "multithreading")
                return [start, state()]
            if case == "ctx":
                with make(which != "multithreading"):
                    inner = state()
                return [start, inner, state()]
            if case == "decorate":
                @make(which != "multithreading")
                def f() -> Any:
                    return state()
                after_decorating = state()
                return [start, after_decorating, f(), state()]
            if case == "clone":
                c = make(which != "multithreading")
                with c.clone():
                    inner = state()
                return [start, type(c.clone()).__name__, inner, state()]
            make(1)
            return state()
        finally:
            A.set_multithreading_enabled(True)
            A.grad_mode._force_original_view_tracking(False)

    compare(prog, torch)


@pytest.mark.parametrize("args", [(True,), (True, False), (False,), (), (1,), ("a",),
                                  (True, 1), (True, True, True)])
def test_set_anomaly_enabled(args: tuple[Any, ...]) -> None:
    def prog(T: Any) -> Any:
        try:
            r = T.set_anomaly_enabled(*args)
            return [r, T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
        finally:
            T.set_anomaly_enabled(False)

    compare(prog, torch)


def test_set_anomaly_enabled_does_not_warn(recwarn: Any) -> None:
    import adcli
    try:
        adcli.set_anomaly_enabled(True)
        x = adcli.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        assert adcli.is_anomaly_enabled()
    finally:
        adcli.set_anomaly_enabled(False)
    assert not [w for w in recwarn.list if "Anomaly" in str(w.message)]
    assert not adcli.is_anomaly_enabled()


@pytest.mark.parametrize("fn", ["set_warn_on_accumulate_grad_stream_mismatch",
                                "set_override_stale_capture_stream"])
@pytest.mark.parametrize("value", [True, False, 1, None])
def test_stream_flags(fn: str, value: Any) -> None:
    def prog(T: Any) -> Any:
        return getattr(T.autograd.graph, fn)(value)

    compare(prog, torch)
    getattr(torch.autograd.graph, fn)(fn.startswith("set_warn"))  # torch's defaults back
    import adcli
    getattr(adcli.autograd.graph, fn)(fn.startswith("set_warn"))


@pytest.mark.parametrize("budget", [0.5, 0, 1.0, 2.0, -0.1, True, "x"])
def test_region_activation_memory_budget(budget: Any) -> None:
    compare(lambda T: T.autograd.graph.region_activation_memory_budget(budget), torch)
