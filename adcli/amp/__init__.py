"""``torch.amp`` on a CPU-only adcli: ``autocast`` and ``GradScaler``.

adcli does not autocast: what ``torch.autocast("cpu")`` does (run matmul, conv and linear in
bfloat16 or float16) needs bfloat16 tensors, which NumPy lacks. So an *enabled* CPU autocast
raises ``NotImplementedError`` when entered; ``enabled=False`` runs the block unchanged, and the
cases where torch itself disables autocast (a CUDA device type on a CPU build, an unsupported
dtype) warn and disable as torch does. ``GradScaler("cpu")`` scales, unscales, skips steps
with inf/NaN gradients and updates its scale as torch's; ``GradScaler("cuda")`` (the default)
disables itself with torch's warning, so ``scale`` returns its input and ``step`` steps.
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from adcli.engine import dtypes
from adcli.engine.grad_mode import no_grad
from adcli.engine.tensor import Tensor
from adcli.lazy import lazy_submodules

__all__ = ["autocast", "GradScaler", "is_autocast_available", "custom_fwd", "custom_bwd"]

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}


def _check_device_type(device_type: Any) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type.split(":")[0] not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {device_type}")
    return device_type


_AUTOCAST_DEVICES = ("cpu", "cuda", "xpu", "mps", "hpu", "mtia", "xla", "ipu", "privateuseone",
                     "maia")
_DEFAULT_DTYPE.update({"hpu": "bfloat16", "xla": "bfloat16", "maia": "bfloat16"})
# torch's thread-local autocast state: per-device flags and dtypes, the cache switch, nesting
_STATE: dict[str, Any] = {"enabled": {}, "dtype": {}, "cache": True, "nesting": 0}


def is_autocast_available(device_type: str) -> bool:
    """Whether torch has autocast for this device type (adcli runs none of them)."""
    return _check_device_type(device_type) in _AUTOCAST_DEVICES


def _autocast_device(fn: str, device_type: Any) -> str:
    if not isinstance(device_type, str):
        raise TypeError(f"{fn}(): argument 'device_type' (position 1) must be str, not "
                        f"{type(device_type).__name__}")
    kind = _check_device_type(device_type).split(":")[0]
    if kind not in _AUTOCAST_DEVICES:
        raise RuntimeError("unknown device type for autocast in "
                           "get_autocast_dispatch_key_from_device_type")
    return kind


def get_autocast_dtype(device_type: str) -> dtypes.dtype:
    kind = _check_device_type(device_type).split(":")[0]
    if kind not in _AUTOCAST_DEVICES:
        raise RuntimeError("unsupported scalarType")
    return _STATE["dtype"].get(kind) or dtypes.NAMES[_DEFAULT_DTYPE.get(kind, "float16")]


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for the device type (CUDA when not given); never the CPU's, as
    adcli refuses to autocast."""
    kind = "cuda" if device_type is None else _autocast_device("is_autocast_enabled",
                                                                 device_type)
    return bool(_STATE["enabled"].get(kind, False))


def set_autocast_enabled(*args: Any) -> None:
    """``set_autocast_enabled([device_type,] enabled)``: CUDA when no device type is given.
    Turning the CPU's on raises, as entering an enabled ``autocast("cpu")`` does."""
    kind = "cuda" if len(args) < 2 else _autocast_device("set_autocast_enabled", args[0])
    enabled = args[-1] if args else None
    if not isinstance(enabled, bool):
        pos = 1 if len(args) < 2 else 2
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position {pos}) must be "
                        f"bool, not {type(enabled).__name__}")
    if enabled and kind == "cpu":
        autocast("cpu").__enter__()
    _STATE["enabled"][kind] = enabled


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    # torch stores it for any device type (only reading it back checks the type)
    kind = _check_device_type(device_type).split(":")[0]
    if not isinstance(dtype, dtypes.dtype):
        raise TypeError("set_autocast_dtype(): argument 'dtype' (position 2) must be "
                        f"torch.dtype, not {type(dtype).__name__}")
    _STATE["dtype"][kind] = dtype


def is_autocast_cache_enabled() -> bool:
    return bool(_STATE["cache"])


def set_autocast_cache_enabled(enabled: bool) -> None:
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    _STATE["cache"] = enabled


def clear_autocast_cache() -> None:
    """adcli caches no casts."""


def autocast_increment_nesting() -> int:
    _STATE["nesting"] += 1
    return int(_STATE["nesting"])


def autocast_decrement_nesting() -> int:
    _STATE["nesting"] -= 1
    return int(_STATE["nesting"])


