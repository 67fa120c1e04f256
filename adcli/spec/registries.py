"""Process-wide registries a spec may add to, put back as they were when the spec ends.

``torch.distributions.register_kl`` and ``biject_to.register`` / ``transform_to.register``
write to registries that live as long as the process: without this, a rule one spec
registered would still be there for the next spec of the same ``adcli run a.yaml b.yaml``
(or of a ``--jobs`` worker). Each spec runs between :func:`snapshot` and :func:`restore`, for
adcli's distributions and, on the torch engine, torch's (both keep the same private names).
Nothing is imported here: a package not loaded yet has nothing to save, and one first loaded
during the spec is put back to the rules it was built with.
"""

from __future__ import annotations

import sys
from typing import Any

_PACKAGES = ("adcli.distributions", "torch.distributions")


def _tables(package: str) -> list[dict[Any, Any]] | None:
    """The registry dicts of a loaded distributions package (None if it is not loaded)."""
    kl = sys.modules.get(f"{package}.kl")
    reg = sys.modules.get(f"{package}.constraint_registry")
    if kl is None or reg is None:
        return None
    return [kl._KL_REGISTRY, reg.biject_to._registry, reg.transform_to._registry]


def snapshot() -> dict[str, list[dict[Any, Any]]]:
    """Copies of every loaded package's registries."""
    out = {}
    for package in _PACKAGES:
        tables = _tables(package)
        if tables is not None:
            out[package] = [dict(t) for t in tables]
    return out


def restore(saved: dict[str, list[dict[Any, Any]]]) -> None:
    """Put the registries back to ``saved`` (or, for adcli's package loaded since, to its
    built-in rules); the KL lookup memo is cleared, as a registration clears it."""
    for package in _PACKAGES:
        tables = _tables(package)
        if tables is None:
            continue
        want = saved.get(package)
        if want is None:
            built_in = getattr(sys.modules[package], "_BUILT_IN_REGISTRIES", None)
            if built_in is None:
                continue
            want = built_in
        for table, old in zip(tables, want):
            if table != old:
                table.clear()
                table.update(old)
        sys.modules[f"{package}.kl"]._KL_MEMOIZE.clear()
