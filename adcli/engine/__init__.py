"""adcli's embedded reverse-mode autodiff engine: NumPy underneath, PyTorch semantics on top.

The engine knows nothing of YAML, terminals or command lines.
"""

from . import methods as _methods

_methods.install()
