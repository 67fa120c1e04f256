"""Recurrent cells and layers: ``torch.rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell``,
``gru_cell`` and the multi-layer ``torch.rnn_tanh``, ``rnn_relu``, ``lstm``, ``gru`` that
``nn.RNN``/``LSTM``/``GRU`` call.

Composites with no table ops of their own: each records the ops torch's CPU implementation
(aten/src/ATen/native/RNN.cpp) records - the cells' ``linear`` (Addmm), ``add``,
``unsafe_chunk``, ``sigmoid``/``tanh``, ``mul``; the layers project the whole sequence through
``linear`` once, ``unbind`` it into steps, run the cell and ``stack`` the outputs. One
difference: torch runs ``torch.lstm`` on float32 CPU through oneDNN's fused kernel
(``MkldnnRnnLayerBackward0``); adcli records the cell ops there too (float64 matches torch's
graph; float32 values and gradients agree to rounding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .activations import dropout, relu
from .arithmetic import add, mul, sub
from .linalg import linear, matmul
from .pointwise import sigmoid, tanh
from .shape import cat, stack, t, transpose, unbind, unsafe_chunk
from .shape_inplace import transpose_

# ==============================================================================================
# cells (one step)
# ==============================================================================================


def _check_input(input: Tensor, input_size: int) -> None:
    if input.shape[1] != input_size:
        raise InvalidArgumentError(
            f"input has inconsistent input_size: got {input.shape[1]} expected {input_size}")


def _check_hidden(input: Tensor, hx: Tensor, hidden_size: int, label: int) -> None:
    if input.shape[0] != hx.shape[0]:
        raise InvalidArgumentError(f"Input batch size {input.shape[0]} doesn't match hidden{label}"
                                   f" batch size {hx.shape[0]}")
    if hx.shape[1] != hidden_size:
        raise InvalidArgumentError(f"hidden{label} has inconsistent hidden_size: got "
                                   f"{hx.shape[1]}, expected {hidden_size}")


def _check_weights(w_ih: Tensor, w_hh: Tensor, hidden_size: int, gates: int) -> None:
    for name, w in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if w.shape[0] != gates * hidden_size:
            raise InvalidArgumentError(
                f"{name} first dim must be {gates} * hidden_size = {gates * hidden_size}, but "
                f"got {w.shape[0]}")


class _Params:
    """One direction of one layer: torch's CellParams (w_hr only for LSTM projections)."""

    def __init__(self, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None,
                 w_hr: Tensor | None = None) -> None:
        self.w_ih, self.w_hh, self.b_ih, self.b_hh, self.w_hr = w_ih, w_hh, b_ih, b_hh, w_hr

    def ih(self, x: Tensor) -> Tensor:
        return linear(x, self.w_ih, self.b_ih)

    def hh(self, h: Tensor) -> Tensor:
        return linear(h, self.w_hh, self.b_hh)

    def hr(self, h: Tensor) -> Tensor:
        return h if self.w_hr is None else matmul(h, t(self.w_hr))


# A cell takes (step input, hidden, params, precomputed): with precomputed, the step input is
# already ``linear(x, w_ih, b_ih)`` (the layers project the whole sequence at once, as torch).
def _simple_cell(nonlinearity: Any) -> Any:
    def cell(x: Tensor, h: Tensor, p: _Params, pre: bool = False) -> Tensor:
        return nonlinearity(add(p.hh(h), x if pre else p.ih(x)))
    return cell


_tanh_cell = _simple_cell(tanh)
_relu_cell = _simple_cell(relu)


def _lstm_cell(x: Tensor, hidden: tuple[Tensor, Tensor], p: _Params,
               pre: bool = False) -> tuple[Tensor, Tensor]:
    hx, cx = hidden
    gates = add(p.hh(hx), x if pre else p.ih(x))
    i, f, g, o = unsafe_chunk(gates, 4, 1)
    i, f, g, o = sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)
    cy = add(mul(f, cx), mul(i, g))
    hy = mul(o, tanh(cy))
    return p.hr(hy), cy


