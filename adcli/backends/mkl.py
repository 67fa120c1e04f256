"""``torch.backends.mkl``: a CPU build of torch has MKL; adcli's kernels are NumPy's, so
``verbose`` has nothing to log."""

from __future__ import annotations

from typing import Any

__all__ = ["VERBOSE_OFF", "VERBOSE_ON", "is_available", "verbose"]

VERBOSE_OFF = 0
VERBOSE_ON = 1


def is_available() -> bool:
    r"""Return whether PyTorch is built with MKL support (a CPU build is)."""
    return True


class verbose:  # noqa: N801 - torch's name
    """``with torch.backends.mkl.verbose(level):``: accepted; adcli has no MKL calls to log."""

    def __init__(self, enable: int) -> None:
        self.enable = enable

    def __enter__(self) -> Any:
        if self.enable == VERBOSE_OFF:
            return None
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        return False
