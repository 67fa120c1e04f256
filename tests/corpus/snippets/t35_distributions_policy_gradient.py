# Source: adapted from the PyTorch documentation, torch.distributions "Score function" and
# "Pathwise derivative" (torch/distributions/__init__.py docstring, https://github.com/pytorch/pytorch;
# https://docs.pytorch.org/docs/stable/distributions.html). License: BSD-3-Clause (PyTorch).
# policy_network is a small nn.Sequential; env.step is replaced by a fixed reward function.
import torch
from torch import nn
from torch.distributions import Categorical, Normal

torch.manual_seed(0)
policy_network = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1))
state = torch.randn(2, 4)


def reward_of(action):
    return (action.float() + 1.0) ** 2


probs = policy_network(state)
m = Categorical(probs)
action = m.sample()
reward = reward_of(action)
loss = (-m.log_prob(action) * reward).sum()
loss.backward()
print("action", action.tolist(), "entropy", [round(e, 5) for e in m.entropy().tolist()])
print("score-function grad norm", round(policy_network[0].weight.grad.norm().item(), 5))

mean_net = nn.Linear(4, 2)
params = mean_net(state)
dist = Normal(params[:, 0], params[:, 1].exp())
sample = dist.rsample()
pathwise = reward_of(sample).sum()
pathwise.backward()
print("pathwise grad", [round(g, 5) for g in mean_net.bias.grad.tolist()])
print("kl", round(torch.distributions.kl_divergence(dist, Normal(0.0, 1.0)).sum().item(), 5))