def _gru_cell(x: Tensor, h: Tensor, p: _Params, pre: bool = False) -> Tensor:
    ir, ii, in_ = unsafe_chunk(x if pre else p.ih(x), 3, 1)
    hr, hi, hn = unsafe_chunk(p.hh(h), 3, 1)
    reset = sigmoid(add(hr, ir))
    update = sigmoid(add(hi, ii))
    new = tanh(add(in_, mul(hn, reset)))
    return add(mul(sub(h, new), update), new)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    _check_weights(w_ih, w_hh, w_hh.shape[1], 1)
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    return _tanh_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman step with ReLU: ``relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    _check_weights(w_ih, w_hh, w_hh.shape[1], 1)
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    return _relu_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step: returns ``(h', c')`` (gates i, f, g, o in that order, as torch)."""
    if len(hx) != 2:
        raise InvalidArgumentError("lstm_cell expects two hidden states")
    hidden = w_hh.shape[1]
    _check_input(input, w_ih.shape[1])
    _check_weights(w_ih, w_hh, hidden, 4)
    _check_hidden(input, hx[0], hidden, 0)
    _check_hidden(input, hx[1], hidden, 1)
    return _lstm_cell(input, (hx[0], hx[1]), _Params(w_ih, w_hh, b_ih, b_hh))


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (gates r, z, n in that order, as torch)."""
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    _check_weights(w_ih, w_hh, w_hh.shape[1], 3)
    return _gru_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


# ==============================================================================================
# layers (whole sequences, stacked, both directions)
# ==============================================================================================


def _gather(params: Sequence[Tensor], has_biases: bool, has_projections: bool) -> list[_Params]:
    """The flat weight list (weight_ih_l0, weight_hh_l0, bias_ih_l0, ...) in torch's order."""
    n = (4 if has_biases else 2) + (1 if has_projections else 0)
    if len(params) % n:
        raise InvalidArgumentError("got an incorrect number of RNN parameters")
    out = []
    for k in range(0, len(params), n):
        w = list(params[k:k + n])
        b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
        out.append(_Params(w[0], w[1], b_ih, b_hh, w[-1] if has_projections else None))
    return out


def _output(hidden: Any) -> Tensor:
    return hidden[0] if isinstance(hidden, tuple) else hidden


def _run(cell: Any, steps: Sequence[Tensor], hidden: Any, p: _Params) -> tuple[list[Tensor], Any]:
    outs = []
    for x in steps:
        hidden = cell(x, hidden, p, True)
        outs.append(_output(hidden))
    if not outs:
        raise InvalidArgumentError("Expected sequence length to be larger than 0 in RNN")
    return outs, hidden


def _layer(cell: Any, input: Tensor, hiddens: list[Any], params: list[_Params]) -> tuple[Tensor,
                                                                                          list[Any]]:
    """One layer, one or two directions (torch's FullLayer / FullBidirectionalLayer on CPU)."""
    outs, final = _run(cell, unbind(params[0].ih(input), 0), hiddens[0], params[0])
    output = stack(outs, 0)
    if len(params) == 1:
        return output, [final]
    rev_outs, rev_final = _run(cell, unbind(params[1].ih(input), 0)[::-1], hiddens[1], params[1])
    return cat([output, stack(rev_outs[::-1], 0)], output.dim() - 1), [final, rev_final]


def _check_stack(hiddens: list[Any], params: list[Any], n: int) -> None:
    """apply_layer_stack's checks: a hidden state and a weight set per layer and direction."""
    if len(hiddens) != n:
        raise InvalidArgumentError("Expected more hidden states in stacked_rnn")
    if len(params) != n:
        raise InvalidArgumentError("Expected more weights in stacked_rnn")


def _stack_layers(cell: Any, input: Tensor, hiddens: list[Any], params: list[_Params],
                  num_layers: int, dropout_p: float, train: bool,
                  bidirectional: bool) -> tuple[Tensor, list[Any]]:
    """torch's apply_layer_stack: dropout on each layer's output but the last one's."""
    d = 2 if bidirectional else 1
    _check_stack(hiddens, params, num_layers * d)
    finals: list[Any] = []
    x = input
    for layer in range(num_layers):
        x, final = _layer(cell, x, hiddens[layer * d:(layer + 1) * d],
                          params[layer * d:(layer + 1) * d])
        finals += final
        if dropout_p != 0 and train and layer < num_layers - 1:
            x = dropout(x, dropout_p, True)
    return x, finals


def _one_hidden(cell: Any) -> Any:
    def rnn(input: Tensor, hx: Tensor, params: Sequence[Tensor], has_biases: bool,
            num_layers: int, dropout: float, train: bool, bidirectional: bool,
            batch_first: bool) -> tuple[Tensor, Tensor]:
        if isinstance(params, Tensor):  # torch's packed overload: (data, batch_sizes, hx, ...)
            packed_args = (input, hx, params, has_biases, num_layers, dropout, train,
                           bidirectional, batch_first)
            return _packed_one_hidden(cell, *packed_args)
        x = transpose(input, 0, 1) if batch_first else input
        output, finals = _stack_layers(cell, x, list(unbind(hx, 0)),
                                       _gather(params, has_biases, False), num_layers, dropout,
                                       train, bidirectional)
        if batch_first:
            output = transpose_(output, 0, 1)  # in place, as torch's RNN.cpp
        return output, stack(finals, 0)
    return rnn


