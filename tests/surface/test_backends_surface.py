"""torch.backends on adcli is a CPU build's: what is built in, what is not, the switches and
their flags() context managers, against real torch 2.13's CPU build."""

from __future__ import annotations

import types

import pytest
from _device_compare import IMPL_MODULES, NOT_API, get, outcome
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

SPACES = ("cpu", "mkl", "mkldnn", "openmp", "opt_einsum", "nnpack", "quantized", "mha",
          "miopen", "cusparselt", "kleidiai", "python_native")


def names(mod):
    """torch's public names of a backend module, including the properties of its PropModule
    class (torch swaps these modules for PropModules whose dir() shows only ``m``)."""
    inner = getattr(mod, "m", mod)
    found = set(dir(inner)) | {n for k in type(mod).__mro__[:-2] for n in vars(k)
                                if k.__module__.startswith("torch.backends")}
    out = []
    for n in sorted(found):
        if n.startswith("_") or n in NOT_API or n in ("m", "ContextProp", "PropModule",
                                                      "contextmanager", "sys", "torch"):
            continue
        v = getattr(inner, n, None) if n in dir(inner) else getattr(mod, n, None)
        if isinstance(v, types.ModuleType) or getattr(v, "__module__", None) in IMPL_MODULES:
            continue
        if isinstance(v, type) and issubclass(v, types.ModuleType):
            continue  # the PropModule class torch swaps the module for
        out.append(n)
    return out


def test_torch_backends_lists_every_submodule():
    assert [n for n in names(torch.backends) if not hasattr(adcli.backends, n)] == []


@pytest.mark.parametrize("space", SPACES)
def test_every_public_name_exists(space):
    t = get(torch.backends, space)
    assert [n for n in names(t) if not hasattr(get(adcli.backends, space), n)] == []


CALLS = """
cpu.get_cpu_capability()
mkl.is_available()
(mkl.VERBOSE_OFF, mkl.VERBOSE_ON)
mkl.verbose(mkl.VERBOSE_OFF).__enter__()
mkl.verbose(0).__exit__(None, None, None)
(mkldnn.is_available(), mkldnn.is_acl_available())
(mkldnn.enabled, mkldnn.deterministic, mkldnn.allow_tf32, mkldnn.fp32_precision)
(mkldnn.matmul.fp32_precision, mkldnn.conv.fp32_precision, mkldnn.rnn.fp32_precision)
(mkldnn.VERBOSE_OFF, mkldnn.VERBOSE_ON, mkldnn.VERBOSE_ON_CREATION)
mkldnn.verbose(0).__enter__()
mkldnn.matmul.foo
setattr(mkldnn.matmul, "foo", "none")
mkldnn.set_flags()
mkldnn.set_flags(None, None, None, "foo")
openmp.is_available()
(opt_einsum.is_available(), opt_einsum.enabled, opt_einsum.strategy)
opt_einsum.get_opt_einsum() is None
opt_einsum.set_flags(True)
opt_einsum.set_flags(None, "greedy")
opt_einsum.flags(strategy="auto").__enter__()
nnpack.is_available()
nnpack.__all__
(quantized.engine, quantized.supported_engines)
setattr(quantized, "engine", "foo")
setattr(quantized, "engine", "none")
setattr(quantized, "supported_engines", [])
miopen.immediate
mha.get_fastpath_enabled()
(cusparselt.version(), cusparselt.get_max_alg_id(), cusparselt.is_available())
cusparselt.__all__
kleidiai.is_available()
(python_native.all_dsls, python_native.available_dsls)
python_native.get_dsl_operations("triton")
(python_native.is_dsl_disabled("triton"), python_native.is_operation_disabled("aten::mm"))
repr(python_native.triton)
repr(python_native.cutedsl)
(python_native.triton.available, python_native.triton.enabled, python_native.triton.name)
python_native.triton.version
backends.fp32_precision
backends.flags_frozen()
(backends.cuda.is_built(), backends.cudnn.is_available(), backends.mps.is_available())
"""
CASES = [c.strip() for c in CALLS.strip().splitlines()]


def env(lib):
    return {"backends": lib.backends, **{s: get(lib.backends, s) for s in SPACES}}


@pytest.mark.parametrize("expr", CASES)
def test_call_matches(expr):
    assert outcome(lambda: eval(expr, env(adcli))) == outcome(lambda: eval(expr, env(torch)))


