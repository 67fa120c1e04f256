"""``torch.backends`` as a CPU build reports it: what is built in (mkl, mkldnn, openmp,
nnpack, the quantized engines), what is not (cuda, cudnn, mps, miopen, cusparselt, kleidiai),
their switches (stored and read back; adcli's NumPy kernels do not change with them), and
``cpu.get_cpu_capability()``, which is adcli's own answer (NumPy's SIMD level). The
submodules besides cuda, cudnn and mps load on first use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from adcli.lazy import lazy_submodules

from . import _precision, cuda, cudnn, mps
from ._flags import ContextProp, allow_mutation, disable_global_flags, flags_frozen, with_props

_LAZY = ("cpu", "cusparselt", "kleidiai", "mha", "miopen", "mkl", "mkldnn", "nnpack", "openmp",
         "opt_einsum", "python_native", "quantized")
__all__ = ["cuda", "cudnn", "disable_global_flags", "flags", "flags_frozen", "mps",
           "set_flags", *_LAZY]


def set_flags(_fp32_precision: str | None = "none") -> tuple[str]:
    orig = (_precision.get_precision("generic", "all"),)
    if _fp32_precision is not None:
        _precision.set_precision("generic", "all", _fp32_precision)
    return orig


@contextlib.contextmanager
def flags(fp32_precision: str = "none") -> Iterator[None]:
    with allow_mutation():
        orig = set_flags(fp32_precision)
    try:
        yield
    finally:
        with allow_mutation():
            set_flags(*orig)


__getattr__, __dir__ = lazy_submodules(__name__, _LAZY)



with_props(__name__, fp32_precision=ContextProp(
    lambda: _precision.get_precision("generic", "all"),
    lambda v: _precision.set_precision("generic", "all", v)))
