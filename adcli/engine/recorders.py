"""The direct recorders: ``OpDef.rec1``/``rec2`` record a one- or two-input op's result in
one flat function (no argument packing, no per-call dicts), and the caches they share with
the general path (canonical shape/dtype tuples, saved Python numbers).

The recorders repeat the SavedTensor/Tensor field stores inline on purpose: a helper call per
store is what they exist to avoid (benchmarks/bench_engine.py, chain and MLP rows). Saved-tensor
hooks and inference tensors cost one check (``_check_saved[0]``) per recorded op.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any

from . import anomaly
from .grad_mode import InferenceVersion, _check_saved, _enabled, _inference
from .node import _NO_ATTRS, SavedConst, SavedTensor, next_seq, pack_saved
from .tensor import Tensor

_new = object.__new__
_NO_EDGE = (None, 0)  # an input that needs no gradient: the edge torch records as (None, 0)

# Canonical node.shapes / node.dtypes tuples, by the inputs' shapes and dtype ids (a cached
# dtype stays alive, so its id is not reused): nodes of the same shapes share one tuple, so a
# recorded op allocates fewer objects for the garbage collector to count and scan.
_SHAPES1: dict[Any, Any] = {}
_SHAPES2: dict[Any, Any] = {}
_DTYPES1: dict[Any, Any] = {}
_DTYPES2: dict[Any, Any] = {}
_SHAPES2S: dict[Any, Any] = {}  # (the direct path's: two inputs of one shape, by that shape;
_SHAPES2N: dict[Any, Any] = {}  # a tensor and a number, by the tensor's shape and dtype id)
_DTYPES2N: dict[Any, Any] = {}
# Saved Python numbers by value (separately per type: 1 == 1.0 == True): immutable, shared.
_CONST_FLOATS: dict[float, SavedConst] = {}
_CONST_INTS: dict[int, SavedConst] = {}


def _canonical(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(cache) >= 4096:  # many distinct shapes: start over rather than grow
        cache.clear()
    cache[key] = value
    return value


def _saved_const(value: Any) -> SavedConst:
    """A number saved for backward; the common Python floats and ints are shared."""
    tp = type(value)
    cache = _CONST_FLOATS if tp is float else _CONST_INTS if tp is int else None
    # (not 0.0, which equals -0.0, nor NaN, which equals nothing)
    if cache is None or not value or value != value:
        st = _new(SavedConst)
        st.data = value
        return st
    st = cache.get(value)
    if st is None:
        st = _new(SavedConst)
        st.data = value
        _canonical(cache, value, st)
    return st


def _own_copy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with a code object of its own. CPython 3.11 specialises an attribute store per
    instruction for one class: the recorders store into nodes of the op's class (MulBackward0,
    AddBackward0, ...), so one shared copy would take the generic (slow) store whenever ops
    alternate, as in any real graph."""
    return FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__)


def _record1(op: Any, t: Tensor, out: Any, attrs: dict[str, Any] | None) -> Tensor:
    """OpDef.rec1's body (each op runs its own copy, see ``_own_copy``)."""
    res = _new(Tensor)
    res._data = out
    res._grad = None
    res._vc = vc = [0]
    res._accumulator = None
    res._base = None
    res._views = None
    res._retains_grad = False
    res._leaf_hooks = None
    res._output_nr = 0
    if not (t._requires_grad and _enabled[0]):
        res._requires_grad = False
        res.grad_fn = None
        if _inference[0]:
            res._vc = InferenceVersion((0,))
        return res
    node = _new(op.node_cls)
    node.seq_nr = next_seq()
    node.attrs = attrs or _NO_ATTRS
    node.n_outputs = 1
    node._saved = None
    node._freed = False
    node._hooked = False
    if anomaly.enabled[0]:
        anomaly.record(node)
    fn = t.grad_fn
    node.next_functions = ((fn, t._output_nr),) if fn is not None else \
        ((t._grad_accumulator(), 0),)
    data = t._data
    shp = data.shape
    node.shapes = _SHAPES1.get(shp) or _canonical(_SHAPES1, shp, (shp,))
    dt = data.dtype
    node.dtypes = _DTYPES1.get(id(dt)) or _canonical(_DTYPES1, id(dt), (dt,))
    if op._save1:
        saved = node._saved = {}
        for _, name in op._save1:
            st = _new(SavedTensor)
            st.data = data
            st.vc = tvc = t._vc
            st.version = tvc[0]
            st.is_output = False
            st.output_nr = t._output_nr
            st.tensor = t
            st.view_fn = None
            saved[name] = st
    res._requires_grad = True
    res.grad_fn = node
    if op._save_result:
        st = _new(SavedTensor)
        st.data = out
        st.vc = vc
        st.version = 0
        st.is_output = True
        st.output_nr = 0
        st.tensor = None
        st.view_fn = None
        if node._saved is None:
            node._saved = {"result": st}
        else:
            node._saved["result"] = st
    if _check_saved[0]:  # saved-tensor hooks active, or inference tensors alive
        pack_saved(node, res)
    return res


