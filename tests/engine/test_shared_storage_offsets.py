"""``detach()`` and ``unsafe_split``/``unsafe_chunk`` results report the storage and offset
torch reports: they are not views (no ``_base``), yet share their input's storage, so
``storage_offset()`` counts from the input's storage and ``untyped_storage()`` is the same
memory. Other ops' several outputs are new tensors at offset 0. Compared with torch."""

from __future__ import annotations

from typing import Any

import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _x(T: Any) -> Any:
    return T.arange(24.0).reshape(4, 6)


CASES = {
    "detach": lambda T, x: [x.detach()],
    "detach of a slice": lambda T, x: [x[1:, 2:].detach()],
    "detach of a transpose": lambda T, x: [x.t()[2:].detach()],
    "unsafe_split dim 1": lambda T, x: x.unsafe_split(3, 1),
    "unsafe_split dim 0": lambda T, x: T.unsafe_split(x, 3),
    "unsafe_chunk": lambda T, x: x.unsafe_chunk(2, 1),
    "torch.unsafe_chunk": lambda T, x: T.unsafe_chunk(x, 3, 0),
    "unsafe_split_with_sizes": lambda T, x: T.unsafe_split_with_sizes(x, [1, 3], 0),
    "unsafe_split of a slice": lambda T, x: x[1:].unsafe_split(2, 1),
    "split (views)": lambda T, x: x.split(3, 1),
    "split_copy": lambda T, x: T.split_copy(x, 2, 1),
    "unbind_copy": lambda T, x: T.unbind_copy(x, 1),
    "sort": lambda T, x: T.sort(x, 1),
    "max(dim)": lambda T, x: T.max(x, 1),
    "tensor_split (views)": lambda T, x: T.tensor_split(x, 3, 1),
}


def _facts(T: Any, name: str) -> list[Any]:
    x = _x(T)
    ptr = x.untyped_storage().data_ptr()
    out = []
    for p in CASES[name](T, x):
        st = p.untyped_storage()
        out.append((p.storage_offset(), p.stride(), st.data_ptr() == ptr,
                    st.nbytes() if st.data_ptr() == ptr else None, p._base is x, p._is_view(),
                    p.data_ptr() - x.data_ptr() if st.data_ptr() == ptr else None))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_storage_and_offset_as_torch(name):
    assert _facts(adcli, name) == _facts(torch, name)


@pytest.mark.parametrize("name", ["detach", "unsafe_split dim 1"])
def test_writes_are_shared_as_torch(name):
    def run(T: Any) -> Any:
        x = _x(T)
        parts = CASES[name](T, x)
        parts[-1].mul_(-1)
        return x.tolist(), x._version, [p._version for p in parts]
    assert run(adcli) == run(torch)
