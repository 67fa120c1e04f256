"""The names a spec (or ``adcli ops``) may use: torch-level ops, ``F.`` ops, tensor methods.

This is the spec language's whitelist: a name not in these tables cannot be called from a spec.
Plugins add ops with :func:`register_op`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import anomaly, creation, dtypes, legacy, machine, ops, ranges, settings, typeinfo
from .backward import backward, grad
from .device import device, get_default_device, set_default_device
from .errors import InvalidArgumentError
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .methods import ATTRIBUTES, CORE_METHODS, METHODS
from .out import OUT_OPS, with_device, with_out
from .rng import generator, samplers
from .rng import ops as random_ops
from .table import OPS
from .tensor import Size
from .usercode import guard

_CREATION = [
    "tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "empty",
    "empty_like",
]
# -- random numbers (torch's CPU generator) --
_RANDOM = [
    "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator",
    "default_generator",
]
# Function forms of the in-place methods, where PyTorch has them (torch.sin_(x) is x.sin_()).
_INPLACE_FUNCTIONS = [
    "abs_", "acos_", "arccos_", "arcsin_", "arctan_", "asin_", "atan_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "erf_", "exp2_", "exp_", "expm1_",
    "fill_", "fix_", "floor_", "frac_", "log10_", "log1p_", "log2_", "log_", "neg_",
    "negative_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
    "acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_", "erfc_", "i0_", "logit_",
    "sinc_",
]

# The op families list their names (engine/ops/<family>.py: TORCH, FUNCTIONAL, METHODS).
TORCH: dict[str, Any] = dict(ops.TORCH)
TORCH.update({name: getattr(creation, name) for name in _CREATION})
TORCH.update({name: getattr(random_ops, name) for name in random_ops.__all__})
TORCH.update({name: getattr(samplers, name) for name in samplers.__all__})
TORCH.update({name: getattr(generator, name) for name in _RANDOM})
TORCH.update({
    "no_grad": no_grad, "enable_grad": enable_grad, "set_grad_enabled": set_grad_enabled,
    "is_grad_enabled": is_grad_enabled, "inference_mode": inference_mode,
    "is_inference_mode_enabled": is_inference_mode_enabled, "is_inference": is_inference,
    **dtypes.NAMES,  # every torch dtype and alias (tensors where NumPy has the type)
    "get_default_dtype": dtypes.get_default_dtype,
    "arange": ranges.arange, "linspace": ranges.linspace, "logspace": ranges.logspace,
    "device": device, "set_default_device": set_default_device,
    "get_default_device": get_default_device,
    "detach_": lambda input: input.detach_(),
    "Size": Size, "is_anomaly_enabled": anomaly.is_anomaly_enabled,
    "is_anomaly_check_nan_enabled": anomaly.is_anomaly_check_nan_enabled,
})
TORCH.update({name: METHODS[name] for name in _INPLACE_FUNCTIONS})
# torch's constants, type limits and the read side of its global settings (the setters are
# adcli.<name> only: a spec leaves no process-wide state behind it)
TORCH.update({name: getattr(settings, name) for name in settings.READABLE})
TORCH.update({"finfo": typeinfo.finfo, "iinfo": typeinfo.iinfo})
TORCH.update(legacy.LEGACY)
# what a CPU build says about itself (torch.has_mkl, torch.get_device, torch.Stream, ...)
TORCH.update({name: getattr(machine, name) for name in machine.REGISTERED})
# The namespace's own keywords: device= on creation functions, out= where PyTorch has it.
for _name in (*_CREATION, *random_ops.__all__, "arange", "linspace", "logspace",
              *ops.windows.TORCH):
    TORCH[_name] = with_device(TORCH[_name])
for _name in OUT_OPS:
    TORCH[_name] = with_out(_name, TORCH[_name])

FUNCTIONAL: dict[str, Any] = dict(ops.FUNCTIONAL)

AUTOGRAD: dict[str, Any] = {"grad": grad, "backward": backward}

TENSOR_METHODS: frozenset[str] = frozenset(METHODS) | CORE_METHODS
TENSOR_ATTRS: frozenset[str] = ATTRIBUTES

PLUGIN_OPS: dict[str, Callable[..., Any]] = {}


def register_op(name: str, fn: Callable[..., Any]) -> None:
    """Make ``fn`` callable from specs as ``name(...)`` / ``torch.name(...)``."""
    if not name.isidentifier() or name.startswith("_"):
        raise InvalidArgumentError(f"register_op: {name!r} is not a valid op name")
    if not callable(fn):
        raise InvalidArgumentError(f"register_op: {name!r} must be callable")
    fn = guard(name, fn)
    TORCH[name] = fn
    PLUGIN_OPS[name] = fn


def signature(fn: Any) -> str:
    """A readable signature of a public op."""
    try:
        return str(inspect.signature(fn)).replace("'", "")
    except (TypeError, ValueError):
        return "(...)"


def op_table() -> list[dict[str, Any]]:
    """Every differentiable op of the derivative table: name, grad_fn, rules, PyTorch name,
    and whether it is audited for complex tensors (the others refuse them)."""
    rows = []
    for op in OPS.values():
        rows.append({
            "name": op.name, "grad_fn": op.backward_name, "inputs": list(op.inputs),
            "rules": dict(op.rules), "torch": op.torch, "complex": op.complex_ok,
        })
    return rows
