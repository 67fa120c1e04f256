"""``torch.cuda.sparse``: the legacy sparse CUDA tensor types, which a CPU build cannot make."""

from ._legacy import SPARSE_TENSOR_TYPES

globals().update(SPARSE_TENSOR_TYPES)
__all__ = sorted(SPARSE_TENSOR_TYPES)