rnn_tanh = _one_hidden(_tanh_cell)
rnn_tanh.__name__ = rnn_tanh.__qualname__ = "rnn_tanh"
rnn_tanh.__doc__ = "A stack of Elman (tanh) layers over a padded sequence: (output, h_n)."
rnn_relu = _one_hidden(_relu_cell)
rnn_relu.__name__ = rnn_relu.__qualname__ = "rnn_relu"
rnn_relu.__doc__ = "A stack of Elman (ReLU) layers over a padded sequence: (output, h_n)."
gru = _one_hidden(_gru_cell)
gru.__name__ = gru.__qualname__ = "gru"
gru.__doc__ = "A stack of GRU layers over a padded sequence: (output, h_n)."


def lstm(input: Tensor, hx: Sequence[Tensor], params: Sequence[Tensor], has_biases: bool,
         num_layers: int, dropout: float, train: bool, bidirectional: bool,
         batch_first: bool) -> tuple[Tensor, Tensor, Tensor]:
    """A stack of LSTM layers over a padded sequence: (output, h_n, c_n); projections when
    ``h_0``'s last size differs from ``c_0``'s (``proj_size``). As torch's, also the packed
    overload ``lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
    bidirectional)``."""
    if isinstance(hx, Tensor):
        return _packed_lstm(input, hx, params, has_biases, num_layers, dropout, train,  # type: ignore[arg-type]
                            bidirectional, batch_first)
    if len(hx) != 2:
        raise InvalidArgumentError("lstm expects two hidden states")
    d = 2 if bidirectional else 1
    for k, (h, name) in enumerate(zip(hx, ("h_0", "c_0"))):
        if h.dim() != 3:
            raise InvalidArgumentError(f"For batched 3-D input, hx[{k}] ({name}) should be 3-D "
                                       f"but got {h.dim()}-D tensor")
    for h, name in zip(hx, ("h_0", "c_0")):
        if h.shape[0] != num_layers * d:
            raise InvalidArgumentError(
                f"Expected {name} size(0) to be {num_layers * d} (num_layers * num_directions), "
                f"but got {h.shape[0]}")
    projections = hx[0].shape[2] != hx[1].shape[2]
    x = transpose(input, 0, 1) if batch_first else input
    hiddens = list(zip(unbind(hx[0], 0), unbind(hx[1], 0)))
    output, finals = _stack_layers(_lstm_cell, x, hiddens,
                                   _gather(params, has_biases, projections), num_layers,
                                   dropout, train, bidirectional)
    if batch_first:
        output = transpose(output, 0, 1)
    return (output, stack([h for h, _ in finals], 0), stack([c for _, c in finals], 0))


# ==============================================================================================
# packed sequences: torch._pack_padded_sequence (a table op) and the packed layers
# ==============================================================================================


def _check_long(t: np.ndarray, name: str = "lengths") -> None:
    if t.ndim != 1 or t.dtype != np.int64:
        raise InvalidArgumentError(
            f"'{name}' argument should be a 1D CPU int64 tensor, but got {t.ndim}D cpu "
            f"{scalar_type_name(t.dtype)} tensor")


def _pack_forward(a: np.ndarray, lengths: np.ndarray, batch_first: bool) -> Any:
    """ATen's _pack_padded_sequence: the valid steps of (T, B, *) packed time-major, and the
    batch size of every step (lengths sorted in decreasing order)."""
    x = np.swapaxes(a, 0, 1) if batch_first else a
    lens = [int(v) for v in lengths]
    batch_sizes = np.array([sum(1 for n in lens if n > step) for step in range(lens[0])],
                           dtype=np.int64)
    steps = [x[step, :int(b)] for step, b in enumerate(batch_sizes)]
    data = np.concatenate(steps, 0) if steps else np.empty((0, *x.shape[2:]), x.dtype)
    return np.ascontiguousarray(data), batch_sizes


def _pack_backward_np(g: np.ndarray, in_shape: tuple[int, ...], batch_sizes: np.ndarray,
                      batch_first: bool) -> np.ndarray:
    shape = list(in_shape)
    if batch_first:
        shape[0], shape[1] = shape[1], shape[0]
    out = np.zeros(shape, dtype=g.dtype)
    offset = 0
    for step, b in enumerate(int(v) for v in batch_sizes):
        out[step, :b] = g[offset:offset + b]
        offset += b
    return np.swapaxes(out, 0, 1) if batch_first else out


