"""Validation on for every distributions test, in torch and adcli alike: importing
``torch._dynamo`` (which other tests of a session may do, e.g. through ``torch.compile``)
turns torch's default ``validate_args`` off for the rest of the process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _validation_on() -> Iterator[None]:
    import adcli.distributions as AD

    saved = [AD.Distribution._validate_args]
    AD.Distribution.set_default_validate_args(True)
    try:
        import torch.distributions as TD
    except ImportError:
        TD = None
    if TD is not None:
        saved.append(TD.Distribution._validate_args)
        TD.Distribution.set_default_validate_args(True)
    yield
    AD.Distribution.set_default_validate_args(saved[0])
    if TD is not None:
        TD.Distribution.set_default_validate_args(saved[1])
