"""The op families: one module per family of ops, each holding the family's table entries
(forward + one derivative formula per input, declared with ``defop``) *and* its public
functions, with the names it adds to ``torch.*`` (``TORCH``), ``Tensor.*`` (``METHODS``) and
``torch.nn.functional.*`` (``FUNCTIONAL``) at its end.

Importing this package loads every family (filling the op table, ``engine/table.py``) and
hands the formula namespaces (``engine/backend.py``) what they run on.
"""

from __future__ import annotations

from typing import Any

from .. import batched
from ..backend import NUMPY, TENSORS
from . import (
    activations,
    arithmetic,
    arrange,
    attention,
    bitwise,
    blas,
    bookkeeping,
    compare_inplace,
    complex_parts,
    conv,
    conv_extra,
    conversion,
    ctc,
    decomp,
    eig,
    embedding_bag,
    fft_ops,
    gamma_inc,
    grid_sample,
    householder,
    index_write,
    indexing,
    inplace,
    ldl,
    linalg,
    linalg_api,
    linalg_more,
    lobpcg,
    losses,
    lowrank,
    margin_losses,
    nn_random,
    norm_backward,
    normalization,
    norms_extra,
    numeric_extra,
    order,
    padding,
    pointwise,
    pointwise_misc,
    pointwise_multi,
    pooling,
    pooling_extra,
    predicates,
    recurrent,
    reductions,
    resample,
    scan_sort,
    scatter,
    searching,
    segment,
    shape,
    shape_inplace,
    shrink,
    solvers,
    special_fns,
    special_poly,
    spectral,
    stacking,
    statistics,
    strided,
    tensor_state,
    torch_forms,
    torch_misc,
    torch_more,
    unique,
    unpooling,
    view_copy,
    windows,
)
from .kernels import KERNELS

FAMILIES = (conversion, arithmetic, pointwise, pointwise_multi, activations, reductions, linalg,
            shape, indexing, scatter, scan_sort, order, losses, conv, pooling, norm_backward,
            normalization, inplace, recurrent, predicates, stacking, searching, shrink, attention,
            decomp, solvers, linalg_api, special_fns, blas, statistics, arrange, margin_losses,
            resample, unpooling, pointwise_misc, shape_inplace, unique, bitwise,
            index_write, padding, strided, gamma_inc, complex_parts, compare_inplace,
            norms_extra, pooling_extra, nn_random, windows, torch_forms, bookkeeping,
            grid_sample,
            ctc, view_copy, embedding_bag, linalg_more, householder, special_poly, ldl,
            lowrank, lobpcg, torch_misc, numeric_extra, segment, conv_extra,
            torch_more, tensor_state, fft_ops, eig, spectral)

TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
for _family in FAMILIES:
    for _table, _names in ((TORCH, _family.TORCH), (METHODS, _family.METHODS),
                           (FUNCTIONAL, _family.FUNCTIONAL)):
        for _name, _fn in _names.items():
            if _table.get(_name, _fn) is not _fn:
                raise ValueError(f"{_name!r} is exported by two op families")
            _table[_name] = _fn

# Under create_graph=True a formula's ``B.<name>`` is the public op ``torch.<name>``, or the
# family's ``_B_<name>`` where the recorded form takes other arguments (B.sum_to, B.getitem).
TENSORS.register(TORCH)
TENSORS.register({name[3:]: fn for family in FAMILIES for name, fn in vars(family).items()
                  if name.startswith("_B_")})
NUMPY.register({"im2col": conv._im2col, "col2im": conv._col2im})
# A backward kernel a formula calls (B.threshold_backward, ...): its NumPy function on arrays,
# the recorded kernel op under create_graph (kernels.py).
NUMPY.register({name: fns[0] for name, fns in KERNELS.items()})
TENSORS.register({name: fns[1] for name, fns in KERNELS.items()})
# What a formula calls on arrays that is neither a kernel nor a NumPy function (the linalg
# solvers, diag_embed, special functions): a family's ``_N_<name>``.
NUMPY.register({name[3:]: fn for family in FAMILIES for name, fn in vars(family).items()
                if name.startswith("_N_")})

# ``adcli.engine.ops.<name>`` is ``torch.<name>``, and the other public functions of the
# families (the in-place forms, view, expand, ...) are here too; a family's name stays its own.
globals().update({name: fn for name, fn in TORCH.items() if name not in globals()})
for _family in FAMILIES:
    globals().update({name: fn for name, fn in vars(_family).items()
                      if not name.startswith("_") and name not in globals()
                      and str(getattr(fn, "__module__", "")).startswith(__name__ + ".")})

batched.stack_fn[0] = shape.stack  # grad(is_grads_batched=True, create_graph=True) records it
