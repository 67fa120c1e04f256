"""``torch.autograd.profiler``: ``profile``, ``record_function``, ``emit_nvtx``/``emit_itt``.

Events are adcli's top-level op calls, named as torch's aten ops (``aten::mul``,
``aten::mul_`` in place, a custom Function by its class name), the backward nodes the engine
runs (``autograd::engine::evaluate_function: MulBackward0`` around ``MulBackward0``) and
``record_function`` ranges, with real CPU times (``time.perf_counter_ns``). An op's own
internal calls are not events (torch shows e.g. ``aten::to`` under ``aten::mul``): adcli's
kernels are NumPy, not aten ops. Nothing is observed while no profiler runs: the engine's
call observers and backward's node timer are empty then.
"""

from __future__ import annotations

import enum
import functools
import os
import threading
import traceback
import warnings
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from adcli.engine import hooks as _hooks
from adcli.engine.tensor import Tensor

from .profiler_util import DeviceType, EventList, FunctionEvent, FunctionEventAvg

__all__ = ["DeviceType", "EventList", "FunctionEvent", "FunctionEventAvg", "ProfilerActivity",
           "emit_itt", "emit_nvtx", "kineto_available", "profile", "record_function"]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the adcli package
# The collectors running now (nested profilers each see every event).
_active: list[_Collector] = []


class ProfilerActivity(enum.Enum):
    """The activity groups a profiler may record (torch's values); adcli records CPU only."""

    CPU = 0
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


def kineto_available() -> bool:
    """Whether torch's Kineto profiler is built in; adcli's profiler takes its place."""
    return True


def _now_us() -> float:
    return perf_counter_ns() / 1000.0


def _shape_of(arg: Any) -> list[int]:
    return list(arg._data.shape) if isinstance(arg, Tensor) else []


def _nbytes(result: Any) -> int:
    if isinstance(result, Tensor):
        return int(result._data.nbytes)
    if isinstance(result, tuple | list):
        return sum(_nbytes(r) for r in result)
    return 0


def _user_stack() -> list[str]:
    """The caller's frames outside adcli, innermost first, as ``file(line): function``."""
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(_PKG + os.sep)]
    return [f"{f.filename}({f.lineno}): {f.name}" for f in reversed(frames)]


