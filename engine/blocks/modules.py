"""Small torch modules that blocks build and torch does not provide."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class DropConnectLinear(nn.Linear):
    """A linear layer that, while training, zeroes each weight with probability p (DropConnect),
    rescaling the kept ones so the expected output is unchanged."""

    def __init__(self, fan_in: int, fan_out: int, bias: bool, p: float):
        super().__init__(fan_in, fan_out, bias=bias)
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return super().forward(x)
        mask = torch.rand_like(self.weight) >= self.p
        return F.linear(x, self.weight * mask / (1.0 - self.p), self.bias)


# the same class as source text, for exported scripts that must not import DeepCanvas
DROPCONNECT_SOURCE = """class DropConnectLinear(nn.Linear):
    \"\"\"A linear layer that, while training, zeroes each weight with probability p
    (DropConnect) and rescales the kept ones.\"\"\"

    def __init__(self, fan_in, fan_out, bias, p):
        super().__init__(fan_in, fan_out, bias=bias)
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return super().forward(x)
        mask = torch.rand_like(self.weight) >= self.p
        return F.linear(x, self.weight * mask / (1.0 - self.p), self.bias)
"""
ADD_SOURCE = """class AddInputs(nn.Module):
    def forward(self, a, b):
        return a + b
"""
CONCAT_SOURCE = """class ConcatInputs(nn.Module):
    def forward(self, a, b):
        return torch.cat([a, b], dim=1)
"""


class AddInputs(nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


class ConcatInputs(nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.cat([a, b], dim=1)


class Softmax(nn.Softmax):
    def __init__(self):
        super().__init__(dim=1)


class ImageAugment(nn.Module):
    """Random shifts, small rotations, horizontal flips and pixel noise on flattened images,
    applied only while training (the notes' data augmentation). Without an image shape only
    the noise applies."""

    def __init__(self, image: tuple[int, int] | None, shift: int, rotate: float, flip: bool,
                 noise: float):
        super().__init__()
        self.image, self.shift, self.rotate, self.flip, self.noise = image, shift, rotate, flip, noise

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        if self.image and (self.shift or self.rotate or self.flip):
            h, w = self.image
            n = x.shape[0]
            img = x.reshape(n, 1, h, w)
            ang = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(self.rotate)
            tx = torch.randint(-self.shift, self.shift + 1, (n,), device=x.device) * 2.0 / w
            ty = torch.randint(-self.shift, self.shift + 1, (n,), device=x.device) * 2.0 / h
            sx = torch.ones(n, device=x.device)
            if self.flip:
                sx = torch.where(torch.rand(n, device=x.device) < 0.5, -sx, sx)
            cos, sin = torch.cos(ang), torch.sin(ang)
            theta = torch.stack([torch.stack([cos * sx, -sin, tx], 1),
                                 torch.stack([sin * sx, cos, ty], 1)], 1)
            grid = F.affine_grid(theta, list(img.shape), align_corners=False)
            # pad with the image's own minimum so shifted-in pixels look like background
            lo = img.amin(dim=(1, 2, 3), keepdim=True)
            img = F.grid_sample(img - lo, grid, align_corners=False, padding_mode="zeros") + lo
            x = img.reshape(n, h * w)
        if self.noise:
            x = x + torch.randn_like(x) * self.noise
        return x
