"""torch.cuda (and the name walk of torch.mps/xpu/mtia) on adcli is a CPU build's: every
public name, and each call (with no arguments and with typical ones) answers or fails as real
torch 2.13's CPU build does."""

from __future__ import annotations

import pytest
from _device_compare import IMPL_MODULES, NOT_API, get, no_arg_callables, outcome, public
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

SUBMODULES = ("cuda", "cuda.amp", "cuda.graphs", "cuda.memory", "cuda.random", "cuda.nvtx",
              "cuda.streams", "cuda.gds", "cuda.green_contexts", "cuda.jiterator", "cuda.nccl",
              "cuda.profiler", "cuda.sparse", "cuda.tunable", "cuda.amp.common",
              "cuda.amp.autocast_mode", "cuda.amp.grad_scaler",
              # the other device modules (their calls with arguments:
              # test_accelerator_modules.py)
              "mps", "mps.event", "mps.profiler", "xpu", "xpu.memory", "xpu.random",
              "xpu.streams", "xpu.graphs", "mtia", "mtia.memory", "mtia.mtia_graph")


def test_not_api_names_are_imports_or_release_tables():
    for n in NOT_API & set(dir(torch.cuda)):
        v = getattr(torch.cuda, n)
        assert (getattr(v, "__module__", None) in IMPL_MODULES or n == "TYPE_CHECKING"
                or n in ("DEVICE_REQUIREMENT", "PYTORCH_RELEASES_CODE_CC")), n


@pytest.mark.parametrize("space", SUBMODULES)
def test_every_public_name_exists(space):
    t, a = get(torch, space), get(adcli, space)
    missing = [n for n in public(t) if not hasattr(a, n)]
    assert missing == []
    assert len(public(t)) > 0 or space == "cuda.jiterator"


NO_ARGS = [c for s in SUBMODULES for c in no_arg_callables(torch, s)]


@pytest.mark.parametrize(("space", "name"), NO_ARGS, ids=[f"{s}.{n}" for s, n in NO_ARGS])
def test_calls_without_arguments_match(space, name):
    # values, the CPU build's errors and the TypeErrors of missing arguments alike
    assert outcome(lambda: get(adcli, space + "." + name)()) == outcome(
        lambda: get(torch, space + "." + name)())


