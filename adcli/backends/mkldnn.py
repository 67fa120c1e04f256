"""``torch.backends.mkldnn`` as a CPU build reports it: oneDNN is built in, and its switches
(``enabled``, ``deterministic``, ``allow_tf32``, the fp32 precisions) are stored and read back.
adcli's kernels are NumPy's, so the switches change no result."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

from . import _precision, mkl
from ._flags import ContextProp, allow_mutation, flag_switch, with_props

__all__ = ["VERBOSE_OFF", "VERBOSE_ON", "VERBOSE_ON_CREATION", "flags", "is_acl_available",
           "is_available", "set_flags", "verbose"]

VERBOSE_OFF = 0
VERBOSE_ON = 1
VERBOSE_ON_CREATION = 2
_STATE: dict[str, Any] = {"enabled": True, "deterministic": False}


def is_available() -> bool:
    r"""Return whether PyTorch is built with MKL-DNN support (a CPU build is)."""
    return True


def is_acl_available() -> bool:
    r"""Return whether PyTorch is built with MKL-DNN + ACL support (Arm only)."""
    return False


def _get_allow_tf32() -> None:
    """torch's CPU build answers None: TF32 on oneDNN is for Intel GPUs."""
    return None


def _set_allow_tf32(value: Any) -> None:
    warnings.warn("TF32 acceleration on top of oneDNN is available for Intel GPUs. The current "
                  "Torch version does not have Intel GPU Support.", UserWarning, stacklevel=3)


class verbose(mkl.verbose):  # noqa: N801 - torch's name
    """``with torch.backends.mkldnn.verbose(level):``: accepted; adcli has no oneDNN calls to
    log."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.level = level


def set_flags(_enabled: bool | None = None, _deterministic: bool | None = None,
              _allow_tf32: bool | None = None, _fp32_precision: str | None = "none") -> tuple:
    orig = (_STATE["enabled"], _STATE["deterministic"], _get_allow_tf32(),
            _precision.get_precision("mkldnn", "all"))
    if _enabled is not None:
        _STATE["enabled"] = _enabled
    if _deterministic is not None:
        _STATE["deterministic"] = _deterministic
    if _allow_tf32 is not None:
        _set_allow_tf32(_allow_tf32)
    if _fp32_precision is not None:
        _precision.set_precision("mkldnn", "all", _fp32_precision)
    return orig


@contextlib.contextmanager
def flags(enabled: bool = False, deterministic: bool = False, allow_tf32: bool = True,
          fp32_precision: str = "none") -> Iterator[None]:
    with allow_mutation():
        orig = set_flags(enabled, deterministic, allow_tf32, fp32_precision)
    try:
        yield
    finally:
        with allow_mutation():
            set_flags(*orig)


with_props(
    __name__,
    enabled=flag_switch(_STATE, "enabled"),
    deterministic=flag_switch(_STATE, "deterministic"),
    allow_tf32=ContextProp(_get_allow_tf32, _set_allow_tf32),
    matmul=_precision.FP32Precision("mkldnn", "matmul"),
    conv=_precision.FP32Precision("mkldnn", "conv"),
    rnn=_precision.FP32Precision("mkldnn", "rnn"),
    fp32_precision=ContextProp(lambda: _precision.get_precision("mkldnn", "all"),
                               lambda v: _precision.set_precision("generic", "all", v)),
)
