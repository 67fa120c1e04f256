"""``adcli.autograd``: PyTorch's ``torch.autograd`` package over adcli's engine.

``grad``, ``backward``, ``Function``, ``gradcheck``/``gradgradcheck`` (torch's semantics:
``True`` or a raised :class:`GradcheckError`), ``functional`` (jacobian, hessian, vjp, jvp,
hvp, vhp), ``graph.Node``, ``function.once_differentiable`` and anomaly mode.
"""

from adcli.engine.backward import backward, grad
from adcli.engine.function import Function, FunctionCtx
from adcli.engine.grad_mode import enable_grad, no_grad, set_grad_enabled
from adcli.engine.node import RawSavedTensor as SavedTensor

from . import (
    anomaly_mode,
    forward_ad,
    function,
    functional,
    grad_mode,
    graph,
    profiler,
    profiler_util,
)
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .function import NestedIOFunction
from .grad_mode import (
    inference_mode,
    is_multithreading_enabled,
    is_view_replay_enabled,
    set_multithreading_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .profiler import ProfilerActivity, kineto_available
from .profiler_util import DeviceType
from .variable import Variable

__all__ = [
    "DeviceType", "Function", "FunctionCtx", "GradcheckError", "NestedIOFunction",
    "ProfilerActivity", "SavedTensor", "Variable", "anomaly_mode", "backward", "detect_anomaly",
    "enable_grad", "forward_ad", "function", "functional", "grad", "grad_mode", "gradcheck",
    "gradgradcheck", "graph", "inference_mode", "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled", "is_multithreading_enabled", "is_view_replay_enabled",
    "kineto_available", "no_grad", "profiler", "profiler_util", "set_detect_anomaly",
    "set_grad_enabled", "set_multithreading_enabled",
]
