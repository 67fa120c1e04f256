"""``torch.backends.cpu``: the vector instructions the CPU kernels use.

adcli's kernels are NumPy's, so this is NumPy's answer, in torch's words: ``"AVX512"`` when
NumPy dispatches AVX-512 code on this machine, ``"AVX2"`` for AVX2 with FMA, else
``"DEFAULT"``. On the same x86 machine that is torch's answer too (unless torch's
``ATEN_CPU_CAPABILITY`` or NumPy's ``NPY_DISABLE_CPU_FEATURES`` lowers one of them).
"""

from __future__ import annotations

from typing import Any

__all__ = ["get_cpu_capability"]


def _numpy_features() -> tuple[dict[str, bool], list[str]]:
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    features: Any = getattr(umath, "__cpu_features__", {})
    dispatch: Any = getattr(umath, "__cpu_dispatch__", [])
    return dict(features), list(dispatch)


def get_cpu_capability() -> str:
    r"""Return the CPU capability adcli's kernels (NumPy's) use: "AVX512", "AVX2" or
    "DEFAULT"."""
    features, dispatch = _numpy_features()
    avx512 = all(features.get(f) for f in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ"))
    if avx512 and any(d.startswith(("AVX512", "X86_V4")) for d in dispatch):
        return "AVX512"
    if features.get("AVX2") and features.get("FMA3"):
        return "AVX2"
    return "DEFAULT"
