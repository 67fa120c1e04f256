"""``nn.utils.skip_init``: build a module without running its parameter initialisation."""

from __future__ import annotations

import inspect
from typing import Any


def skip_init(module_cls: Any, *args: Any, **kwargs: Any) -> Any:
    """``module_cls(*args, **kwargs)`` with uninitialised parameters and buffers.

    torch builds the module on the meta device (no random draws) and then allocates empty
    storage; adcli builds it on the CPU with the generator's state put back afterwards, so the
    random stream continues exactly as torch's does, and then empties the tensors (zeros)."""
    from adcli.engine.grad_mode import no_grad
    from adcli.random import get_rng_state, set_rng_state

    from ..modules.module import Module

    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.pop("device", "cpu")
    state = get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        set_rng_state(state)
    with no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            t.zero_()
    return module