def _record2(op: Any, a: Tensor, b: Any, out: Any, attrs: dict[str, Any] | None) -> Tensor:
    """OpDef.rec2's body (each op runs its own copy, see ``_own_copy``)."""
    res = _new(Tensor)
    res._data = out
    res._grad = None
    res._vc = vc = [0]
    res._accumulator = None
    res._base = None
    res._views = None
    res._retains_grad = False
    res._leaf_hooks = None
    res._output_nr = 0
    b_t = isinstance(b, Tensor)
    if not ((a._requires_grad or (b_t and b._requires_grad)) and _enabled[0]):
        res._requires_grad = False
        res.grad_fn = None
        if _inference[0]:
            res._vc = InferenceVersion((0,))
        return res
    node = _new(op.node_cls)
    node.seq_nr = next_seq()
    node.attrs = attrs or _NO_ATTRS
    node.n_outputs = 1
    node._saved = None
    node._freed = False
    node._hooked = False
    if anomaly.enabled[0]:
        anomaly.record(node)
    fn = a.grad_fn
    if fn is not None:
        ea = (fn, a._output_nr)
    elif a._requires_grad:
        ea = (a._grad_accumulator(), 0)
    else:
        ea = _NO_EDGE
    data = a._data
    sa = data.shape
    da = data.dtype
    if b_t:
        fn = b.grad_fn
        if fn is not None:
            eb = (fn, b._output_nr)
        elif b._requires_grad:
            eb = (b._grad_accumulator(), 0)
        else:
            eb = _NO_EDGE
        data = b._data
        sb = data.shape
        db = data.dtype
        if sb == sa:  # (the shapes of an elementwise op: keyed by one of them)
            node.shapes = _SHAPES2S.get(sa) or _canonical(_SHAPES2S, sa, (sa, sb))
        else:
            key = (sa, sb)
            node.shapes = _SHAPES2.get(key) or _canonical(_SHAPES2, key, key)
        key = (id(da), id(db))
        node.dtypes = _DTYPES2.get(key) or _canonical(_DTYPES2, key, (da, db))
    else:  # a Python number: shape (), no dtype
        eb = _NO_EDGE
        node.shapes = _SHAPES2N.get(sa) or _canonical(_SHAPES2N, sa, (sa, ()))
        node.dtypes = _DTYPES2N.get(id(da)) or _canonical(_DTYPES2N, id(da), (da, None))
    node.next_functions = (ea, eb)
    to_save = op._save2[(ea is not _NO_EDGE) + 2 * (eb is not _NO_EDGE)]
    if to_save:
        saved = node._saved = {}
        for i, name in to_save:
            t = b if i else a
            if i == 0 or b_t:
                st = _new(SavedTensor)
                st.data = t._data
                tvc = st.vc = t._vc
                st.version = tvc[0]
                st.is_output = False
                st.output_nr = t._output_nr
                st.tensor = t
                st.view_fn = None
            else:
                st = _CONST_FLOATS.get(t) if type(t) is float else None
                if st is None:
                    st = _saved_const(t)
            saved[name] = st
    res._requires_grad = True
    res.grad_fn = node
    if op._save_result:
        st = _new(SavedTensor)
        st.data = out
        st.vc = vc
        st.version = 0
        st.is_output = True
        st.output_nr = 0
        st.tensor = None
        st.view_fn = None
        if node._saved is None:
            node._saved = {"result": st}
        else:
            node._saved["result"] = st
    if _check_saved[0]:  # saved-tensor hooks active, or inference tensors alive
        pack_saved(node, res)
    return res
