"""``torch.nn.utils.rnn``: variable-length sequences padded and packed.

``pad_sequence`` / ``unpad_sequence`` (one ``CopySlices`` per sequence written into the padded
tensor; ``UnbindBackward0`` and a masked ``IndexBackward0`` per sequence read back), and the
packed form the recurrent layers take: ``PackedSequence``, ``pack_padded_sequence`` (ATen's
``_pack_padded_sequence``, node ``PackPaddedSequenceBackward0``), ``pad_packed_sequence``
(ATen's composite), ``pack_sequence``, ``unpack_sequence``, ``invert_permutation``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from adcli.engine import creation, dtypes, ops
from adcli.engine.errors import InvalidArgumentError, InvalidValueError
from adcli.engine.ops import recurrent
from adcli.engine.ranges import arange
from adcli.engine.tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence_(NamedTuple):  # noqa: N801 - torch's name
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """The data and batch sizes of a packed batch of sequences (made by ``pack_padded_sequence``
    or ``pack_sequence``; every recurrent layer takes one and returns one)."""

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, list | tuple) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data[0], data[1]
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def __init__(self, data: Any, batch_sizes: Tensor | None = None,
                 sorted_indices: Tensor | None = None,
                 unsorted_indices: Tensor | None = None) -> None:
        pass  # everything happens in __new__ (kept for the signature)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` converted (the indices follow its device; ``batch_sizes`` stays)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to(*args, **kwargs)

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        kwargs["device"] = "cuda"
        return self.to(*args, **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=dtypes.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=dtypes.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=dtypes.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=dtypes.int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=dtypes.int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=dtypes.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=dtypes.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        # CPU-only: nothing is pinned (read from data when Tensor has is_pinned)
        pinned = getattr(self.data, "is_pinned", None)
        return bool(pinned()) if pinned is not None else False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation (``None`` for ``None``), by ``scatter_`` as torch."""
    if permutation is None:
        return None
    output = creation.empty_like(permutation)
    output.scatter_(0, permutation, arange(0, permutation.numel()))
    return output


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) or (B, T, *) of sequences of the given lengths.

    With ``enforce_sorted`` the lengths must decrease; otherwise the batch is sorted first
    (``index_select``) and the permutation kept in the result."""
    if not isinstance(lengths, Tensor):
        lengths = ops.as_tensor(lengths, dtype=dtypes.int64)
    else:
        lengths = lengths.to(dtype=dtypes.int64)
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = ops.sort(lengths, descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = recurrent._pack_padded_sequence(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The padded batch of a packed one and the sequences' lengths, in the original order."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_seq_length}")
        max_seq_length = total_length
    padded, lengths = recurrent._pad_packed_sequence(sequence.data, sequence.batch_sizes,
                                                     batch_first, padding_value, max_seq_length)
    if sequence.unsorted_indices is not None:
        return (padded.index_select(0 if batch_first else 1, sequence.unsorted_indices),
                lengths[sequence.unsorted_indices.cpu()])
    return padded, lengths


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = ops.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences of a packed batch (``pad_packed_sequence``, ``unpad_sequence``)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences of different lengths (dim 0) stacked into one padded tensor.

    The result is (T, B, *) or, with ``batch_first``, (B, T, *), filled with
    ``padding_value``; as in ATen's pad_sequence, each sequence is copied into a slice of it."""
    if not isinstance(sequences, Iterable):
        raise InvalidArgumentError("pad_sequence: Expected iterable for input sequences, but got "
                                   f"arg of type: {type(sequences)}")
    seqs = tuple(sequences)
    if not seqs:
        raise InvalidArgumentError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise InvalidArgumentError("Expected padding_side to be one of left or right, but got "
                                   f"{padding_side}.")
    first = seqs[0]
    if first.dim() == 0:
        raise InvalidArgumentError("ArrayRef: invalid slice, N = 1; size = 0")
    max_len = max(s.size(0) for s in seqs)
    trailing = tuple(first.shape[1:])
    dims = (len(seqs), max_len, *trailing) if batch_first else (max_len, len(seqs), *trailing)
    out = creation.full(dims, padding_value, dtype=first.dtype)
    for i, seq in enumerate(seqs):
        n = seq.size(0)
        start = max_len - n if padding_side == "left" else 0
        if batch_first:
            part = out.select(0, i).narrow(0, start, n)
        else:
            part = out.narrow(0, start, n).select(1, i)
        part.copy_(seq)
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded tensor, each cut to its length (a boolean mask, as torch).

    As torch's, a time-first input is transposed in place first."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = arange(padded_sequences.shape[1])
    rows, lens = padded_sequences.unbind(0), list(lengths)
    if len(rows) != len(lens):  # torch zips them with strict=True
        which = "shorter" if len(lens) < len(rows) else "longer"
        raise InvalidValueError(f"zip() argument 2 is {which} than argument 1")
    return [seq[ops.lt(idx, length)] for seq, length in zip(rows, lens)]
