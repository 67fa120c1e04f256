"""``torch.backends.openmp``: a CPU build of torch is built with OpenMP."""


def is_available() -> bool:
    r"""Return whether PyTorch is built with OpenMP support (a CPU build is)."""
    return True
