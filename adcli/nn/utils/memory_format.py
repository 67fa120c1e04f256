"""``nn.utils.convert_conv2d/3d_weight_memory_format``: torch's helpers that re-lay a
convolution's weight in a memory format. adcli's arrays are laid out row-major whatever the
format asks (``channels_last`` changes no value), so the weights keep their values and identity,
as in torch."""

from __future__ import annotations

from typing import Any

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module: Any, memory_format: Any, kinds: tuple[type, ...]) -> Any:
    if isinstance(module, kinds):
        weight_data = module.weight.detach().clone(memory_format=memory_format)
        module.weight.data = weight_data
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module: Any, memory_format: Any) -> Any:
    """Put every ``Conv2d`` / ``ConvTranspose2d`` weight in ``module`` in ``memory_format``."""
    from ..modules import Conv2d, ConvTranspose2d

    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module: Any, memory_format: Any) -> Any:
    """Put every ``Conv3d`` / ``ConvTranspose3d`` weight in ``module`` in ``memory_format``."""
    from ..modules import Conv3d, ConvTranspose3d

    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