class _Collector:
    """One profiling session's events: an engine call observer and backward's node timer."""

    def __init__(self, record_shapes: bool, profile_memory: bool, with_stack: bool) -> None:
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.events: list[FunctionEvent] = []
        self.open: list[FunctionEvent] = []  # the ranges not ended yet, innermost last
        self._handle: Any = None
        self.thread = threading.get_ident()

    # -- sessions ----------------------------------------------------------------------------
    def start(self) -> None:
        self._handle = _hooks.add_call_observer(self)
        _active.append(self)
        _hooks.node_timer[0] = _NODE_TIMER

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        if self in _active:
            _active.remove(self)
        if not _active:
            _hooks.node_timer[0] = None
        end = _now_us()
        while self.open:  # (a range an exception left open ends with the session)
            self.open.pop().end_us = end

    # -- events ------------------------------------------------------------------------------
    def begin(self, name: str, shapes: list[Any] | None = None, category: str = "cpu_op",
              sequence_nr: int = -1) -> FunctionEvent:
        evt = FunctionEvent(len(self.events) + 1, name, self.thread, _now_us(), 0.0,
                            input_shapes=shapes if self.record_shapes else None,
                            stack=_user_stack() if self.with_stack else None,
                            sequence_nr=sequence_nr, category=category)
        if name.startswith("ProfilerStep#"):  # (torch: one key for every step's range)
            evt.name = "ProfilerStep*"
        if self.open:
            evt.cpu_parent = parent = self.open[-1]
            parent.cpu_children.append(evt)
        self.events.append(evt)
        self.open.append(evt)
        return evt

    def end(self, evt: FunctionEvent) -> None:
        now = _now_us()
        while self.open:
            top = self.open.pop()
            top.end_us = now
            if self.profile_memory and not top.observed:
                # (a range owns what was allocated inside it, as torch counts it)
                top.cpu_memory_usage = sum(c.cpu_memory_usage for c in top.cpu_children)
            if top is evt:
                break

    # -- the call observer: an op's event spans its call ---------------------------------------
    def before(self, kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        # An op that raised never reached the after-call: its event ends here. (Observed
        # calls are never nested, so an op still open now is such a one.)
        while self.open and self.open[-1].observed:
            self.end(self.open[-1])
        if kind == "function":
            name = target.__name__
        else:
            name = f"aten::{target.name}" + ("_" if kind == "inplace" else "")
        self.begin(name, [_shape_of(a) for a in args] if self.record_shapes else None) \
            .observed = True

    def __call__(self, kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 result: Any) -> None:
        if not self.open:
            return
        evt = self.open[-1]
        if not evt.observed:
            return
        first = result[0] if isinstance(result, tuple | list) and result else result
        fn = getattr(first, "grad_fn", None)
        if fn is not None and hasattr(fn, "seq_nr"):
            evt.sequence_nr = fn.seq_nr
        if self.profile_memory and kind != "inplace":  # (an in-place op allocates nothing)
            evt.cpu_memory_usage = _nbytes(result)
        self.end(evt)


class _NodeTimer:
    """Backward's node timer: each node as torch's two nested events, in every collector."""

    def begin(self, node: Any, grads: list[Any]) -> None:
        name = node.name()
        shapes = [list(getattr(g, "shape", ())) if g is not None else [] for g in grads]
        seq = getattr(node, "seq_nr", -1)
        seq = -1 if name == "torch::autograd::AccumulateGrad" else seq
        for c in _active:
            c.begin(f"autograd::engine::evaluate_function: {name}", [], sequence_nr=seq)
            c.begin(name, shapes, sequence_nr=seq)

    def begin_op(self, name: str, shapes: list[Any]) -> list[Any]:
        """An op the engine runs itself (backward's implicit ``ones_like``)."""
        return [(c, c.begin(name, shapes)) for c in _active]

    def end_op(self, started: list[Any]) -> None:
        for c, evt in started:
            c.end(evt)

    def end(self, node: Any) -> None:
        name = f"autograd::engine::evaluate_function: {node.name()}"
        for c in _active:
            for evt in reversed(c.open):
                if evt.name == name:
                    c.end(evt)
                    break


_NODE_TIMER = _NodeTimer()


class profile:  # noqa: N801 - mirrors torch.autograd.profiler.profile
    """Context manager that records the events of the code inside it (torch's legacy API).

    ``use_cuda`` / ``use_device="cuda"`` behave as on torch's CPU build: a warning, then CPU
    events only. ``with_flops`` and ``with_modules`` are accepted and record nothing extra.
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 use_device: str | None = None, record_shapes: bool = False,
                 with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False,
                 use_kineto: bool = False, use_cpu: bool = True,
                 experimental_config: Any = None, acc_events: bool = False,
                 custom_trace_id_callback: Callable[[], str] | None = None,
                 post_processing_timeout_s: float | None = None,
                 activity_filters: Any = None) -> None:
        self.enabled = enabled
        if not enabled:
            return
        self.use_cuda = use_cuda
        if use_cuda:
            warnings.warn("The attribute `use_cuda` will be deprecated soon, please use "
                          "``use_device = 'cuda'`` instead.", FutureWarning, stacklevel=2)
            use_device = "cuda"
        if use_device == "cuda":  # (torch on a CPU build)
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)
            use_device = None
        self.use_device = use_device
        self.record_shapes = record_shapes
        self.with_flops = with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_modules = with_modules
        self.use_cpu = use_cpu
        self.acc_events = acc_events
        self.function_events: EventList | None = None
        self.entered = False
        self._collector: _Collector | None = None
        self._kept: list[FunctionEvent] = []

    def __enter__(self) -> profile | None:
        if not self.enabled:
            return None
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self._start_trace()
        return self

    def _start_trace(self) -> None:
        self.entered = True
        self._collector = _Collector(self.record_shapes, self.profile_memory, self.with_stack)
        self._collector.start()

    def __exit__(self, *exc: object) -> None:
        if not self.enabled:
            return
        collector = self._collector
        if collector is None:
            return
        collector.stop()
        self._collector = None
        # (torch: the new cycle's events, then the kept ones)
        events = [*collector.events, *self._kept] if self.acc_events else collector.events
        if self.acc_events:
            self._kept = events
        self.function_events = EventList(events, use_device=self.use_device,
                                         profile_memory=self.profile_memory,
                                         with_flops=self.with_flops)
        self.entered = False

    def __repr__(self) -> str:
        return "<unfinished torch.autograd.profile>" if self.function_events is None \
            else repr(self.function_events)

    def __str__(self) -> str:
        return "<unfinished torch.autograd.profile>" if self.function_events is None \
            else self.function_events.table()

    def _events(self) -> EventList:
        # torch: asking for results before any (or during a) recording gives no events
        if self.function_events is None:
            self.function_events = EventList([], use_device=self.use_device,
                                             profile_memory=self.profile_memory,
                                             with_flops=self.with_flops)
        return self.function_events

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """The events' summary table (see :meth:`EventList.table`)."""
        return self._events().table(
            sort_by=sort_by, row_limit=row_limit, max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width, header=header,
            top_level_events_only=top_level_events_only, time_unit=time_unit)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace JSON."""
        if self.function_events is None:  # (torch: no recorded trace to save)
            raise AttributeError("'NoneType' object has no attribute 'save'")
        _write_chrome_trace(self.function_events, path)

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The events averaged by name (and input shapes, stack, overload when asked)."""
        return self._events().key_averages(group_by_input_shape, group_by_stack_n,
                                                 group_by_overload_name)

    def total_average(self) -> FunctionEventAvg:
        """Every event summed into one average (``key == "Total"``)."""
        return self._events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of the events' self CPU times (us)."""
        return self._events().self_cpu_time_total


class record_function:  # noqa: N801 - mirrors torch.autograd.profiler.record_function
    """A named range in the profile (context manager or decorator); free without a profiler."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self.run_callbacks_on_exit = True
        self.record: list[tuple[_Collector, FunctionEvent]] | None = None

    def __enter__(self) -> record_function:
        self.record = [(c, c.begin(self.name, [], category="user_annotation"))
                       for c in _active]
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.run_callbacks_on_exit:
            return
        if self.record is None:
            raise AssertionError("Expected record to be set")
        for c, evt in self.record:
            c.end(evt)
        self.record = None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        name = self.name

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(name):
                return fn(*args, **kwargs)

        return wrapper


class _Annotations:
    """An external tool's annotation ranges (NVTX, ITT): one entry at a time."""

    _tool = ""

    def __init__(self, enabled: bool = True, record_shapes: bool = False) -> None:
        self.enabled = enabled
        self.entered = False
        self.record_shapes = record_shapes

    def __enter__(self) -> Any:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError(f"{self._tool} annotation context manager is not reentrant")
        self.entered = True
        self._start()
        return self

    def _start(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.entered = False


class emit_nvtx(_Annotations):  # noqa: N801 - mirrors torch.autograd.profiler.emit_nvtx
    """NVTX ranges for nvprof: there is no CUDA, so entering it fails as on torch's CPU build."""

    _tool = "NVTX"

    def _start(self) -> None:
        raise AssertionError("Torch not compiled with CUDA enabled")


class emit_itt(_Annotations):  # noqa: N801 - mirrors torch.autograd.profiler.emit_itt
    """Intel ITT ranges for VTune: adcli emits none (no VTune is attached), so, as torch with
    no collector, the code inside runs unchanged."""

    _tool = "ITT"


def _write_chrome_trace(events: EventList, path: str) -> None:
    """``events`` as Chrome trace JSON (complete events, ``ph: "X"``) at ``path``."""
    import json

    pid = os.getpid()
    tid = threading.get_native_id()
    trace: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}},
        {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
         "args": {"name": f"thread {tid} (python)"}}]
    for evt in events:
        args: dict[str, Any] = {"External id": evt.id}
        if evt.sequence_nr >= 0:
            args["Sequence number"] = evt.sequence_nr
        if evt.input_shapes:
            args["Input Dims"] = evt.input_shapes
        trace.append({"ph": "X", "cat": evt.category, "name": evt.trace_name, "pid": pid,
                      "tid": tid, "ts": evt.start_us, "dur": evt.cpu_time_total,
                      "args": args})
    doc = {"schemaVersion": 1, "deviceProperties": [], "displayTimeUnit": "ms",
           "traceEvents": trace, "traceName": os.path.abspath(path)}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
