"""Devices as a CPU-only PyTorch build sees them: ``device``, the default device, and the
errors for asking for another device (PyTorch's own words)."""

from __future__ import annotations

from typing import Any

from .errors import AdcliError

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_CUDA = "Torch not compiled with CUDA enabled"


class device:  # noqa: N801 - mirrors torch.device
    """``device("cpu")``, ``device("cuda", 0)``, ``device("cpu:0")``: a device description.

    Only the CPU runs anything; other devices can be named but not used, as on a CPU build.
    """

    __slots__ = ("_prev", "index", "type")

    def __init__(self, type: Any = None, index: int | None = None) -> None:
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise AdcliError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_type_name(type)})")
        name, _, idx = type.partition(":")
        if name not in _TYPES:
            raise AdcliError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                             f"device string: {type}")
        if idx:
            if not idx.isdigit():
                raise AdcliError(f"Invalid device string: '{type}'")
            if index is not None:
                raise AdcliError("type (string) must not include an index because index was "
                                 f"passed explicitly: {type}")
            index = int(idx)
        if index is not None and index < 0:
            raise AdcliError("Device index must not be negative")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (other.type, other.index) == (self.type, self.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))

    # As PyTorch: ``with torch.device(d):`` makes d the default device inside.
    def __enter__(self) -> device:
        self._prev = _default[0]
        set_default_device(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _default[0] = self._prev


def _type_name(x: Any) -> str:
    return type(x).__name__


CPU = device("cpu")
_default: list[device | None] = [None]  # None: the CPU, not set explicitly


def as_device(d: Any) -> device:
    """Resolve a device argument (a device, a string, an index) without checking it runs."""
    return d if isinstance(d, device) else device(d)


def check(d: Any) -> None:
    """Raise PyTorch's CPU-build error unless ``d`` (or the default when None) is the CPU."""
    if d is None:
        d = _default[0]
        if d is None:
            return
    if d == "cpu" or d is CPU:
        return
    d = as_device(d)
    if d.type == "cpu":
        return
    if d.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise AdcliError(f"adcli runs on the CPU only: the device '{d}' is not available")


def set_default_device(d: Any) -> None:
    """The device of new tensors; only the CPU runs (``"cuda"`` fails at the first tensor,
    as in a CPU build of PyTorch). ``None`` resets it."""
    _default[0] = None if d is None else as_device(d)


def get_default_device() -> device:
    d = _default[0]
    if d is None:
        return CPU
    check(d)
    return d


def _is_dtype_name(s: str) -> bool:
    """adcli also takes dtype names (``x.to("float64")``), which no device is called."""
    from .dtypes import _ALIASES

    return s.removeprefix("torch.") in _ALIASES


def parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, bool]:
    """``Tensor.to``'s arguments: (the dtype or None, copy). Checks the device."""
    from .dtypes import dtype as dtype_cls

    unknown = set(kwargs) - {"dtype", "device", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"to() received an invalid combination of arguments - got an "
                        f"unexpected keyword argument '{sorted(unknown)[0]}'")
    dt = kwargs.get("dtype")
    copy = bool(kwargs.get("copy", False))
    check(kwargs.get("device", "cpu"))
    rest = list(args)
    if rest and hasattr(rest[0], "_data") and hasattr(rest[0], "dtype"):  # to(other)
        dt = rest.pop(0).dtype
    elif rest and ((isinstance(rest[0], device | int) and not isinstance(rest[0], bool))
                   or (isinstance(rest[0], str) and not _is_dtype_name(rest[0]))):
        check(as_device(rest.pop(0)))
    if rest and isinstance(rest[0], dtype_cls | str):
        dt = rest.pop(0)
    if rest and isinstance(rest[0], bool):  # non_blocking
        rest.pop(0)
    if rest and isinstance(rest[0], bool):
        copy = rest.pop(0)
    if rest:
        raise TypeError(f"to() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)})")
    return dt, copy
