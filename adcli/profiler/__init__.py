"""``torch.profiler``: the profiler with schedules, steps and trace handlers.

``profile`` runs :mod:`adcli.autograd.profiler`'s collector in the cycles its ``schedule``
sets (wait, warmup, active, repeat), marks each recorded step ``ProfilerStep#N`` and calls
``on_trace_ready(prof)`` at the end of each cycle, as torch. adcli records CPU events only:
CUDA activities behave as on torch's CPU build.
"""

from __future__ import annotations

import enum
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from adcli.autograd import profiler as prof
from adcli.autograd.profiler import ProfilerActivity, kineto_available, record_function
from adcli.autograd.profiler_util import DeviceType, EventList, FunctionEventAvg

__all__ = ["DeviceType", "ProfilerAction", "ProfilerActivity", "kineto_available", "profile",
           "record_function", "schedule", "supported_activities", "tensorboard_trace_handler"]


class ProfilerAction(enum.Enum):
    """What the profiler does at a step (``schedule``'s answer)."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


def supported_activities() -> set[ProfilerActivity]:
    """The activities this build can record: CPU (no CUDA, as torch's CPU build)."""
    return {ProfilerActivity.CPU}


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """The step -> action function: skip ``skip_first`` steps, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recorded steps (the last saves), ``repeat`` times (0: forever).
    ``skip_first_wait`` drops the first cycle's wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 \
            else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _default_schedule_fn(_: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False,
                              use_python_export: bool = False) -> Callable[[Any], None]:
    """An ``on_trace_ready`` that writes ``<worker>.<ns>.pt.trace.json`` into ``dir_name``
    (torch's names; ``use_gzip`` adds ``.gz`` and compresses)."""
    import socket
    import time

    def handler_fn(p: Any) -> None:
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        if use_gzip:
            file_name += ".gz"
        p.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


def _activity_set(activities: Iterable[Any] | None) -> set[ProfilerActivity]:
    if activities is None:
        return supported_activities()
    found: set[ProfilerActivity] = set()
    for a in activities:
        found.update(a.keys() if isinstance(a, dict) else (a,))
    return found


class _KinetoProfile:
    """The recording part of :class:`profile`: one collector per trace, its events."""

    def __init__(self, *, activities: Iterable[Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_flops: bool = False, with_modules: bool = False,
                 experimental_config: Any = None, execution_trace_observer: Any = None,
                 acc_events: bool = False, custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None) -> None:
        self.activities = _activity_set(activities)
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.profiler: prof.profile | None = None
        self.use_device: str | None = None
        if ProfilerActivity.CUDA in self.activities:
            self.use_device = "cuda"
        self._cycles = 0

    def start(self) -> None:
        self.prepare_trace()
        self.start_trace()

    def stop(self) -> None:
        self.stop_trace()

    def prepare_trace(self) -> None:
        if self.profiler is not None and not self.acc_events:
            warnings.warn("Warning: Profiler clears events at the end of each cycle. Only "
                          "events from the current cycle will be reported. To keep events "
                          "across cycles, set acc_events=True.", stacklevel=2)
        if self.profiler is None or not self.acc_events:
            with warnings.catch_warnings():
                # (torch's CPU build warns here, when the profiler is constructed)
                if self.use_device is None:
                    warnings.simplefilter("ignore")
                self.profiler = prof.profile(
                    use_cpu=ProfilerActivity.CPU in self.activities,
                    use_device=self.use_device, record_shapes=self.record_shapes,
                    with_flops=self.with_flops, profile_memory=self.profile_memory,
                    with_stack=self.with_stack, with_modules=self.with_modules,
                    acc_events=self.acc_events)

    def start_trace(self) -> None:
        assert self.profiler is not None
        if not self.profiler.use_cpu:
            raise AssertionError("No activities specified for the profiler")
        self.profiler._start_trace()

    def stop_trace(self) -> None:
        assert self.profiler is not None
        self.profiler.__exit__(None, None, None)

    def events(self) -> EventList | None:
        """The recorded events of the last (or current finished) trace."""
        assert self.profiler is not None
        return self.profiler.function_events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The events averaged by name (see :meth:`EventList.key_averages`)."""
        assert self.profiler is not None
        return self.profiler.key_averages(group_by_input_shape, group_by_stack_n,
                                          group_by_overload_name)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace JSON (gzip-compressed when ``path`` ends .gz)."""
        assert self.profiler is not None
        if not path.endswith(".gz"):
            self.profiler.export_chrome_trace(path)
            return
        import gzip
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            plain = os.path.join(tmp, "trace.json")
            self.profiler.export_chrome_trace(plain)
            with open(plain, "rb") as src, gzip.open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)

    def add_metadata(self, key: str, value: str) -> None:
        """Kept for torch compatibility: adcli's traces carry no user metadata."""

    def add_metadata_json(self, key: str, value: str) -> None:
        """Kept for torch compatibility: adcli's traces carry no user metadata."""


class profile(_KinetoProfile):  # noqa: N801 - mirrors torch.profiler.profile
    """The profiler context manager, with ``schedule``, ``on_trace_ready`` and ``step()``."""

    def __init__(self, *, activities: Iterable[Any] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[..., Any] | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config: Any = None,
                 execution_trace_observer: Any = None, acc_events: bool = False,
                 use_cuda: bool | None = None, custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None) -> None:
        activities_set = _activity_set(activities)
        if use_cuda is not None:
            warnings.warn("`use_cuda` is deprecated, use `activities` argument instead",
                          FutureWarning, stacklevel=2)
            if use_cuda:
                activities_set.add(ProfilerActivity.CUDA)
            elif ProfilerActivity.CUDA in activities_set:
                activities_set.remove(ProfilerActivity.CUDA)
        if not activities_set:
            raise AssertionError("No valid profiler activities found")
        # (torch passes on the activities as given: ``use_cuda`` only warns)
        super().__init__(activities=activities, record_shapes=record_shapes,
                         profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops, with_modules=with_modules,
                         acc_events=acc_events)
        if ProfilerActivity.CUDA in self.activities:  # (torch's CPU build, at construction)
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)
            self.use_device = None
        self.record_steps = schedule is not None
        self.schedule = schedule if schedule is not None else _default_schedule_fn
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.step_rec_fn: record_function | None = None
        self.current_action = self._checked(self.schedule(self.step_num))

    @staticmethod
    def _checked(action: ProfilerAction) -> ProfilerAction:
        if action == ProfilerAction.DEVICE_STOPPED:
            raise ValueError("ProfilerAction.DEVICE_STOPPED is set internally by the profiler "
                             "and must not be returned by a user-provided schedule")
        return action

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._transit_action(ProfilerAction.NONE, self.current_action)
        self._enter_step()

    def stop(self) -> None:
        self._exit_step()
        self._transit_action(self.current_action, None)

    def step(self) -> None:
        """Signal that the next step begins (the schedule decides what is recorded)."""
        self._exit_step()
        prev_action = self.current_action
        action = self._checked(self.schedule(self.step_num + 1))
        self.step_num += 1
        self.current_action = action
        self._transit_action(prev_action, action)
        self._enter_step()

    def _enter_step(self) -> None:
        if self.record_steps:
            self.step_rec_fn = record_function(f"ProfilerStep#{self.step_num}")
            self.step_rec_fn.__enter__()

    def _exit_step(self) -> None:
        if self.record_steps and self.step_rec_fn is not None:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None

    def _trace_ready(self) -> None:
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev: ProfilerAction, cur: ProfilerAction | None) -> None:
        # torch's action map (profiler.py), without the device-stopped states
        A = ProfilerAction
        recording = (A.RECORD, A.RECORD_AND_SAVE)
        if prev == A.NONE:
            if cur == A.WARMUP:
                self.prepare_trace()
            elif cur in recording:
                self.prepare_trace()
                self.start_trace()
        elif prev == A.WARMUP:
            if cur in recording:
                self.start_trace()
            elif cur in (A.NONE, None):
                if cur == A.NONE:
                    warnings.warn("Incorrect schedule: WARMUP followed by NONE", stacklevel=3)
                self.start_trace()
                self.stop_trace()
        elif prev == A.RECORD:
            if cur in (A.NONE, A.WARMUP):
                warnings.warn(f"Incorrect schedule: RECORD followed by {cur.name}",
                              stacklevel=3)
                self.stop_trace()
            elif cur is None:
                self.stop_trace()
                self._trace_ready()
        elif prev == A.RECORD_AND_SAVE:
            self.stop_trace()
            self._trace_ready()
            if cur == A.WARMUP:
                self.prepare_trace()
            elif cur in recording:
                self.prepare_trace()
                self.start_trace()


__all__ += ["EventList", "FunctionEventAvg"]
