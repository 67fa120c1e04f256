"""torch.mps, torch.xpu and torch.mtia on adcli are a CPU build's: no device; calls with
arguments answer or fail as real torch 2.13's CPU build does."""

from __future__ import annotations

import pytest
from _device_compare import outcome
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

# The name walks (every public name exists; calls without arguments match) cover these
# modules too: see SUBMODULES in test_cuda_surface.py.


CALLS = """
(lib.mps.is_available(), lib.mps.device_count(), lib.backends.mps.is_available())
lib.mps.manual_seed(0)
lib.mps.manual_seed("x")
lib.mps.compile_shader("kernel void f() {}")
lib.mps.load_metallib(b"x")
lib.mps.load_metallib("x.metallib")
lib.mps.load_metallib(3)
lib.mps.set_per_process_memory_fraction(0.5)
lib.mps.set_per_process_memory_fraction(3)
lib.mps.set_per_process_memory_fraction(2.5)
lib.mps.set_rng_state(lib.zeros(2, dtype=lib.uint8))
lib.mps.get_rng_state("cpu")
lib.mps.profiler.profile().__enter__()
lib.mps.profiler.metal_capture("x").__enter__()
lib.mps.Event.__module__
lib.xpu.manual_seed(0)
lib.xpu.manual_seed("x")
lib.xpu.set_device(0)
lib.xpu.set_device(-1)
lib.xpu.Stream()
lib.xpu.Event()
lib.xpu.device(0).__enter__()
lib.xpu.device(-1).__enter__()
lib.xpu.device(0).__exit__(None, None, None)
lib.xpu.device(None).idx
lib.xpu.device(0).idx
lib.xpu.device("cpu")
lib.xpu.device("xpu:1").idx
lib.xpu.device_of(lib.ones(2)).idx
lib.xpu.stream(None).__enter__()
lib.xpu.StreamContext(None).__exit__(None, None, None)
lib.xpu.set_stream(None)
lib.xpu.set_stream(3)
lib.xpu.XPUGraph()
lib.xpu.graph(None)
lib.xpu.MemPool()
lib.xpu.memory_allocated(0)
lib.xpu.max_memory_reserved("xpu:0")
lib.xpu.memory_stats(0)
lib.xpu.set_rng_state(lib.zeros(2, dtype=lib.uint8))
lib.xpu.set_rng_state_all([lib.zeros(2, dtype=lib.uint8)])
lib.xpu.can_device_access_peer(0, 1)
lib.xpu.get_stream_from_external(0)
lib.xpu.set_per_process_memory_fraction(0.5)
lib.xpu.use_mem_pool(None).__enter__()
lib.xpu.make_graphed_callables(len, (lib.ones(2),))
lib.xpu.XPUPluggableAllocator("/nonexistent.so", "a", "b")
lib.xpu.change_current_allocator(None)
lib.xpu.get_device_name(0)
lib.xpu.temperature(0)
(lib.xpu.Stream.__module__, lib.xpu.XPUGraph.__module__, lib.xpu.MemPool.__module__)
lib.mtia.manual_seed(0)
lib.mtia.manual_seed("x")
lib.mtia.set_device(0)
lib.mtia.set_device(-1)
lib.mtia.set_device("cpu")
lib.mtia.set_rng_state(lib.zeros(2, dtype=lib.uint8))
lib.mtia.set_rng_state_all([])
lib.mtia.stream(None)
lib.mtia.set_stream(None)
lib.mtia.device(0).__enter__()
lib.mtia.device(-1).__enter__()
lib.mtia.device(0).__exit__(None, None, None)
lib.mtia.device(None)
lib.mtia.device("cpu")
lib.mtia.device("mtia:1").idx
lib.mtia.attach_out_of_memory_observer(len)
(lib.mtia.Stream is lib.Stream, lib.mtia.Event is lib.Event)
lib.mtia.MTIAGraph()
lib.mtia.graph(None)
lib.mtia.memory_stats(0)
lib.mtia.DeferredMtiaCallError("x")
lib.mtia.is_bf16_supported(False)
lib.mtia.record_memory_history(None)
lib.get_device_module("mps")
lib.get_device_module("xpu")
lib.get_device_module("mtia")
"""
CASES = [c.strip() for c in CALLS.strip().splitlines()]


@pytest.mark.parametrize("expr", CASES)
def test_call_matches(expr):
    assert outcome(lambda: eval(expr, {"lib": adcli})) == outcome(
        lambda: eval(expr, {"lib": torch}))
