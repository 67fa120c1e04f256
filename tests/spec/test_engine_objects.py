"""Generators and devices in spec code: the same lines on adcli's engine and on
``--engine torch`` (where they are torch's ``torch._C`` objects), compared with torch."""

from __future__ import annotations

import pytest
from flow_helpers import compare_engines, run_spec_src

from adcli.engines import forced
from adcli.spec.budget import RefusedError

torch = pytest.importorskip("torch")

GENERATORS = """
g = torch.Generator()
g2 = g.manual_seed(1)
same_gen = g2 is g
s = g.initial_seed()
st = g.get_state()
r = torch.rand(3, generator=g)
n = torch.randn(2, 2, generator=g)
i = torch.randint(0, 10, (4,), generator=g)
p = torch.randperm(5, generator=g)
g.set_state(st)
r2 = torch.rand(3, generator=g)
h = torch.Generator().manual_seed(7)
hs = h.initial_seed()
m = torch.normal(torch.zeros(3), torch.ones(3), generator=h)
b = torch.bernoulli(torch.full((4,), 0.5), generator=h)
u = torch.empty(3).uniform_(generator=h)
mm = torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 4, replacement=True, generator=h)
c = h.clone_state().initial_seed()
after = torch.rand(2, generator=h)
dev = torch.device("cpu")
dt = dev.type
di = dev.index
d0 = torch.device("cpu", 0).index
gd = g.device.type
cuda = torch.cuda.is_available()
mps = torch.backends.mps.is_available()
z = torch.zeros(2, device=dev)
zd = z.device.type
y = torch.ones(2).to(dev)
same_dev = y.device == dev
dg = torch.manual_seed(4)
ds = dg.initial_seed()
dflt = torch.default_generator
same_default = dflt is dg
d0s = dflt.initial_seed()
rng = torch.get_rng_state()
k = torch.rand(2, generator=dflt)
torch.set_rng_state(rng)
k2 = torch.rand(2)
i0 = torch.initial_seed()
"""
NAMES = ["same_gen", "s", "st", "r", "n", "i", "p", "r2", "hs", "m", "b", "u", "mm", "c",
         "after", "dt", "di", "d0", "gd", "cuda", "mps", "z", "zd", "y", "same_dev", "ds",
         "same_default", "d0s", "rng", "k", "k2", "i0"]


def test_generator_and_device_lines_give_torchs_values_on_both_engines() -> None:
    _, on_torch = compare_engines(GENERATORS, NAMES)
    # on the torch engine they are torch's own objects
    assert type(on_torch.namespace["g"]) is torch.Generator
    assert type(on_torch.namespace["dev"]) is torch.device


def test_torch_objects_reach_only_what_adclis_counterparts_have() -> None:
    with forced("torch"):
        run = run_spec_src("g = torch.Generator()\ndev = torch.device('cpu')\n")
    g, dev = run.namespace["g"], run.namespace["dev"]
    assert run.call_method(g, "manual_seed", [3], {}) is g
    assert run.get_attr(dev, "type") == "cpu"
    # torch's Generator has get_offset/graphsafe_get_state; adcli's does not
    for name in ("get_offset", "graphsafe_get_state", "_cdata", "__reduce__"):
        with pytest.raises(RefusedError):
            run.call_method(g, name, [], {})
    with pytest.raises(RefusedError):
        run.get_attr(g, "__dict__")  # (__class__ is type(g), as Python)
    # other objects of torch._C stay unreachable
    with pytest.raises(RefusedError):
        run.call_method(torch.Size([2]), "count", [2], {})


def test_adcli_diff_finds_the_engines_agree(tmp_path) -> None:
    """``adcli diff`` on a spec of these lines (and of the with statements): no divergence
    in any tensor bound, values and gradients included."""
    from flow_helpers import spec_text
    from test_with_statement import WITH_AS

    from adcli.engines.diff import diff_paths

    path = tmp_path / "objects.yaml"
    path.write_text(spec_text(GENERATORS + WITH_AS))
    result = diff_paths([str(path)])
    assert not result.errors and result.exit_code == 0, [
        d.message for s in result.specs for d in s.divergences]
    assert result.specs[0].divergences == []