def _B_pack_padded_sequence_backward(g: Tensor, in_shape: tuple[int, ...],
                                     batch_sizes: np.ndarray, batch_first: bool) -> Tensor:
    """ATen's _pack_padded_sequence_backward, recorded (a composite: zeros, then one
    ``copy_`` into a slice per step, CopySlices nodes, and a transpose for batch_first)."""
    from ..creation import zeros
    from .shape import narrow, select

    shape = list(in_shape)
    if batch_first:
        shape[0], shape[1] = shape[1], shape[0]
    out = zeros(shape, dtype=g.dtype)
    offset = 0
    for step, b in enumerate(int(v) for v in batch_sizes):
        narrow(select(out, 0, step), 0, 0, b).copy_(narrow(g, 0, offset, b))
        offset += b
    return transpose(out, 0, 1) if batch_first else out


_N_pack_padded_sequence_backward = _pack_backward_np

pack_padded_sequence_op = defop(
    "_pack_padded_sequence", "PackPaddedSequenceBackward0", _pack_forward,
    extras=("batch_sizes",), torch="torch.nn.utils.rnn.pack_padded_sequence")


@pack_padded_sequence_op.grad("self")
def _pack_grad(g, s, B):
    "_pack_padded_sequence_backward(grad, input.sym_sizes(), result1, batch_first)"
    return B.pack_padded_sequence_backward(g, s.in_shape, s.batch_sizes, s.batch_first)


def _pack_padded_sequence(input: Tensor, lengths: Tensor,
                          batch_first: bool) -> tuple[Tensor, Tensor]:
    """``torch._pack_padded_sequence``: ``(data, batch_sizes)`` with ATen's checks."""
    lens = np.ascontiguousarray(lengths._data)
    _check_long(lens)
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise InvalidArgumentError(f"Dimension out of range (expected to be in range of "
                                   f"[-{len(shape)}, {len(shape) - 1}], but got 1)")
    batch = shape[0] if batch_first else shape[1]
    if input.numel() == 0:
        raise InvalidArgumentError("Cannot pack empty tensors.")
    if lens.shape[0] != batch:
        raise InvalidArgumentError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                                   f"{lens.shape[0]} (batch_size={batch})")
    if lens[batch - 1] <= 0:
        raise InvalidArgumentError("Length of all samples has to be greater than 0, but found "
                                   "an element in 'lengths' that is <= 0")
    if np.any(lens[1:] > lens[:-1]):
        raise InvalidArgumentError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    data, batch_sizes = pack_padded_sequence_op(input, lengths=lens, batch_first=batch_first)
    return data, batch_sizes


def _pad_packed_sequence(data: Tensor, batch_sizes: Tensor, batch_first: bool,
                         padding_value: float, total_length: int) -> tuple[Tensor, Tensor]:
    """``torch._pad_packed_sequence``: ATen's composite (a filled tensor, one ``copy_`` into
    a slice per run of equal batch sizes, so CopySlices nodes; a transpose for batch_first)."""
    from ..creation import full, tensor
    from .shape import narrow, view

    sizes = np.ascontiguousarray(batch_sizes._data)
    _check_long(sizes, "lengths")
    bs = [int(v) for v in sizes]
    max_batch, max_real = bs[0], len(bs)
    max_len = max_real
    if total_length > 0:
        if total_length < max_len:
            raise InvalidArgumentError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}")
        max_len = total_length
    trailing = tuple(data.shape[1:])
    output = full((max_len, max_batch, *trailing), padding_value, dtype=data.dtype)
    lengths = [0] * max_batch
    pos = max_batch - 1
    offset, prev_b, prev_i = 0, max_batch, 0
    for i in range(max_real + 1):
        b = bs[i] if i != max_real else 0
        if b != prev_b:
            n = prev_b * (i - prev_i)
            chunk = view(narrow(data, 0, offset, n), (i - prev_i, prev_b, *trailing))
            narrow(narrow(output, 0, prev_i, i - prev_i), 1, 0, prev_b).copy_(chunk)
            offset += n
            prev_i = i
        for _ in range(prev_b - b):
            lengths[pos] = i
            pos -= 1
        prev_b = b
    if batch_first:
        output = transpose(output, 0, 1)
    return output, tensor(lengths, dtype="int64")


