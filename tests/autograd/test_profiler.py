"""torch.autograd.profiler and torch.profiler against torch: event structure (names, counts,
input shapes, nesting under record_function, backward nodes), key_averages, the table's layout,
Chrome traces, schedules and steps, trace handlers, the CPU build's CUDA behaviour, and that
the profiler leaves nothing installed in the engine when it is off.

Times differ from torch's by nature; the tests compare everything else. torch's events include
the aten calls inside an op (``aten::to`` under ``aten::mul``), which adcli's NumPy kernels do
not make: structure is compared on the events adcli models (top level, directly inside a
``record_function`` and the backward engine's ``evaluate_function`` wrappers).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from requires import require_torch

import adcli
from adcli.engine import hooks

torch = require_torch()

EVAL = "autograd::engine::evaluate_function: "


def _tensor_shapes(shapes: Any) -> list[Any]:
    # torch lists every argument (alpha, dtype=None) as []; adcli lists the ones passed
    return [s for s in (shapes or []) if s]


def _is_modelled(e: Any, ranges: set[str]) -> bool:
    parent = e.cpu_parent.name if e.cpu_parent is not None else None
    return parent is None or parent in ranges or parent.startswith(EVAL)


def _modelled(events: Any, ranges: set[str]) -> list[tuple[Any, ...]]:
    """(name, parent name, tensor input shapes) of the events adcli models, in order."""
    return [(e.name, e.cpu_parent.name if e.cpu_parent is not None else None,
             _tensor_shapes(e.input_shapes)) for e in events if _is_modelled(e, ranges)]


class Square:
    @staticmethod
    def make(T: Any) -> Any:
        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                (x,) = ctx.saved_tensors
                return 2 * x * g

        return Sq


def _training_step(T: Any, **kw: Any) -> Any:
    T.manual_seed(0)
    x = T.randn(3, 4, requires_grad=True)
    w = T.randn(4, 2, requires_grad=True)
    Sq = Square.make(T)
    P = T.autograd.profiler
    with P.profile(**kw) as prof:
        with P.record_function("forward"):
            y = x.mul(2)
            with P.record_function("inner"):
                z = T.mm(y, w)
            s = Sq.apply(z).sum()
        with P.record_function("backward"):
            s.backward()
        with T.no_grad():
            x.mul_(0.5)
    return prof


def test_event_structure_matches_torch() -> None:
    ranges = {"forward", "inner", "backward"}
    ours = _modelled(_training_step(adcli, record_shapes=True).function_events, ranges)
    theirs = _modelled(_training_step(torch, record_shapes=True).function_events, ranges)
    assert ours == theirs
    names = [n for n, _, _ in ours]
    assert "aten::mm" in names and f"{EVAL}MmBackward0" in names and "Sq" in names


def test_sequence_numbers_pair_forward_ops_with_their_backward_nodes() -> None:
    def pairs(T: Any) -> list[tuple[str, str]]:
        events = _training_step(T).function_events
        fwd = {e.sequence_nr: e.name for e in events
               if e.sequence_nr >= 0 and not e.name.startswith(EVAL) and e.cpu_parent is not None
               and e.cpu_parent.name in ("forward", "inner")}
        return sorted((fwd[e.sequence_nr], e.name) for e in events
                      if e.name.startswith(EVAL) and e.sequence_nr in fwd)

    ours = pairs(adcli)
    assert ours == pairs(torch)
    assert ("aten::mul", f"{EVAL}MulBackward0") in ours


def test_key_averages_counts_match_torch() -> None:
    ranges = {"forward", "inner", "backward"}
    theirs = _training_step(torch, record_shapes=True)
    # keys torch emits only where adcli models events (not aten::mm, also run inside MmBackward0)
    keys = {e.name for e in theirs.function_events} - {
        e.name for e in theirs.function_events if not _is_modelled(e, ranges)}

    def counts(prof: Any) -> dict[Any, Any]:
        by_shape = {(a.key, str(_tensor_shapes(a.input_shapes))): a.count
                    for a in prof.key_averages(group_by_input_shape=True) if a.key in keys}
        return {"plain": {a.key: a.count for a in prof.key_averages() if a.key in keys},
                "shapes": by_shape}

    ours = counts(_training_step(adcli, record_shapes=True))
    assert ours == counts(theirs)
    assert ours["plain"]["torch::autograd::AccumulateGrad"] == 2 and ours["plain"]["Sq"] == 1


def _pointwise(T: Any, unary: bool = False, **kw: Any) -> Any:
    """Ops that make no inner aten calls in torch either: torch's table has only these rows.
    (``unary``: without add and sub, whose alpha torch lists among the input shapes.)"""
    T.manual_seed(0)
    a, b = T.randn(3, 4), T.randn(3, 4)
    P = T.autograd.profiler
    with P.profile(**kw) as prof, P.record_function("block"):
        for _ in range(2):
            c = a.neg() if unary else a.add(b)
            d = c.sin().mul(b)
            d.neg().sin() if unary else d.sub(a).neg().sin()
    return prof


_TIME = re.compile(r"-?\d+\.\d+(us|ms|s)\b|-?\d+\.\d+%|NaN")


def _cells(table: str) -> list[tuple[int, list[str]]]:
    """Each line's cells, times and percentages masked, and the length of each table line
    (the total line's length holds a time)."""
    return [(0 if line.startswith("Self CPU time total") else len(line),
             [_TIME.sub("#", c) for c in re.split(r"\s{2,}", line)])
            for line in table.splitlines()]


@pytest.mark.parametrize("kw, table_kw", [
    ({}, {}),
    ({"record_shapes": True}, {"group_by_input_shape": True}),
    ({"profile_memory": True}, {}),
    ({}, {"row_limit": 3}),
    ({}, {"header": "TITLE", "top_level_events_only": True}),
])
def test_table_layout_matches_torch(kw: dict[str, Any], table_kw: dict[str, Any]) -> None:
    group = table_kw.pop("group_by_input_shape", False)

    def table(T: Any) -> str:
        avgs = _pointwise(T, unary=group, **kw).key_averages(group_by_input_shape=group)
        if kw.get("profile_memory"):  # (a range's memory: see test_memory_of_ops)
            for a in avgs:
                if a.key == "block":
                    a.cpu_memory_usage = a.self_cpu_memory_usage = 0
        # (sorted by count: times differ, counts and first-seen order do not)
        return avgs.table(sort_by="count", **table_kw)

    ours, theirs = table(adcli), table(torch)
    assert _cells(ours) == _cells(theirs), f"\n{ours}\n{theirs}"


def test_memory_of_ops_matches_torch() -> None:
    def mem(T: Any) -> dict[str, Any]:
        avgs = _pointwise(T, profile_memory=True).key_averages()
        return {a.key: (a.cpu_memory_usage, a.self_cpu_memory_usage) for a in avgs
                if a.key != "block"}

    assert mem(adcli) == mem(torch)


def test_chrome_trace_is_valid_and_names_the_events(tmp_path: Path) -> None:
    def trace(T: Any, name: str) -> list[tuple[str, str]]:
        path = tmp_path / name
        _pointwise(T, record_shapes=True).export_chrome_trace(str(path))
        doc = json.loads(path.read_text())
        xs = [e for e in doc["traceEvents"] if e["ph"] == "X" and e.get("cat") != "Trace"]
        for e in xs:
            assert isinstance(e["ts"], int | float) and e["dur"] >= 0
        inner = [e for e in xs if e["name"] != "block"]
        block = next(e for e in xs if e["name"] == "block")
        assert all(block["ts"] <= e["ts"] and e["ts"] + e["dur"] <= block["ts"] + block["dur"]
                   for e in inner)
        return [(e["cat"], e["name"]) for e in xs]

    assert trace(adcli, "a.json") == trace(torch, "t.json")


def test_events_of_torch_profiler_and_record_function_decorator() -> None:
    def prog(T: Any) -> Any:
        @T.profiler.record_function("decorated")
        def f(a: Any) -> Any:
            return a.exp()

        a = T.ones(2)
        with T.profiler.profile(activities=[T.profiler.ProfilerActivity.CPU]) as p:
            f(a)
            f(a)
        return [(e.name, e.cpu_parent.name if e.cpu_parent else None) for e in p.events()]

    assert prog(adcli) == prog(torch)


def _schedule_run(T: Any, acc: bool = False) -> Any:
    T.manual_seed(0)
    x = T.randn(3, requires_grad=True)
    seen = []

    def ready(p: Any) -> None:
        seen.append([(e.name, e.cpu_parent.name if e.cpu_parent else None)
                     for e in p.events()
                     if e.cpu_parent is None or e.cpu_parent.name == "ProfilerStep*"])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = T.profiler.schedule(wait=1, warmup=1, active=2, repeat=2)
        with T.profiler.profile(schedule=sched, on_trace_ready=ready, acc_events=acc) as p:
            for i in range(9):
                with T.profiler.record_function(f"it{i}"):
                    (x * i).sum()
                p.step()
    return seen, [(w.category.__name__, str(w.message)) for w in caught], p.step_num


@pytest.mark.parametrize("acc", [False, True])
def test_schedule_steps_and_on_trace_ready_match_torch(acc: bool) -> None:
    assert _schedule_run(adcli, acc) == _schedule_run(torch, acc)


@pytest.mark.parametrize("kw", [
    dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=2, active=1, repeat=2),
    dict(wait=2, warmup=1, active=1, skip_first=3), dict(wait=3, warmup=1, active=2,
                                                        skip_first=1, skip_first_wait=1),
    dict(wait=1, warmup=0, active=1), dict(wait=-1, warmup=1, active=1),
    dict(wait=1, warmup=1, active=0),
])
def test_schedule_function_matches_torch(kw: dict[str, Any]) -> None:
    def prog(T: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                s = T.profiler.schedule(**kw)
                got: Any = [s(i).name for i in range(14)]
            except AssertionError as e:
                got = str(e)
        return got, [str(w.message) for w in caught]

    assert prog(adcli) == prog(torch)


def test_tensorboard_trace_handler_writes_a_trace_as_torch(tmp_path: Path) -> None:
    def files(T: Any, sub: str) -> list[str]:
        folder = tmp_path / sub / "logs"
        handler = T.profiler.tensorboard_trace_handler(str(folder), worker_name="w0")
        with T.profiler.profile(on_trace_ready=handler):
            T.ones(3).exp()
        names = sorted(p.name for p in folder.iterdir())
        for p in folder.iterdir():
            doc = json.loads(p.read_text())
            assert any(e["name"] == "aten::exp" for e in doc["traceEvents"])
        return [re.sub(r"\d+", "N", n) for n in names]

    assert files(adcli, "a") == files(torch, "t") == ["wN.N.pt.trace.json"]


@pytest.mark.parametrize("case", ["use_cuda", "use_device", "cuda_only", "cpu_and_cuda",
                                  "new_use_cuda", "disabled", "nvtx", "nvtx_off", "itt",
                                  "rf_exit_unentered", "unfinished", "unrun_results",
                                  "unrun_export", "supported"])
def test_cpu_build_behaviour_matches_torch(case: str) -> None:
    def prog(T: Any) -> Any:
        P = T.autograd.profiler
        act = T.profiler.ProfilerActivity
        a = T.ones(2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if case in ("use_cuda", "use_device"):
                    kw = {"use_cuda": True} if case == "use_cuda" else {"use_device": "cuda"}
                    with P.profile(**kw) as p:
                        a.exp()
                    got: Any = [e.name for e in p.function_events][:1]
                elif case in ("cuda_only", "cpu_and_cuda", "new_use_cuda"):
                    kw = {"activities": [act.CUDA]} if case == "cuda_only" else \
                        {"activities": [act.CPU, act.CUDA]} if case == "cpu_and_cuda" else \
                        {"use_cuda": True}
                    with T.profiler.profile(**kw) as p:
                        a.exp()
                    got = [e.name for e in p.events()][:1]
                elif case == "disabled":
                    with P.profile(enabled=False) as p:
                        a.exp()
                    got = p
                elif case in ("nvtx", "nvtx_off", "itt"):
                    cm = P.emit_nvtx(enabled=case != "nvtx_off") if case != "itt" else P.emit_itt()
                    with cm:
                        got = a.neg().tolist()
                elif case == "rf_exit_unentered":
                    P.record_function("x").__exit__(None, None, None)
                elif case == "unfinished":
                    got = str(P.profile())
                elif case == "unrun_results":
                    p = P.profile()
                    got = [list(p.key_averages()), p.table(), str(p), p.self_cpu_time_total,
                           p.total_average().key, p.total_average().count]
                elif case == "unrun_export":
                    P.profile().export_chrome_trace("never-written.json")
                else:
                    got = sorted(x.name for x in T.profiler.supported_activities())
            except Exception as e:  # the error is the result
                got = (type(e).__name__, str(e))
        return got, [(w.category.__name__, str(w.message)) for w in caught]

    assert prog(adcli) == prog(torch)


def test_with_stack_points_at_the_calling_line() -> None:
    # (adcli's own form: torch 2.13 records Python frames as separate events instead, with
    # empty op stacks; docs/autograd.md says so)
    with adcli.autograd.profiler.profile(with_stack=True) as prof:
        adcli.ones(2).exp()  # the line the event names
    (evt,) = [e for e in prof.function_events if e.name == "aten::exp"]
    assert evt.stack[0].startswith(f"{__file__}(")
    assert evt.stack[0].endswith(": test_with_stack_points_at_the_calling_line")
    table = prof.key_averages(group_by_stack_n=2).table()
    assert "Source Location" in table


def test_profiler_off_leaves_the_engine_untouched() -> None:
    before = list(hooks.observers)
    assert hooks.node_timer[0] is None
    x = adcli.ones(2, requires_grad=True)
    with adcli.autograd.profiler.record_function("no profiler"):  # free without a profiler
        (x * 2).sum().backward()
    with adcli.autograd.profiler.profile():
        assert hooks.node_timer[0] is not None and len(hooks.observers) == len(before) + 1
        with pytest.raises(RuntimeError):
            adcli.ones(2).view(3)  # an op that raises: its event is closed, not left open
        (x * 3).sum().backward()
    assert hooks.observers == before and hooks.node_timer[0] is None
