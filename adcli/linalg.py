"""``torch.linalg`` for adcli: norms, inverses, determinants, solvers and factorizations with
PyTorch's values, grad_fn names, gradients and error messages (NumPy's LAPACK is the kernel).

The functions live in ``adcli/engine/ops/linalg_api.py`` (the kernels and derivative formulas in
``engine/ops/decomp.py``); this module is the namespace.
"""

from __future__ import annotations

from typing import Any

from .engine.ops.householder import LINALG as _HOUSEHOLDER
from .engine.ops.ldl import LINALG as _LDL
from .engine.ops.linalg_api import LINALG
from .engine.ops.linalg_more import LINALG as _MORE

LINALG = {**LINALG, **_MORE, **_HOUSEHOLDER, **_LDL}

globals().update(LINALG)

__all__ = sorted(LINALG)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'adcli.linalg' has no attribute {name!r}")
