"""torch.distributions' lower-case submodules exist in adcli under the same names, each with
the public names of torch's ``__all__`` (the same objects as the package's), reachable both by
``from adcli.distributions.normal import Normal`` and as attributes of the package; and
importing adcli.distributions still imports none of the new modules before they are used."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest
from requires import require_torch

import adcli.distributions as AD

ROOT = Path(__file__).resolve().parents[2]


def _torch_submodules() -> dict[str, list[str]]:
    torch = require_torch()
    TD = torch.distributions
    return {n: list(getattr(TD, n).__all__) for n in dir(TD)
            if isinstance(getattr(TD, n), types.ModuleType)}


@pytest.mark.needs_torch
def test_every_torch_submodule_is_here_with_its_names() -> None:
    subs = _torch_submodules()
    assert len(subs) >= 47
    missing = []
    for name, public in sorted(subs.items()):
        mod = importlib.import_module(f"adcli.distributions.{name}")
        assert getattr(AD, name) is mod
        assert name in dir(AD)
        for attr in public:
            if not hasattr(mod, attr):
                missing.append(f"{name}.{attr}")
            elif attr in AD.__all__:
                assert getattr(mod, attr) is getattr(AD, attr), f"{name}.{attr}"
    assert missing == []


@pytest.mark.needs_torch
def test_private_helpers_that_libraries_import() -> None:
    from adcli.distributions.multivariate_normal import (  # noqa: F401
        _batch_mahalanobis,
        _precision_to_scale_tril,
    )
    from adcli.distributions.utils import _sum_rightmost  # noqa: F401


def test_unknown_attribute_is_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        AD.nope  # noqa: B018


def test_the_torch_path_modules_load_only_when_used() -> None:
    probe = ("import sys, adcli.distributions as D\n"
             "print(sorted(m for m in sys.modules if m in {'adcli.distributions.normal', "
             "'adcli.distributions.studentT', 'adcli.distributions.half_cauchy'}))\n"
             "D.studentT\n"
             "print('adcli.distributions.studentT' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT)}).stdout.split("\n")
    assert out[:2] == ["[]", "True"]