def _legacy_autocast(kind: str, what: str) -> Callable[..., Any]:
    """torch's deprecated per-device spellings (``is_autocast_cpu_enabled`` ...), each with
    its DeprecationWarning (torch appends the C++ source line, which adcli leaves out)."""
    dev = {"gpu": "cuda"}.get(kind, kind)

    def warn(call: str, new: str) -> None:
        warnings.warn(f"torch.{call} is deprecated. Please use torch.{new} instead.",
                      DeprecationWarning, stacklevel=3)

    if what == "is_enabled":
        def fn() -> Any:
            warn(f"is_autocast_{kind}_enabled()", f"is_autocast_enabled('{dev}')")
            return is_autocast_enabled(dev)
    elif what == "set_enabled":
        def fn(enabled: bool) -> Any:  # type: ignore[misc]
            warn(f"set_autocast_{kind}_enabled(enabled)",
                 f"set_autocast_enabled('{dev}', enabled)")
            return set_autocast_enabled(dev, enabled)
    elif what == "get_dtype":
        def fn() -> Any:  # type: ignore[misc]
            warn(f"get_autocast_{kind}_dtype()", f"get_autocast_dtype('{dev}')")
            return get_autocast_dtype(dev)
    else:
        def fn(dtype: Any) -> Any:  # type: ignore[misc]
            warn(f"set_autocast_{kind}_dtype(dtype)", f"set_autocast_dtype('{dev}', dtype)")
            return set_autocast_dtype(dev, dtype)
    fn.__name__ = {"is_enabled": f"is_autocast_{kind}_enabled",
                   "set_enabled": f"set_autocast_{kind}_enabled",
                   "get_dtype": f"get_autocast_{kind}_dtype",
                   "set_dtype": f"set_autocast_{kind}_dtype"}[what]
    return fn


# the torch-level names of the autocast state (adcli.api serves them from here)
AUTOCAST_STATE: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (
        is_autocast_enabled, get_autocast_dtype, set_autocast_enabled, set_autocast_dtype,
        is_autocast_cache_enabled, set_autocast_cache_enabled, clear_autocast_cache,
        autocast_increment_nesting, autocast_decrement_nesting,
        *(_legacy_autocast(k, w) for k in ("cpu", "ipu", "xla")
          for w in ("is_enabled", "set_enabled", "get_dtype", "set_dtype")),
        _legacy_autocast("gpu", "get_dtype"), _legacy_autocast("gpu", "set_dtype"))}


class autocast:  # noqa: N801 - mirrors torch.autocast
    """``with torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None):``

    Disabled (``enabled=False``, or where torch disables it): the block runs unchanged.
    Enabled on the CPU: ``NotImplementedError`` on entry (adcli has no bfloat16 tensors).
    Also a decorator.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device = _check_device_type(device_type)
        self.fast_dtype = dtypes.to_dtype(dtype) if dtype is not None else get_autocast_dtype(
            self.device)
        self._enabled = bool(enabled)
        if self._enabled and self.device == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        elif self._enabled and self.device == "cpu" and self.fast_dtype.name not in (
                "bfloat16", "float16"):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False
        elif self._enabled and self.device != "cpu":
            warnings.warn(f"User specified an unsupported autocast device_type "
                          f"'{self.device}'", UserWarning, stacklevel=2)
            self._enabled = False

    def __enter__(self) -> autocast:
        if self._enabled:
            raise NotImplementedError(
                f"adcli does not autocast: torch.autocast('cpu') runs matmul, conv and linear "
                f"in {self.fast_dtype!r}, and adcli computes in the tensors' own dtypes. Pass "
                "enabled=False (or drop the autocast block) to run in full precision.")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorated


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str = "cuda",
               cast_inputs: Any = None) -> Any:
    """``torch.amp.custom_fwd``: the forward runs as written (adcli never autocasts); as in
    torch it records the autocast state on ``ctx`` for ``custom_bwd``."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        args[0]._dtype = get_autocast_dtype(device_type)
        args[0]._fwd_used_autocast = cast_inputs is None and is_autocast_enabled(device_type)
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str = "cuda") -> Any:
    """``torch.amp.custom_bwd``: the backward runs under the forward's autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd


# ---- GradScaler ----
_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class OptState(enum.Enum):
    """``torch.amp.grad_scaler.OptState``: where an optimizer is in a scaler's step."""

    READY = 0
    UNSCALED = 1
    STEPPED = 2


OptState.__module__ = "torch.amp.grad_scaler"


def _fresh() -> dict[str, Any]:
    return {"stage": _READY, "found_inf": None}


