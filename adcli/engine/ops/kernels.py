"""Backward kernels as ops: the one factory the op families declare them with.

PyTorch computes many first derivatives with one kernel call (``threshold_backward`` for relu,
``mse_loss_backward``, ``select_backward``, ...). Under ``create_graph=True`` that call is
recorded as a node of its own (``ThresholdBackwardBackward0``, ``MseLossBackwardBackward0``),
whose derivative formulas are in derivatives.yaml; adcli does the same. A first-order formula
calls ``B.<kernel>(tensors..., params...)``: on arrays (the fast path) that is the NumPy
function itself, with no recording cost; on Tensors it is the kernel op, recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..op import OpDef, defop

# name -> (the NumPy function, the recorded form); engine/ops/__init__.py hands both to the
# formula namespaces (backend.NUMPY, backend.TENSORS).
KERNELS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {}


def _node_name(name: str) -> str:
    return "".join(p.capitalize() for p in name.strip("_").split("_")) + "Backward0"


def kernel_op(name: str, fn: Callable[..., Any], inputs: tuple[str, ...],
              params: tuple[str, ...] = (), save: Any = (), of: str | None = None,
              backward_name: str | None = None) -> OpDef:
    """Declare the kernel ``name``: ``fn(*input_arrays, *params)`` on arrays, an op whose
    grad_fn is PyTorch's (``<Name>Backward0``) with ``inputs`` as its differentiable inputs
    and ``params`` as attributes (``s.<param>`` in its formulas). ``of`` names the op whose
    double backward this is, for ``adcli ops``."""
    n = len(inputs)

    def forward(*arrays: Any, **attrs: Any) -> Any:
        return fn(*arrays, *[attrs[p] for p in params])

    forward.__name__ = name
    op = defop(name, backward_name or _node_name(name), forward, inputs=inputs, save=save,
               torch=f"(double backward of {of or name.removesuffix('_backward')})")

    def recorded(*args: Any) -> Any:
        return op(*args[:n], **dict(zip(params, args[n:])))

    recorded.__name__ = name
    KERNELS[name] = (fn, recorded)
    return op