def _hidden_slice(h: Any, start: int, end: int) -> Any:
    from .shape import narrow

    if isinstance(h, tuple):
        return (narrow(h[0], 0, start, end - start), narrow(h[1], 0, start, end - start))
    return narrow(h, 0, start, end - start)


def _hidden_concat(hs: list[Any]) -> Any:
    if isinstance(hs[0], tuple):
        return (cat([h[0] for h in hs], 0), cat([h[1] for h in hs], 0))
    return cat(hs, 0)


def _packed_layer(cell: Any, data: Tensor, bs: list[int], hidden: Any, p: _Params,
                  reverse: bool) -> tuple[Tensor, Any]:
    """torch's PackedLayer / ReversedPackedLayer: the step inputs are slices of the projected
    data; the hidden state shrinks (forward) or grows (reverse) with the batch size."""
    from .shape import narrow

    x = p.ih(data)
    outs: list[Tensor] = []
    if not reverse:
        finished: list[Any] = []
        offset, last = 0, bs[0]
        for b in bs:
            step = narrow(x, 0, offset, b)
            offset += b
            if last - b > 0:
                finished.append(_hidden_slice(hidden, b, last))
                hidden = _hidden_slice(hidden, 0, b)
            last = b
            hidden = cell(step, hidden, p, True)
            outs.append(_output(hidden))
        finished.append(hidden)
        return cat(outs, 0), _hidden_concat(finished[::-1])
    initial = hidden
    offset, last = data.shape[0], bs[-1]
    hidden = _hidden_slice(initial, 0, bs[-1])
    for b in bs[::-1]:
        if b - last > 0:
            hidden = _hidden_concat([hidden, _hidden_slice(initial, last, b)])
        step = narrow(x, 0, offset - b, b)
        offset -= b
        last = b
        hidden = cell(step, hidden, p, True)
        outs.append(_output(hidden))
    return cat(outs[::-1], 0), hidden


def _packed_stack(cell: Any, data: Tensor, batch_sizes: Tensor, hiddens: list[Any],
                  params: list[_Params], num_layers: int, dropout_p: float, train: bool,
                  bidirectional: bool) -> tuple[Tensor, list[Any]]:
    """apply_layer_stack over PackedLayer (or PackedBidirectionalLayer)."""
    bs = [int(v) for v in np.asarray(batch_sizes._data)]
    d = 2 if bidirectional else 1
    _check_stack(hiddens, params, num_layers * d)
    finals: list[Any] = []
    x = data
    for layer in range(num_layers):
        out, final = _packed_layer(cell, x, bs, hiddens[layer * d], params[layer * d], False)
        finals.append(final)
        if bidirectional:
            rev, rev_final = _packed_layer(cell, x, bs, hiddens[layer * d + 1],
                                           params[layer * d + 1], True)
            out = cat([out, rev], -1)
            finals.append(rev_final)
        x = out
        if dropout_p != 0 and train and layer < num_layers - 1:
            x = dropout(x, dropout_p, True)
    return x, finals


def _packed_one_hidden(cell: Any, data: Tensor, batch_sizes: Tensor, hx: Tensor,
                       params: Sequence[Tensor], has_biases: bool, num_layers: int,
                       dropout_p: float, train: bool, bidirectional: bool) -> tuple[Tensor, Tensor]:
    output, finals = _packed_stack(cell, data, batch_sizes, list(unbind(hx, 0)),
                                   _gather(params, has_biases, False), num_layers, dropout_p,
                                   train, bidirectional)
    return output, stack(finals, 0)


def _packed_lstm(data: Tensor, batch_sizes: Tensor, hx: Sequence[Tensor],
                 params: Sequence[Tensor], has_biases: bool, num_layers: int, dropout_p: float,
                 train: bool, bidirectional: bool) -> tuple[Tensor, Tensor, Tensor]:
    if len(hx) != 2:
        raise InvalidArgumentError("lstm expects two hidden states")
    hiddens = list(zip(unbind(hx[0], 0), unbind(hx[1], 0)))
    projections = hx[0].shape[2] != hx[1].shape[2]
    output, finals = _packed_stack(_lstm_cell, data, batch_sizes, hiddens,
                                   _gather(params, has_biases, projections), num_layers,
                                   dropout_p, train, bidirectional)
    return output, stack([h for h, _ in finals], 0), stack([c for _, c in finals], 0)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "rnn_tanh_cell": rnn_tanh_cell, "rnn_relu_cell": rnn_relu_cell, "lstm_cell": lstm_cell,
    "gru_cell": gru_cell, "rnn_tanh": rnn_tanh, "rnn_relu": rnn_relu, "lstm": lstm, "gru": gru,
}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
