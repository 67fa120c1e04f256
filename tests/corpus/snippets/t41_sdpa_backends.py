# Source: adapted from the PyTorch tutorial "(Beta) Implementing High-Performance Transformers
# with Scaled Dot Product Attention (SDPA)" (pytorch/tutorials,
# intermediate_source/scaled_dot_product_attention_tutorial.py, https://github.com/pytorch/tutorials).
# License: BSD-3-Clause. CPU only and small sizes: the benchmark timings are replaced by
# comparing each backend's output and gradient with the math reference.
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

device = "cpu"
torch.manual_seed(0)
query, key, value = torch.randn(2, 3, 8, device=device), torch.randn(2, 3, 8, device=device), torch.randn(2, 3, 8, device=device)
query.requires_grad_()
out = F.scaled_dot_product_attention(query, key, value)
print(out.shape, out.grad_fn is not None)

backend_map = {
    SDPBackend.MATH: {"enable_math": True, "enable_flash": False, "enable_mem_efficient": False},
    SDPBackend.FLASH_ATTENTION: {"enable_math": False, "enable_flash": True, "enable_mem_efficient": False},
}
with sdpa_kernel(backends=[SDPBackend.MATH]):
    reference = F.scaled_dot_product_attention(query, key, value, is_causal=True)
reference.sum().backward()
ref_grad = query.grad.clone()
for backend, flags in backend_map.items():
    print(f"{backend.name}: {flags}")
    query.grad = None
    with sdpa_kernel(backends=[backend]):
        try:
            result = F.scaled_dot_product_attention(query, key, value, is_causal=True)
            result.sum().backward()
            print(f"  agrees: {torch.allclose(result, reference, atol=1e-6)}",
                  f"grad agrees: {torch.allclose(query.grad, ref_grad, atol=1e-6)}")
        except RuntimeError:
            print(f"  {backend.name} is not supported on {device}")
print("reference[0, 0]", [round(v, 5) for v in reference[0, 0].tolist()])
