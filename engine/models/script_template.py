"""The text of an exported training script, with @@NAME@@ slots that export_pytorch.py fills.
It is plain Python for people to read and change; it never imports DeepCanvas."""

SCRIPT = '''"""@@TITLE@@

A standalone PyTorch script exported from DeepCanvas @@VERSION@@ (graph: @@GRAPH@@). It needs
torch, numpy, pandas and scikit-learn (and safetensors to read or write weights); it does not
need DeepCanvas.

    python @@NAME@@                       train as the app did (same seed, same split)
    python @@NAME@@ --weights M.dcmodel --epochs 0
                                          score the saved weights on the test split
    torchrun --nproc_per_node 4 @@NAME@@  train on 4 processes (DistributedDataParallel:
                                          NCCL on GPUs, gloo on CPUs); each process takes
                                          batch_size rows a step, so a step sees 4 x as many
    torchrun --nnodes 2 --node_rank R --master_addr HOST --master_port 29500 \\\\
             --nproc_per_node 8 @@NAME@@   the same over two machines
"""
import argparse
import copy
import json
import os
import sys
import zipfile

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

SEED = @@SEED@@
# the graph's training settings (the app's names)
SETTINGS = @@SETTINGS@@
# where the data comes from and how its columns were prepared (the Dataset node's settings)
DATA = @@DATA@@
# parameters L1 and L2 penalise (the app's watched weights)
PENALISED = @@PENALISED@@

@@HELPERS@@
class Net(nn.Module):
    """The graph, one submodule per node, named by the node's id."""

    def __init__(self):
        super().__init__()
        self.nodes = nn.ModuleDict()
@@BUILD@@

    def forward(self, x):
@@FORWARD@@


def loss_fn(pred, target):
    return @@LOSS@@


def answer(pred):
    """What the network says for the output loss_fn reads: @@ANSWER_DOC@@."""
@@ANSWER@@


# ---- data ------------------------------------------------------------------------------------
@@LOAD@@


def stratifiable(y, fraction):
    _, counts = np.unique(y, return_counts=True)
    n_out = int(np.ceil(fraction * len(y)))
    return counts.min() >= 2 and n_out >= len(counts) and len(y) - n_out >= len(counts)


def split(x, y, fraction, seed, classify):
    from sklearn.model_selection import train_test_split
    strat = y if classify and stratifiable(y, fraction) else None
    return train_test_split(x, y, test_size=fraction, random_state=seed, stratify=strat)


def prepare(x, y, task, seed):
    """Test and validation splits as the app makes them, then the scaler (and the mean filling
    empty inputs) fitted on the training rows only."""
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    classify = task == "classification"
    test = val = None
    if DATA["test_split"] > 0:
        x, xt, y, yt = split(x, y, DATA["test_split"], seed, classify)
        test = [xt, yt]
    if SETTINGS["val_split"] > 0:
        x, xv, y, yv = split(x, y, SETTINGS["val_split"], seed + 1, classify)
        val = [xv, yv]
    train = [x, y]
    parts = [s for s in (train, val, test) if s is not None]
    if any(np.isnan(s[0]).any() for s in parts):
        imputer = SimpleImputer(strategy="mean", keep_empty_features=True).fit(train[0])
        for s in parts:
            s[0] = imputer.transform(s[0]).astype(np.float32)
    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler()}.get(DATA["scaling"])
    if scaler is not None:
        scaler.fit(train[0])
        for s in parts:
            s[0] = scaler.transform(s[0]).astype(np.float32)
    y_mean = y_std = None
    if not classify:       # regression targets train on a standard scale
        y_mean, y_std = train[1].mean(axis=0), train[1].std(axis=0)
        y_std[y_std == 0] = 1.0
        for s in parts:
            s[1] = ((s[1] - y_mean) / y_std).astype(np.float32)
    return train, val, test, (y_mean, y_std)


# ---- training --------------------------------------------------------------------------------
def make_optimizer(params):
    s = SETTINGS
    name, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    if name in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if name == "sgd" else s["momentum"]
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov",
                               weight_decay=wd)
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "adamax": torch.optim.Adamax,
           "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
           "adadelta": torch.optim.Adadelta}[name]
    return cls(params, lr=lr, weight_decay=wd)


def penalty(net):
    named = dict(net.named_parameters())
    weights = [named[n] for n in PENALISED]
    total = 0.0
    if SETTINGS["l1"]:
        total = total + SETTINGS["l1"] * sum(w.abs().sum() for w in weights)
    if SETTINGS["l2"]:
        total = total + SETTINGS["l2"] / 2 * sum((w * w).sum() for w in weights)
    return total


@torch.no_grad()
def evaluate(net, x, y, task, y_scale):
    """Loss and the app's headline figures on a split, in eval mode (no dropout)."""
    was = net.training
    net.eval()
    pred = torch.cat([net(x[s:s + 4096]) for s in range(0, len(x), 4096)])
    net.train(was)
    out = {"loss": float(loss_fn(pred, y))}
    if task == "classification":
        classes = pred.argmax(dim=1) if pred.shape[1] > 1 else (pred[:, 0] > 0).long()
        out["accuracy"] = float((classes == y).float().mean())
    else:
        y_mean, y_std = (torch.as_tensor(v, device=pred.device) for v in y_scale)
        err = (pred - y) * y_std
        out["mse"] = float((err ** 2).mean())
        out["mae"] = float(err.abs().mean())
        truth = y * y_std + y_mean
        out["r2"] = float(1 - (err ** 2).sum() / ((truth - truth.mean(0)) ** 2).sum())
    return out


def batches(order, batch_size, min_batch):
    """Batches in the given row order; a last batch smaller than some layer accepts
    (BatchNorm: 2 rows) joins the one before."""
    n = len(order)
    steps = max(1, -(-n // batch_size))
    if 0 < n % batch_size < min_batch and steps > 1:
        steps -= 1
    for i in range(steps):
        yield order[i * batch_size:(i + 1) * batch_size if i < steps - 1 else n]


def read_weights(path):
    """A state dict from a DeepCanvas model file (.dcmodel) or a .safetensors file."""
    from safetensors.torch import load, load_file
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return load(z.read("weights.safetensors"))
    return load_file(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=@@DATA_DEFAULT@@, help=@@DATA_HELP@@)
    ap.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--weights", help="start from these weights (.dcmodel or .safetensors)")
    ap.add_argument("--save", help="write the trained weights here (.safetensors)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per line")
    args = ap.parse_args(argv)

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    cuda = torch.cuda.is_available()
    rank = 0
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)

    def say(obj, text):
        if rank == 0 or (args.json and obj.get("event") in ("epoch", "done")):
            line = (json.dumps(dict(obj, rank=rank)) if args.json else text) + "\\n"
            # one write per line: processes sharing a pipe then never split each other's lines
            sys.stdout.write(line)
            sys.stdout.flush()

    x, y, task, class_names = load_data(args.data)
    train, val, test, y_scale = prepare(x, y, task, args.seed)
    # seeded right before building, as the app does: the same starting weights
    torch.manual_seed(args.seed)
    net = Net().to(device)
    if args.weights:
        net.load_state_dict(read_weights(args.weights))
    model = net
    if distributed:
        model = DistributedDataParallel(net, device_ids=[device.index] if cuda else None)
    xt, yt = (torch.as_tensor(a, device=device) for a in train)
    optimizer = make_optimizer(net.parameters())
    generator = torch.Generator().manual_seed(args.seed)
    es = SETTINGS["early_stopping"]
    monitor = es["monitor"] if es else None
    if monitor and monitor.startswith("val_") and val is None:
        monitor = "train_loss"
    best = best_state = None
    wait = 0
    for epoch in range(1, args.epochs + 1):
        net.train()
        if distributed:       # each process takes its own share of the rows, reshuffled per epoch
            sampler = DistributedSampler(range(len(yt)), shuffle=True, seed=args.seed)
            sampler.set_epoch(epoch)
            order = torch.as_tensor(list(sampler), device=device)
        else:                 # the app's order: one permutation per epoch from a seeded generator
            order = torch.randperm(len(yt), generator=generator).to(device)
        total, steps = 0.0, 0
        for idx in batches(order, SETTINGS["batch_size"], MIN_BATCH):
            loss = loss_fn(model(xt[idx]), yt[idx])
            if SETTINGS["l1"] or SETTINGS["l2"]:
                loss = loss + penalty(net)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            clip = SETTINGS["grad_clip"]
            if clip and clip["mode"] == "norm":
                nn.utils.clip_grad_norm_(net.parameters(), clip["max"])
            elif clip:
                nn.utils.clip_grad_value_(net.parameters(), clip["max"])
            optimizer.step()
            total += float(loss.detach())
            steps += 1
        figures = {"loss": total / max(1, steps)}
        if distributed:       # the mean over every process's batches
            both = torch.tensor([total, steps], dtype=torch.float64, device=device)
            dist.all_reduce(both)
            figures["loss"] = float(both[0] / both[1])
        val_figures = {}
        if val is not None:
            val_figures = evaluate(net, *(torch.as_tensor(a, device=device) for a in val), task,
                                   y_scale)
        say({"event": "epoch", "epoch": epoch, "train": figures, "val": val_figures},
            f"epoch {epoch:>3}  train loss {figures['loss']:.4f}"
            + "".join(f"  val {k} {v:.4f}" for k, v in val_figures.items()))
        if es:
            split_name, _, key = monitor.partition("_")
            value = (val_figures if split_name == "val" else figures).get(key)
            score = value if key == "loss" else -value
            if best is None or score < best - es["min_delta"]:
                best, wait = score, 0
                if es["restore_best"]:
                    best_state = copy.deepcopy(net.state_dict())
            else:
                wait += 1
                if wait >= es["patience"]:
                    break
    if best_state is not None:
        net.load_state_dict(best_state)
    result = {}
    if test is not None:
        result = evaluate(net, *(torch.as_tensor(a, device=device) for a in test), task, y_scale)
    say({"event": "done", "test": result},
        "test  " + "  ".join(f"{k} {v:.4f}" for k, v in result.items()))
    if args.save and rank == 0:
        from safetensors.torch import save_file
        save_file({k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()},
                  args.save)
    if distributed:
        dist.destroy_process_group()


MIN_BATCH = @@MIN_BATCH@@

if __name__ == "__main__":
    main(sys.argv[1:])
'''

