"""``adcli.autograd``: ``grad``, ``backward`` and ``Function``, as in ``torch.autograd``."""

from adcli.engine.backward import backward, grad
from adcli.engine.function import Function, FunctionCtx

__all__ = ["Function", "FunctionCtx", "backward", "grad"]
