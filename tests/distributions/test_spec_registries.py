"""A spec may register a KL rule (``torch.distributions.register_kl``) or a constraint's
transform (``biject_to.register``): the rule holds for the rest of that spec and is gone for
the next spec of the process (adcli.spec.registries puts the registries back), so one spec
cannot change another's results."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spec"))
from requires import require_torch
from spec_helpers import run

import adcli.distributions as AD
from adcli.distributions import constraint_registry, kl

REGISTERS = '''
seed: 0
tensors:
  m: torch.tensor([0.5, -1.0], requires_grad=True)
steps:
  - |
    def kl_normal_laplace(p, q):
        return (p.loc - q.loc).abs() * 0 + 42.0
  - rule = torch.distributions.register_kl(torch.distributions.Normal, torch.distributions.Laplace)
  - rule(kl_normal_laplace)
  - n = torch.distributions.Normal(m, 1.0)
  - d = torch.distributions.kl_divergence(n, torch.distributions.Laplace(0.0, 1.0))
  - assert torch.equal(d, torch.tensor([42.0, 42.0]))
  - |
    def to_sigmoid(c):
        return torch.distributions.SigmoidTransform()
  - b = torch.distributions.biject_to
  - b.register(torch.distributions.constraints.greater_than(0.0), to_sigmoid)
  - y = torch.distributions.biject_to(torch.distributions.constraints.greater_than(0.0))(m)
  - assert torch.allclose(y, torch.sigmoid(m))
'''

LATER = '''
seed: 0
tensors:
  m: torch.tensor([0.5, -1.0], requires_grad=True)
steps:
  - y = torch.distributions.biject_to(torch.distributions.constraints.greater_than(0.0))(m)
  - assert torch.allclose(y, torch.exp(m))
  - n = torch.distributions.Normal(m, 1.0)
  - d = torch.distributions.kl_divergence(n, torch.distributions.Laplace(0.0, 1.0))
  - assert not torch.equal(d, torch.tensor([42.0, 42.0]))
'''


def test_a_spec_registers_and_the_next_spec_does_not_see_it() -> None:
    before = (dict(kl._KL_REGISTRY), dict(constraint_registry.biject_to._registry))
    first = run(REGISTERS)
    assert first.ok, [s.error for s in first.steps if getattr(s, "error", None)]
    assert (dict(kl._KL_REGISTRY), dict(constraint_registry.biject_to._registry)) == before
    second = run(LATER)  # the built-in Normal-Laplace rule and Exp bijection again
    assert second.ok and len(second.steps) == 5
    assert AD.kl_divergence(AD.Normal(0.0, 1.0), AD.Laplace(0.0, 1.0)).item() != 42.0


def test_python_registrations_made_before_a_spec_are_kept() -> None:
    def rule(p: object, q: object) -> float:
        return 7.0

    old = kl._KL_REGISTRY[AD.Normal, AD.Laplace]
    AD.register_kl(AD.Normal, AD.Laplace)(rule)
    try:
        run(REGISTERS)
        assert kl._KL_REGISTRY[AD.Normal, AD.Laplace] is rule
        assert AD.kl_divergence(AD.Normal(0.0, 1.0), AD.Laplace(0.0, 1.0)) == 7.0
    finally:
        AD.register_kl(AD.Normal, AD.Laplace)(old)


@pytest.mark.needs_torch
def test_on_the_torch_engine_torchs_registries_are_put_back() -> None:
    require_torch()
    import torch.distributions.constraint_registry as TC
    import torch.distributions.kl as TK

    before = (dict(TK._KL_REGISTRY), dict(TC.biject_to._registry))
    report = run("engine: torch\n" + REGISTERS.lstrip())
    assert report.ok, [s.error for s in report.steps if s.error]
    assert (dict(TK._KL_REGISTRY), dict(TC.biject_to._registry)) == before
