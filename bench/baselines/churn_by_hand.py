"""The course notes' churn recipe written by hand in plain PyTorch: the baseline that
bench/churn_end_to_end.py times `main.py train graphs/churn.json` against.

Same data handling (drop the identifiers, one-hot Geography and Gender without their first
value, a stratified 20% test split, 20% of the rest for validation, standard scaling fitted on
the training rows), the same 11-6-6-1 network (He-uniform, ReLU, a sigmoid folded into the
loss), Adamax at 0.001, batches of 10, 100 epochs, a validation pass per epoch, one thread.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

CSV = Path(__file__).resolve().parents[2] / "assets" / "data" / "Churn_Modelling.csv"
EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    frame = pd.read_csv(CSV).drop(columns=["RowNumber", "CustomerId", "Surname"])
    y = frame.pop("Exited").to_numpy(np.int64)
    x = pd.get_dummies(frame, columns=["Geography", "Gender"], drop_first=True,
                       dtype=np.float32).to_numpy(np.float32)
    x, x_test, y, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    x, x_val, y, y_val = train_test_split(x, y, test_size=0.2, random_state=1, stratify=y)
    scaler = StandardScaler().fit(x)
    x, x_val, x_test = (torch.as_tensor(scaler.transform(a).astype(np.float32))
                        for a in (x, x_val, x_test))
    y, y_val, y_test = (torch.as_tensor(a, dtype=torch.float32) for a in (y, y_val, y_test))

    model = nn.Sequential(nn.Linear(11, 6), nn.ReLU(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 1))
    for layer, init in zip(model[::2], ("he", "he", "xavier")):
        if init == "he":
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        else:
            nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
    opt = torch.optim.Adamax(model.parameters(), lr=0.001)
    loss_fn = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(0)
    n, bs = len(y), 10
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(x[idx])[:, 0], y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            total += loss.item()
            opt.step()
        model.eval()
        with torch.no_grad():
            out = model(x_val)[:, 0]
            loss_fn(out, y_val).item(), ((out > 0).float() == y_val).float().mean().item()
    with torch.no_grad():
        accuracy = ((model(x_test)[:, 0] > 0).float() == y_test).float().mean().item()
    print(f"test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
