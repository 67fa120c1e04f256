"""``x[mask] = v`` and ``x[index] = v`` keep the index as torch's IndexPutBackward0 does: an
in-place write to the mask afterwards fails backward's version check with torch's message, and
a 0-d bool mask writes through a view (CopySlices), as torch's indexing does. Run on both."""

from __future__ import annotations

from typing import Any

import pytest
from requires import require_torch

import adcli


def _run(T: Any, mask: list[Any], change: bool) -> tuple[str, Any]:
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    m = T.tensor(mask)
    y[m] = T.tensor([5.0], requires_grad=True) * 2
    name = type(y.grad_fn).__name__
    if change:
        m.logical_not_() if m.dtype == T.bool else m.add_(1)
    try:
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
    except RuntimeError as exc:
        return name, str(exc)
    return name, x.grad.tolist()


@pytest.mark.needs_torch
@pytest.mark.parametrize("mask", [[True, False, True], True, False, [0, 2]])
@pytest.mark.parametrize("change", [False, True])
def test_index_write_then_mask_changed_matches_torch(mask: Any, change: bool) -> None:
    torch = require_torch()
    want = _run(torch, mask, change)
    got = _run(adcli, mask, change)
    assert got == want
    if change and isinstance(mask, list):  # the case the saved index exists for
        assert "is at version 1; expected version 0 instead" in str(got[1])
