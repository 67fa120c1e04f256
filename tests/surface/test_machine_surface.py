"""What a CPU build of torch says about itself at the top level (torch.Stream, torch.Event,
the has_* flags, get_device, get_device_module) and the autocast state functions, against
real torch 2.13's CPU build."""

from __future__ import annotations

import pytest
from _device_compare import outcome
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

CALLS = """
lib.get_device(lib.ones(2))
lib.get_device(3)
lib.is_distributed(lib.ones(2))
lib.is_distributed(3)
(lib.has_lapack, lib.has_mkl, lib.has_openmp, lib.has_spectral)
lib.compiled_with_cxx11_abi()
lib.init_num_threads()
lib.is_vulkan_available()
lib.get_device_module()
lib.get_device_module("cpu")
lib.get_device_module("cuda")
lib.get_device_module(lib.device("cuda"))
lib.get_device_module("meta")
lib.get_device_module("foo")
lib.get_device_module(3)
lib.AcceleratorError("x")
lib.OutOfMemoryError("x")
(lib.AcceleratorError.__module__, lib.OutOfMemoryError.__module__)
(issubclass(lib.AcceleratorError, RuntimeError), issubclass(lib.OutOfMemoryError, RuntimeError))
repr(lib.Stream())
repr(lib.Stream("cpu"))
repr(lib.Stream(device=lib.device("cpu")))
repr(lib.Stream(device="meta"))
lib.Stream(device="cpu", priority=1)
lib.Stream(device="cpu", priority=1).priority
lib.Stream(device="cuda")
lib.Stream(device="mps")
lib.Stream(device="xla")
lib.Stream(device="foo")
lib.Stream(device=0)
lib.Stream(3)
lib.Stream().query()
lib.Stream().synchronize()
lib.Stream().device
(lib.Stream().stream_id, lib.Stream().device_index, lib.Stream().device_type)
lib.Stream(device="meta").device_type
lib.Stream() == lib.Stream()
hash(lib.Stream()) == hash(lib.Stream())
lib.Stream().record_event()
lib.Stream().wait_stream(lib.Stream())
lib.Stream().wait_event(lib.Event())
repr(lib.Stream().__enter__())
lib.Stream().__exit__(None, None, None)
lib.Stream().native_handle
(lib.Stream.__module__, lib.Event.__module__)
repr(lib.Event())
repr(lib.Event("cpu", enable_timing=True))
repr(lib.Event(device="meta"))
lib.Event(device="cuda")
lib.Event().query()
lib.Event().record()
lib.Event(device="meta").record()
lib.Event().record(lib.Stream())
lib.Event().synchronize()
lib.Event().wait()
lib.Event().wait(lib.Stream())
lib.Event().device
lib.Event().event_id
lib.Event().device_type
lib.Event().elapsed_time(lib.Event())
lib.Event(enable_timing=True).elapsed_time(lib.Event(enable_timing=True))
lib.Event(enable_timing=True).elapsed_time(lib.Event())
lib.is_autocast_enabled()
lib.is_autocast_enabled("cpu")
lib.is_autocast_enabled("meta")
lib.is_autocast_enabled(3)
lib.is_autocast_cpu_enabled()
lib.is_autocast_ipu_enabled()
lib.is_autocast_xla_enabled()
lib.get_autocast_cpu_dtype()
lib.get_autocast_gpu_dtype()
lib.get_autocast_ipu_dtype()
lib.get_autocast_xla_dtype()
[lib.get_autocast_dtype(d) for d in ("cpu", "cuda", "xpu", "mps", "hpu", "mtia", "xla")]
[lib.get_autocast_dtype(d) for d in ("ipu", "privateuseone", "maia")]
lib.get_autocast_dtype("meta")
lib.get_autocast_dtype("foo")
lib.is_autocast_cache_enabled()
lib.set_autocast_cache_enabled(3)
lib.set_autocast_enabled(1)
lib.set_autocast_enabled("cpu")
lib.set_autocast_enabled("foo", True)
lib.set_autocast_enabled("meta", True)
lib.set_autocast_dtype("cpu", 3)
lib.set_autocast_dtype("meta", lib.float16)
lib.clear_autocast_cache()
lib.amp.autocast_mode.autocast is lib.amp.autocast
lib.amp.grad_scaler.GradScaler is lib.amp.GradScaler
[s.name for s in lib.amp.grad_scaler.OptState]
lib.amp.grad_scaler.OptState.__module__
"""
CASES = [c.strip() for c in CALLS.strip().splitlines()]