SKLEARN_LOAD = '''def load_data(path=None):
    """scikit-learn's data set @@SET@@ (no file needed)."""
    from sklearn import datasets
    ds = datasets.load_@@SET@@()
    x = np.asarray(ds.data, dtype=np.float32)
    if @@REGRESSION@@:
        return x, np.asarray(ds.target, dtype=np.float32).reshape(-1, 1), "regression", []
    return (x, np.asarray(ds.target, dtype=np.int64), "classification",
            [str(c) for c in ds.target_names])
'''

CSV_LOAD = '''def load_data(path):
    """The CSV file, its columns prepared as the Dataset node says: columns dropped, text
    columns one-hot encoded, empty cells handled, the target read as classes or numbers."""
    frame = pd.read_csv(path, sep=None, engine="python", skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    target, one_hot = DATA["target"], DATA["one_hot"]
    frame = frame.drop(columns=DATA["drop"])
    if DATA["missing"] == "drop":
        frame = frame.dropna()
    elif DATA["missing"] == "impute":
        frame = frame[frame[target].notna()].copy()
        for col in one_hot:
            frame[col] = frame[col].fillna(frame[col].mode(dropna=True).iloc[0])
    elif frame.isna().to_numpy().any():
        sys.exit(f"{path} has empty cells; this graph was trained with missing='error'")
    x_frame = pd.get_dummies(frame.drop(columns=[target]), columns=one_hot,
                             drop_first=DATA["drop_first"], dtype=np.float32)
    if list(x_frame.columns) != FEATURES:
        sys.exit(f"{path} gives the inputs {list(x_frame.columns)}, not the {FEATURES} the "
                 f"network was built for")
    x = x_frame.astype(np.float32).to_numpy()
    if TASK == "classification":
        codes, labels = pd.factorize(frame[target], sort=True)
        names = [str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v)
                 for v in labels]
        return x, codes.astype(np.int64), TASK, names
    return x, frame[target].to_numpy(np.float32).reshape(-1, 1), TASK, []


FEATURES = @@FEATURES@@
TASK = @@TASK@@
'''
