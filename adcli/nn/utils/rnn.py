"""``pad_sequence`` and ``unpad_sequence``: variable-length sequences to one padded tensor and
back, with the graphs torch records (one ``CopySlices`` per sequence written into the padded
tensor; ``UnbindBackward0`` and a masked ``IndexBackward0`` per sequence read back)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from adcli.engine import creation, ops
from adcli.engine.errors import InvalidArgumentError, InvalidValueError
from adcli.engine.ranges import arange
from adcli.engine.tensor import Tensor

__all__ = ["pad_sequence", "unpad_sequence"]


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
