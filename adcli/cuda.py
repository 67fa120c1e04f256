"""``torch.cuda`` as a CPU-only PyTorch build has it: nothing is available, asking fails."""

from __future__ import annotations

from typing import Any

from adcli.engine.device import NO_CUDA


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(NO_CUDA)


current_device = get_device_name = get_device_properties = get_device_capability = _fail
synchronize = set_device = init = _fail


def manual_seed(seed: int) -> None:
    """A no-op without CUDA, as in PyTorch (seeds are applied lazily there)."""


manual_seed_all = manual_seed


def empty_cache() -> None:
    """A no-op without CUDA, as in PyTorch."""


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


class amp:  # noqa: N801 - torch.cuda.amp, a namespace of torch's deprecated spellings
    """``torch.cuda.amp.autocast`` / ``GradScaler``: disabled on a CPU build, with torch's
    deprecation and CUDA warnings."""

    from adcli.amp import cuda_autocast as autocast
    from adcli.amp import cuda_grad_scaler as GradScaler
