"""``adcli.nn.utils``: gradient clipping, parameter/vector conversion, ``rnn`` (sequence
padding), ``parametrize`` / ``parametrizations``, the old hook-based ``weight_norm`` and
``spectral_norm``, ``stateless``, ``prune``, conv/linear + batch-norm fusion, ``skip_init``.

The submodules load on first use (PEP 562, as ``adcli.__getattr__`` loads the packages):
``import adcli.nn`` then costs none of them. ``adcli.nn.utils.prune``, ``from adcli.nn.utils
import clip_grad_norm_`` and the spec whitelist's ``torch.nn.utils.parametrize.*`` reach them
through :func:`__getattr__`.
"""

from __future__ import annotations

import importlib
from typing import Any

# The old hook-based spectral_norm / weight_norm are bound now: each shares its name with its
# submodule, and a submodule imported first would otherwise stay the package's attribute.
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

# public name -> the submodule defining it (a submodule's own name maps to itself)
_LAZY = {
    "clip_grad_norm": "clip_grad", "clip_grad_norm_": "clip_grad",
    "clip_grad_value_": "clip_grad", "clip_grads_with_norm_": "clip_grad",
    "get_total_norm": "clip_grad",
    "parameters_to_vector": "convert_parameters", "vector_to_parameters": "convert_parameters",
    "fuse_conv_bn_eval": "fusion", "fuse_conv_bn_weights": "fusion",
    "fuse_linear_bn_eval": "fusion", "fuse_linear_bn_weights": "fusion",
    "skip_init": "init",
    "convert_conv2d_weight_memory_format": "memory_format",
    "convert_conv3d_weight_memory_format": "memory_format",
    **{m: m for m in ("clip_grad", "convert_parameters", "fusion", "init", "memory_format",
                      "parametrizations", "parametrize", "prune", "rnn", "stateless")},
}

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
           "convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "get_total_norm", "parameters_to_vector",
           "parametrizations", "parametrize", "prune", "remove_spectral_norm", "remove_weight_norm",
           "rnn", "skip_init", "spectral_norm", "stateless", "vector_to_parameters",
           "weight_norm"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    sub = importlib.import_module(f"{__name__}.{module}")
    value = sub if module == name else getattr(sub, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