class GradScaler:
    """torch's dynamic loss scaling (``torch.amp.GradScaler``) with its update rule."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: int | None = None
            self._per_optimizer_states: dict[int, dict[str, Any]] = {}

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh())

    def _check(self, funcname: str) -> Tensor:
        fix = ("This may indicate your script did not use scaler.scale(loss or outputs) earlier "
               "in the iteration.")
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        return self._scale

    def _lazy_init(self) -> Tensor:
        if self._scale is None:
            from adcli.engine.creation import full

            self._scale = full((), self._init_scale, dtype=dtypes.float32)
            self._growth_tracker = self._init_growth_tracker
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """``outputs`` times the scale (``MulBackward0``), through lists and tuples."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._lazy_init()
        if isinstance(outputs, Iterable):
            scaled = map(self.scale, outputs)
            return type(outputs)(scaled) if isinstance(outputs, list | tuple) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _unscale_grads(self, optimizer: Any, inv_scale: float, allow_fp16: bool) -> float:
        found = 0.0
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    g = param.grad
                    if g is None:
                        continue
                    if not allow_fp16 and g._data.dtype == np.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    if not np.isfinite(g._data).all():
                        found = 1.0
                    # torch's _amp_foreach_non_finite_check_and_unscale_: grad * inv_scale
                    g._data[...] = g._data * g._data.dtype.type(inv_scale)
                    g._bump()
        return found

    def unscale_(self, optimizer: Any) -> None:
        """Divide the optimizer's gradients by the scale, recording whether any is inf/NaN."""
        if not self._enabled:
            return
        scale = self._check("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = float(np.float32(1.0 / float(scale._data)))
        state["found_inf"] = self._unscale_grads(optimizer, inv_scale, False)
        state["stage"] = _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (if not done) and step, unless a gradient is inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        retval = None
        if not state["found_inf"]:
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """The next scale: ``backoff_factor`` times after an inf/NaN, ``growth_factor`` times
        after ``growth_interval`` clean steps (torch's _amp_update_scale_)."""
        if not self._enabled:
            return
        scale = self._check("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale._data[...] = new_scale
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                scale._data[...] = new_scale._data.reshape(())
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            tracker = self._growth_tracker or 0
            if sum(found):
                scale._data[...] = scale._data * np.float32(self._backoff_factor)
                tracker = 0
            else:
                tracker += 1
                if tracker == self._growth_interval:
                    grown = scale._data * np.float32(self._growth_factor)
                    if np.isfinite(grown):
                        scale._data[...] = grown
                    tracker = 0
            self._growth_tracker = tracker
        self._per_optimizer_states = {}

    def get_scale(self) -> float:
        if self._enabled:
            return self._init_scale if self._scale is None else float(self._scale._data)
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else int(
                self._growth_tracker)
        return 0

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor,
                    "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = state_dict["scale"]
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]


autocast.__module__ = GradScaler.__module__ = "torch.amp"

# torch.amp.autocast_mode / grad_scaler, loaded on first use
__getattr__, __dir__ = lazy_submodules(__name__, ("autocast_mode", "grad_scaler"))


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"`{old}(args...)` is deprecated. Please use `{new}args...)` instead.",
                  FutureWarning, stacklevel=3)


def cpu_autocast(enabled: bool = True, dtype: Any = None, cache_enabled: bool = True
                 ) -> autocast:
    """``torch.cpu.amp.autocast`` (deprecated in torch): ``autocast("cpu", ...)``."""
    _deprecated("torch.cpu.amp.autocast", "torch.amp.autocast('cpu', ")
    return autocast("cpu", dtype=dtype if dtype is not None else dtypes.NAMES["bfloat16"],
                    enabled=enabled, cache_enabled=cache_enabled)


def cpu_grad_scaler(init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                    backoff_factor: float = 0.5, growth_interval: int = 2000,
                    enabled: bool = True) -> GradScaler:
    """``torch.cpu.amp.GradScaler`` (deprecated in torch): ``GradScaler("cpu", ...)``."""
    _deprecated("torch.cpu.amp.GradScaler", "torch.amp.GradScaler('cpu', ")
    return GradScaler("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


def cuda_autocast(enabled: bool = True, dtype: Any = None, cache_enabled: bool = True
                  ) -> autocast:
    """``torch.cuda.amp.autocast`` (deprecated): disabled on a CPU build, with torch's
    warning."""
    _deprecated("torch.cuda.amp.autocast", "torch.amp.autocast('cuda', ")
    return autocast("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


def cuda_grad_scaler(init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                     backoff_factor: float = 0.5, growth_interval: int = 2000,
                     enabled: bool = True) -> GradScaler:
    """``torch.cuda.amp.GradScaler`` (deprecated): disabled on a CPU build."""
    _deprecated("torch.cuda.amp.GradScaler", "torch.amp.GradScaler('cuda', ")
    return GradScaler("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                      enabled)