def _flag_program(lib):
    """Switch flags through assignment, set_flags and flags(), reading them back; ends where
    it began."""
    b = lib.backends
    seen = [b.mkldnn.set_flags(False, True, None, "ieee")]
    seen.append((b.mkldnn.enabled, b.mkldnn.deterministic, b.mkldnn.fp32_precision,
                 b.mkldnn.matmul.fp32_precision, b.fp32_precision))
    seen.append(b.mkldnn.set_flags(True, False, None, "none"))
    b.mkldnn.matmul.fp32_precision = "bf16"
    seen.append((b.mkldnn.matmul.fp32_precision, b.mkldnn.fp32_precision))
    b.mkldnn.matmul.fp32_precision = "none"
    seen.append(b.set_flags("ieee"))
    seen.append((b.fp32_precision, b.mkldnn.fp32_precision, b.mkldnn.conv.fp32_precision))
    seen.append(b.set_flags("none"))
    with b.flags(fp32_precision="tf32"):
        seen.append(b.mkldnn.rnn.fp32_precision)
    seen.append(b.mkldnn.rnn.fp32_precision)
    b.mkldnn.enabled = False
    seen.append(b.mkldnn.enabled)
    b.mkldnn.enabled = True
    with b.mkldnn.flags(enabled=False):  # torch warns about allow_tf32=True here
        seen.append((b.mkldnn.enabled, b.mkldnn.allow_tf32))
    seen.append(b.mkldnn.enabled)
    b.quantized.engine = "fbgemm"
    seen.append(b.quantized.engine)
    b.quantized.engine = "x86"
    seen.append(b.nnpack.set_flags(False))
    seen.append(b.nnpack.set_flags(True))
    with b.nnpack.flags(False):
        seen.append(b.nnpack.set_flags(False))
    b.miopen.immediate = True
    seen.append((b.miopen.immediate, b.miopen.set_flags(False)))
    with b.miopen.flags(True):
        seen.append(b.miopen.immediate)
    seen.append(b.miopen.immediate)
    b.mha.set_fastpath_enabled(False)
    seen.append(b.mha.get_fastpath_enabled())
    b.mha.set_fastpath_enabled(True)
    b.opt_einsum.enabled = True  # a plain attribute in torch: no check
    seen.append(b.opt_einsum.set_flags(False))
    pn = b.python_native
    with pn.triton.disabled():
        seen.append((repr(pn.triton), pn.is_dsl_disabled("triton")))
    pn.cutedsl.enabled = False
    seen.append(repr(pn.cutedsl))
    pn.cutedsl.enabled = True
    pn.disable_operations("scaled_mm", "x")
    seen.append(pn.is_operation_disabled("x"))
    with pn.operations_disabled("x", "y"):
        seen.append((pn.is_operation_disabled("y"), pn.is_operation_disabled("x")))
    seen.append((pn.is_operation_disabled("y"), pn.is_operation_disabled("x")))
    pn.enable_operations("scaled_mm", "x")
    pn.disable_dispatch_keys("CPU")
    pn.enable_dispatch_keys("CPU")
    seen.append(pn.is_operation_disabled("x"))
    return seen


def test_flags_round_trip_matches():
    assert outcome(lambda: _flag_program(adcli)) == outcome(lambda: _flag_program(torch))


def _frozen_program(lib):
    """Freeze the flags: assignment fails, the flags() context managers still work."""
    lib.backends.disable_global_flags()
    seen = [lib.backends.flags_frozen()]
    with lib.backends.mkldnn.flags(enabled=False, allow_tf32=None):
        seen.append(lib.backends.mkldnn.enabled)
    seen.append(lib.backends.mkldnn.enabled)
    lib.backends.mkldnn.enabled = False
    return seen


def test_frozen_flags_refuse_assignment_but_not_flags():
    from adcli.backends import _flags

    try:
        ours = outcome(lambda: _frozen_program(adcli))
        theirs = outcome(lambda: _frozen_program(torch))
    finally:
        _flags._MUTABLE[0] = True
        torch.backends.m.__dict__["__allow_nonbracketed_mutation_flag"] = True
    assert ours == theirs
    assert ours[0][0] == "error" and "not allowed to set torch.backends.mkldnn flags" in ours[0][2]
    assert not adcli.backends.flags_frozen() and not torch.backends.flags_frozen()


def test_cpu_capability_is_numpys():
    from adcli.backends.cpu import _numpy_features

    features, _ = _numpy_features()
    cap = adcli.backends.cpu.get_cpu_capability()
    assert cap in ("AVX512", "AVX2", "DEFAULT")
    assert (cap == "AVX512") <= bool(features.get("AVX512F"))
    assert (cap == "AVX2") <= bool(features.get("AVX2"))
