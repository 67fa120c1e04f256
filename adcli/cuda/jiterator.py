"""``torch.cuda.jiterator``: compiles CUDA kernels at run time; no public names."""

__all__: list[str] = []
