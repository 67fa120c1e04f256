"""``torch.backends.kleidiai``: Arm's KleidiAI kernels, not in an x86 CPU build."""


def is_available() -> bool:
    r"""Return whether PyTorch is built with KleidiAI support."""
    return False
