"""``torch.autograd.graph``: ``Node``, the type of every ``grad_fn``.

A node has ``name()``, ``next_functions``, ``metadata``, ``register_hook(fn(grad_inputs,
grad_outputs))`` and ``register_prehook(fn(grad_outputs))``, as PyTorch's.
"""

from __future__ import annotations

from adcli.engine.node import Node, RemovableHandle

__all__ = ["Node", "RemovableHandle"]
