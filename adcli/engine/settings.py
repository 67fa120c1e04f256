"""torch's process-wide settings and constants, as a CPU-only torch has them.

adcli's kernels are NumPy's and run deterministically on the CPU, so the determinism flags
are kept and read back (as torch's) without changing any result; ``set_flush_denormal``
reports that denormals cannot be flushed (NumPy keeps them); the float32 matmul precision is
kept but matmuls always run in full float32.
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

from . import dtypes

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None

# the names a spec may read (constants and getters); the setters are adcli.<name> only
READABLE = (
    "pi", "e", "inf", "nan", "newaxis", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "get_deterministic_debug_mode",
    "get_float32_matmul_precision", "get_num_interop_threads", "is_warn_always_enabled",
    "typename", "is_storage",
)
SETTERS = (
    "use_deterministic_algorithms", "set_deterministic_debug_mode",
    "set_float32_matmul_precision", "set_flush_denormal", "set_num_interop_threads",
    "set_warn_always", "set_default_tensor_type", "compile",
)

# deterministic, warn_only
_DETERMINISTIC = [False, False]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the determinism mode (adcli's CPU kernels are deterministic already)."""
    if not isinstance(mode, builtins.bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _DETERMINISTIC[:] = [mode, builtins.bool(warn_only) and mode]


def are_deterministic_algorithms_enabled() -> bool:
    return _DETERMINISTIC[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _DETERMINISTIC[1]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``"default"``/0 off, ``"warn"``/1 deterministic with warnings, ``"error"``/2 on."""
    if isinstance(debug_mode, str):
        names = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, builtins.int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    _DETERMINISTIC[:] = [debug_mode != 0, debug_mode == 1]


def get_deterministic_debug_mode() -> int:
    if not _DETERMINISTIC[0]:
        return 0
    return 1 if _DETERMINISTIC[1] else 2


_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded only: adcli's float32 matmuls always run in float32 (torch's "highest")."""
    if not isinstance(precision, str):
        raise RuntimeError(
            f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    return _MATMUL_PRECISION[0]


def set_flush_denormal(mode: bool) -> bool:
    """Whether the requested mode holds: NumPy never flushes denormals, so ``True`` fails."""
    return not mode


_INTEROP = {"threads": 2, "set": False}


def set_num_interop_threads(int: Any) -> None:
    """Recorded only (NumPy decides its threads); once per process, as in torch."""
    if isinstance(int, builtins.bool) or not isinstance(int, builtins.int):
        raise RuntimeError(
            f"set_num_interop_threads expects an int, but got {type(int).__name__}")
    if int <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _INTEROP["set"]:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _INTEROP.update(threads=int, set=True)


def get_num_interop_threads() -> int:
    return _INTEROP["threads"]


_WARN_ALWAYS = [False]


def set_warn_always(b: bool) -> None:
    """As torch's: the warnings torch gives once per process (``ops.common.warn_once``) are
    then given every time; the others go through Python's ``warnings`` filters either way."""
    _WARN_ALWAYS[0] = builtins.bool(b)


def is_warn_always_enabled() -> bool:
    return _WARN_ALWAYS[0]


_WARNED_TENSOR_TYPE: list[bool] = []


def set_default_tensor_type(t: Any) -> None:
    """Deprecated in torch 2.1: sets the default dtype from ``FloatTensor``/``DoubleTensor``."""
    from .legacy import LEGACY

    name = t if isinstance(t, str) else getattr(t, "__name__", "")
    name = name.removeprefix("torch.")
    if name.startswith("cuda."):
        raise TypeError(f"type torch.{name} not available. Torch not compiled with CUDA "
                        "enabled.")
    if name not in LEGACY:
        raise TypeError(f"invalid type: '{t}'")
    if not _WARNED_TENSOR_TYPE:
        _WARNED_TENSOR_TYPE.append(True)  # torch warns once per process
        warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                      "torch.set_default_dtype() and torch.set_default_device() as "
                      "alternatives.", UserWarning, stacklevel=2)
    d = LEGACY[name].dtype
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.set_default_dtype(d)


# adcli modules whose classes torch keeps elsewhere (the rest map adcli.X -> torch.X)
_TORCH_MODULES = {"adcli.engine.grad_mode": "torch.autograd.grad_mode",
                  "adcli.engine.function": "torch.autograd.function",
                  "adcli.engine.rng.generator": "torch._C"}


def typename(obj: Any) -> str:
    """``torch.typename``: ``'torch.FloatTensor'`` for a tensor, else the object's module and
    qualified name, as torch names it (``torch.Tensor``, ``torch.nn.modules.linear.Linear``:
    adcli's own module paths are not shown)."""
    from .tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    if module in _TORCH_MODULES:
        module = _TORCH_MODULES[module]
    elif module.startswith("adcli.engine"):
        module = "torch"  # (torch's top-level classes: Tensor, Size, dtype, device, ...)
    elif module == "adcli" or module.startswith("adcli."):
        module = "torch" + module[5:]
    return f"{module}.{qualname}"


def is_storage(obj: Any) -> bool:
    """Whether ``obj`` is a tensor's storage (``Tensor.untyped_storage()``)."""
    from .storage import TypedStorage, UntypedStorage

    return type(obj) in (TypedStorage, UntypedStorage)


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: Any = "inductor", mode: str | None = None,
            options: dict[str, Any] | None = None, disable: bool = False,
            **kwargs: Any) -> Any:
    """adcli does not compile: ``model`` (a function or module) comes back unchanged, so
    ``torch.compile(model)`` code runs eagerly. torch's argument checks are kept."""
    modes = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in modes:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(modes)}")
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable, **kwargs)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