CALLS = """
cuda.manual_seed(0)
cuda.manual_seed_all(3)
cuda.manual_seed("x")
cuda.set_device(0)
cuda.set_device(-1)
cuda.set_device("cpu")
cuda.set_device(None)
cuda.set_device("cuda")
cuda.set_device("cuda:1")
cuda.set_device(lib.device("cuda", 2))
cuda.set_device(lib.cuda.device(-1))
cuda.get_rng_state("cpu")
cuda.set_rng_state(lib.zeros(3, dtype=lib.uint8))
cuda.set_rng_state(3)
cuda.set_rng_state_all([lib.zeros(3, dtype=lib.uint8)])
cuda.set_rng_state_all([])
cuda.memory_allocated(0)
cuda.memory_allocated("cuda:3")
cuda.max_memory_allocated("cpu")
cuda.memory_reserved(1.5)
cuda.memory_stats(0)
cuda.memory_cached(0)
cuda.memory_summary(abbreviated=True)
cuda.list_gpu_processes(0)
cuda.set_per_process_memory_fraction(0.5)
cuda.can_device_access_peer(0, 1)
cuda.set_sync_debug_mode("warn")
cuda.caching_allocator_alloc(10)
cuda.caching_allocator_delete(0)
cuda.get_stream_from_external(0)
cuda.ExternalStream(0)
cuda.Stream()
cuda.Stream(device="cpu", priority=-1)
cuda.Event()
cuda.Event(enable_timing=True)
cuda.StreamContext(None)
cuda.stream(None)
cuda.stream(None).__enter__()
cuda.stream(None).__exit__(None, None, None)
cuda.StreamContext(None).idx
cuda.set_stream(None)
cuda.CUDAGraph()
cuda.graph(None)
cuda.graphs.graph.default_capture_stream
cuda.MemPool()
cuda.use_mem_pool(None)
cuda.use_mem_pool(None).__enter__()
cuda.caching_allocator_disabled().__enter__()
cuda.CUDAPluggableAllocator("/nonexistent/a.so", "f", "g")
cuda.change_current_allocator(None)
cuda.make_graphed_callables(lambda x: x, (lib.ones(2),))
cuda.device(0)
cuda.device(0).__enter__()
cuda.device(-1).__enter__()
cuda.device(None).__enter__()
cuda.device("cpu")
cuda.device("mps")
cuda.device("cuda:0").__enter__()
cuda.device("cuda:0").idx
cuda.device("cuda").idx
cuda.device(None).idx
cuda.device(1.5).idx
cuda.device(lib.device("cuda", 2)).idx
cuda.device(lib.cuda.device(3)).idx
cuda.device(0).__exit__(None, None, None)
cuda.device(5).prev_idx
cuda.device_of(lib.ones(2)).idx
cuda.device_of(lib.ones(2)).__enter__()
cuda.device_of(3)
cuda.FloatTensor()
cuda.FloatTensor(2)
cuda.DoubleTensor([1.0])
cuda.LongTensor(2, 3)
cuda.BFloat16Tensor(1)
cuda.sparse.FloatTensor()
cuda.FloatTensor.__name__
cuda.FloatTensor.__module__
(cuda.FloatTensor.dtype, cuda.HalfTensor.dtype, cuda.BoolTensor.dtype, cuda.ByteTensor.dtype)
(cuda.CharTensor.dtype, cuda.ShortTensor.dtype, cuda.IntTensor.dtype, cuda.LongTensor.dtype)
(cuda.DoubleTensor.dtype, cuda.BFloat16Tensor.dtype, cuda.sparse.HalfTensor.dtype)
(cuda.FloatTensor.is_cuda, cuda.FloatTensor.is_sparse, cuda.sparse.LongTensor.is_sparse)
cuda.sparse.FloatTensor.__module__
isinstance(lib.ones(2), lib.cuda.FloatTensor)
isinstance(lib.ones(2), lib.FloatTensor)
cuda.FloatStorage(2)
cuda.ComplexFloatStorage()
cuda.FloatStorage.__module__
cuda.DoubleStorage.from_buffer(b"")
(cuda.FloatStorage.dtype, cuda.ComplexDoubleStorage.dtype, cuda.BoolStorage.dtype)
cuda.nvtx.range_push("a")
cuda.nvtx.range_pop()
cuda.nvtx.range_start("a")
cuda.nvtx.range_end(0)
cuda.nvtx.mark("a")
cuda.nvtx.range("a {}", 1)
cuda.nvtx.range("a").__enter__()
cuda.profiler.profile().__enter__()
cuda.profiler.start()
cuda.profiler.DEFAULT_FLAGS
cuda.check_error(0)
cuda.profiler.check_error(1)
(cuda.cudaStatus.SUCCESS, cuda.cudaStatus.ERROR_NOT_READY)
cuda.CudaError(1)
cuda.DeferredCudaCallError("x")
str(cuda.DeferredCudaCallError("x"))
issubclass(lib.cuda.CudaError, RuntimeError)
cuda.OutOfMemoryError is lib.OutOfMemoryError
cuda.AcceleratorError is lib.AcceleratorError
(issubclass(lib.OutOfMemoryError, RuntimeError), issubclass(lib.AcceleratorError, RuntimeError))
(cuda.has_half, cuda.has_magma, cuda.default_generators)
cuda.green_contexts.SUPPORTED
cuda.GreenContext.create()
cuda.GreenContext.create(num_sms=1)
cuda.green_contexts.GreenContext.max_workqueue_concurrency()
cuda.gds.GdsFile(here, 0)
cuda.gds.gds_register_buffer(None)
cuda.nccl.is_available([lib.ones(2)])
cuda.nccl.all_reduce([lib.ones(2)])
cuda.nccl.reduce([lib.ones(2)])
cuda.nccl.broadcast([lib.ones(2)])
cuda.nccl.all_gather([lib.ones(2)], [lib.ones(2)])
cuda.nccl.reduce_scatter([lib.ones(2)], [lib.ones(2)])
cuda.nccl.init_rank(1, 0, 0)
cuda.nccl.SUM
cuda.tunable.set_filename("x")
cuda.tunable.read_file("x")
cuda.tunable.enable(False)
cuda.tunable.set_max_tuning_duration(1)
cuda.tunable.set_max_tuning_iterations(1)
cuda.tunable.set_rotating_buffer_size(1)
cuda.tunable.set_numerical_check_tolerances(True)
cuda.tunable.tune_gemm_in_file("x")
cuda.tunable.mgpu_tune_gemm_in_file("/nonexistent*", 1)
cuda.amp.custom_fwd(cast_inputs=lib.float32)
cuda.amp.custom_fwd(len)
cuda.amp.custom_bwd(len)
cuda.amp.autocast_mode.custom_fwd(len)
cuda.amp.common.amp_definitely_not_available()
cuda.is_bf16_supported(False)
cuda.memory.is_initialized()
cuda.get_device_name(0)
cuda.get_device_properties("cpu")
cuda.get_device_capability(1)
cuda.current_stream(0)
cuda.synchronize("cpu")
cuda.Stream.__module__
cuda.Event.__module__
cuda.ExternalStream.__module__
cuda.CUDAGraph.__module__
cuda.graph.__module__
cuda.MemPool.__module__
cuda.device.__module__
cuda.StreamContext.__module__
(cuda.CudaError.__module__, cuda.cudaStatus.__module__, cuda.DeferredCudaCallError.__module__)
cuda.reset_max_memory_allocated(0)
cuda.reset_max_memory_cached()
cuda.clock_rate(0)
cuda.temperature("cuda:0")
"""
CASES = [c.strip() for c in CALLS.strip().splitlines()]


@pytest.mark.parametrize("expr", CASES)
def test_call_matches(expr):
    def run(lib):
        return outcome(lambda: eval(expr, {"lib": lib, "cuda": lib.cuda, "here": __file__}))

    assert run(adcli) == run(torch)


def test_storage_warning_comes_from_the_shared_once_per_process_warning():
    # torch warns once per process; adcli's CUDA storages share the CPU storages' flag
    from adcli.engine import storage

    storage._WARNED[0] = False
    with (pytest.warns(UserWarning, match="TypedStorage is deprecated"),
          pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled")):
        adcli.cuda.FloatStorage(2)
    assert storage._WARNED[0]