@pytest.mark.parametrize("expr", CASES)
def test_call_matches(expr):
    assert outcome(lambda: eval(expr, {"lib": adcli})) == outcome(
        lambda: eval(expr, {"lib": torch}))


def _state_program(lib):
    """Set and read the autocast state, then put it back."""
    seen = []
    try:
        lib.set_autocast_enabled(True)  # CUDA's flag, without a device type
        seen += [lib.is_autocast_enabled(), lib.is_autocast_enabled("cuda")]
        lib.set_autocast_enabled("cuda", False)
        seen.append(lib.is_autocast_enabled())
        lib.set_autocast_dtype("cpu", lib.float64)
        seen.append(lib.get_autocast_dtype("cpu"))
        lib.set_autocast_cpu_dtype(lib.float16)
        seen.append(lib.get_autocast_cpu_dtype())
        lib.set_autocast_gpu_dtype(lib.float32)
        seen.append(lib.get_autocast_dtype("cuda"))
        lib.set_autocast_xla_enabled(True)
        seen.append(lib.is_autocast_enabled("xla"))
        lib.set_autocast_ipu_dtype(lib.float64)
        seen.append(lib.get_autocast_ipu_dtype())
        lib.set_autocast_cache_enabled(False)
        seen.append(lib.is_autocast_cache_enabled())
        seen += [lib.autocast_increment_nesting(), lib.autocast_increment_nesting(),
                 lib.autocast_decrement_nesting(), lib.autocast_decrement_nesting(),
                 lib.autocast_decrement_nesting(), lib.autocast_increment_nesting()]
        lib.set_autocast_enabled("cpu", False)
        seen.append(lib.is_autocast_enabled("cpu"))
    finally:
        lib.set_autocast_enabled("cuda", False)
        lib.set_autocast_enabled("xla", False)
        lib.set_autocast_dtype("cpu", lib.bfloat16)
        lib.set_autocast_dtype("cuda", lib.float16)
        lib.set_autocast_dtype("ipu", lib.float16)
        lib.set_autocast_cache_enabled(True)
    return seen


def test_autocast_state_round_trip_matches():
    assert outcome(lambda: _state_program(adcli)) == outcome(lambda: _state_program(torch))
    # and it was put back
    assert outcome(lambda: (adcli.get_autocast_dtype("cpu"), adcli.is_autocast_enabled())) == \
        outcome(lambda: (torch.get_autocast_dtype("cpu"), torch.is_autocast_enabled()))


def test_enabling_cpu_autocast_is_refused_as_entering_it():
    # torch would then run matmul in bfloat16; adcli computes in the tensors' dtypes, so it
    # refuses as an enabled autocast("cpu") block does, and the flag stays off
    with pytest.raises(NotImplementedError, match="adcli does not autocast"):
        adcli.set_autocast_enabled("cpu", True)
    assert adcli.is_autocast_enabled("cpu") is False
    with (pytest.warns(DeprecationWarning, match="set_autocast_cpu_enabled"),
          pytest.raises(NotImplementedError, match="adcli does not autocast")):
        adcli.set_autocast_cpu_enabled(True)


def test_custom_fwd_bwd_record_the_autocast_state_as_torch():
    for lib in (adcli, torch):
        class Ctx:
            pass

        ctx = Ctx()
        fwd = lib.amp.custom_fwd(lambda c, x: x * 2, device_type="cpu")
        bwd = lib.amp.custom_bwd(lambda c, g: g * 2, device_type="cpu")
        assert fwd(ctx, 3) == 6 and bwd(ctx, 1) == 2
        assert (ctx._fwd_used_autocast, str(ctx._dtype)) == (False, "torch.bfloat16")
