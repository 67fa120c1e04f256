"""``torch.backends.cuda`` as a CPU-only build has it: not built; the
``scaled_dot_product_attention`` backend switches (``enable_flash_sdp`` ...), which
``torch.nn.attention.sdpa_kernel`` sets too."""

from __future__ import annotations

from adcli.engine.ops.attention import SDP_ENABLED

__all__ = [
    "cudnn_sdp_enabled", "enable_cudnn_sdp", "enable_flash_sdp", "enable_math_sdp",
    "enable_mem_efficient_sdp", "flash_sdp_enabled", "is_built", "math_sdp_enabled",
    "mem_efficient_sdp_enabled",
]


def is_built() -> bool:
    """Whether PyTorch was built with CUDA: never, here."""
    return False


def flash_sdp_enabled() -> bool:
    """Whether scaled_dot_product_attention may use the flash attention kernel."""
    return SDP_ENABLED["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Allow or forbid the flash attention kernel in scaled_dot_product_attention."""
    SDP_ENABLED["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """Whether scaled_dot_product_attention may use the memory-efficient attention kernel."""
    return SDP_ENABLED["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Allow or forbid the memory-efficient attention kernel in scaled_dot_product_attention."""
    SDP_ENABLED["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """Whether scaled_dot_product_attention may use the math (reference) attention path."""
    return SDP_ENABLED["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Allow or forbid the math (reference) attention path in scaled_dot_product_attention."""
    SDP_ENABLED["math"] = bool(enabled)


def cudnn_sdp_enabled() -> bool:
    """Whether scaled_dot_product_attention may use the cuDNN attention kernel."""
    return SDP_ENABLED["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Allow or forbid the cuDNN attention kernel in scaled_dot_product_attention."""
    SDP_ENABLED["cudnn"] = bool(enabled)
