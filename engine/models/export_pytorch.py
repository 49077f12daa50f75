"""A saved model as one readable, standalone PyTorch training script (no DeepCanvas import):
the network as an nn.Module with a submodule per node (named by node id, so the model file's
weights load as they are), the data loading and preprocessing, the training loop with the
graph's optimizer, penalties, clipping and early stopping, and DistributedDataParallel under
torchrun. What each block becomes is the block's own `export_code`; this module only strings
them together in the compiled graph's order."""
from __future__ import annotations

import json
import keyword
import os
import re
from pathlib import Path
from typing import Any

from engine.compiler import analyse
from engine.models.archive import SavedModel, _version
from engine.models.errors import ModelError
from engine.models.script_template import CSV_LOAD, SCRIPT, SKLEARN_LOAD
from engine.training import settings

_SKLEARN_SETS = {"digits": False, "iris": False, "wine": False, "breast_cancer": False,
                 "diabetes": True}      # name -> regression


def _ident(text: str, taken: set[str]) -> str:
    """A Python name for a node's value: its id when that is one, else a cleaned form."""
    name = re.sub(r"\W", "_", text, flags=re.ASCII)
    if not name or name[0].isdigit() or name in ("x", "self", "pred") or not name.isidentifier():
        name = f"v_{name}"
    base, i = name, 2
    while name in taken or keyword.iskeyword(name):
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _comment(text: str) -> str:
    return re.sub(r"[^\x20-\x7e]", "?", text).replace("\\", "/").replace('"', "'")[:80]


def script_text(model: SavedModel, name: str = "model.py") -> str:
    net, pre, doc = model.network, model.preprocessing, model.doc
    if net.plans:
        raise ModelError(f"a standalone script trains supervised graphs only; this one trains "
                         f"by the {', '.join(net.plans)} plan")
    if len(net.losses) != 1 or net.primary.target_key != net.y_key:
        raise ModelError("a standalone script trains a graph with one Loss on the Dataset's y")
    if net.penalty_nodes:
        raise ModelError(f"a standalone script cannot add the {', '.join(net.penalty_nodes)} "
                         f"penalty yet")
    a = analyse(doc, datasets={pre.data_node: pre.stand_in()})
    build, helpers, forward = [], [], []
    for nid in a.order:
        if nid not in net.nodes:
            continue
        block = net.block_of[nid]
        code = block.export_code(net.params_of[nid], a.in_widths.get(nid, {}),
                                 a.widths.get(nid, {}))
        if code is None or not code.module:
            raise ModelError(f"node '{nid}' ({block.name}) cannot be written as a standalone "
                             f"PyTorch script yet; export it to ONNX or TorchScript instead")
        m = f"self.nodes[{nid!r}]"
        build.append(f"        {m} = {code.module}")
        build += [f"        {line.format(m=m)}" for line in code.init]
        helpers += [h for h in code.helpers if h not in helpers]
    names: dict[str, str] = {net.x_key: "x"}
    taken = {"x"}
    for nid in net.computed_nodes:
        var = _ident(nid, taken)
        args = ", ".join(names[k] for k in net.inputs_of[nid])
        forward.append(f"        {var} = self.nodes[{nid!r}]({args})")
        names[f"{nid}.out"] = var
    spec = net.primary
    if spec.pred_key not in names:
        raise ModelError(f"the value '{spec.pred_key}' the Loss reads cannot be written as a "
                         f"script yet")
    folded = f"  # {spec.fused} is folded into the loss" if spec.fused else ""
    forward.append(f"        return {names[spec.pred_key]}{folded}")
    loss_block = net.block_of[spec.node]
    loss_code = loss_block.export_code(net.params_of[spec.node], a.in_widths[spec.node], {})
    loss = loss_code.loss.format(pred="pred", target="target")
    if spec.weight != 1.0:
        loss = f"{spec.weight!r} * {loss}"
    if pre.task == "classification":
        doc_answer = "class probabilities, one column per class"
        answer = ("    if pred.shape[1] == 1:\n        p1 = torch.sigmoid(pred)\n"
                  "        return torch.cat([1 - p1, p1], dim=1)\n"
                  "    return torch.softmax(pred, dim=1)")
    else:
        doc_answer = "numbers in the target's units"
        answer = (f"    return pred * torch.tensor({pre.y_std!r}) + torch.tensor({pre.y_mean!r})")
    data = net.params_of[net.data_id]
    kind, _, source = str(data["source"]).partition(":")
    if kind == "sklearn" and source in _SKLEARN_SETS:
        load = (SKLEARN_LOAD.replace("@@SET@@", source)
                .replace("@@REGRESSION@@", repr(_SKLEARN_SETS[source])))
        data_default, data_help = "None", repr("unused: scikit-learn brings this data set")
    elif kind == "csv":
        load = (CSV_LOAD.replace("@@FEATURES@@", repr(list(pre.features)))
                .replace("@@TASK@@", repr(pre.task)))
        data_default = repr(Path(source).name)
        data_help = repr("the CSV file the graph trained on")
    else:
        raise ModelError(f"the data source '{_comment(str(data['source']))}' cannot be loaded "
                         f"by a standalone script yet (scikit-learn sets and CSV files can)")
    cfg = settings.resolve(doc.training)
    keep = ("optimizer", "lr", "momentum", "weight_decay", "l1", "l2", "batch_size", "epochs",
            "val_split", "early_stopping", "grad_clip")
    run_cfg = model.figures.get("training") if isinstance(model.figures.get("training"),
                                                            dict) else {}
    settings_obj = {k: cfg[k] for k in keep}
    seed = run_cfg.get("seed", cfg["seed"])
    if isinstance(run_cfg.get("epochs"), int):
        settings_obj["epochs"] = run_cfg["epochs"]
    data_obj = {k: data[k] for k in ("source", "target", "drop", "one_hot", "drop_first", "task",
                                     "missing", "scaling", "test_split")}
    penalised = [f"nodes.{nid}.{pname}" for nid, ws in net.watched.items()
                 for pname, p in net.nodes[nid].named_parameters() if any(p is w for w in ws)]
    title = doc.meta.get("title") if isinstance(doc.meta.get("title"), str) else "a DeepCanvas graph"
    fill = {
        "TITLE": _comment(title), "VERSION": _version(), "NAME": _comment(name),
        "GRAPH": _comment(model.path.name if model.path else "unsaved"),
        "SEED": repr(int(seed) if isinstance(seed, int) else 0),
        "SETTINGS": _literal(settings_obj), "DATA": _literal(data_obj),
        "PENALISED": repr(penalised), "HELPERS": "".join(h + "\n\n" for h in helpers),
        "BUILD": "\n".join(build), "FORWARD": "\n".join(forward), "LOSS": loss,
        "ANSWER_DOC": doc_answer, "ANSWER": answer, "LOAD": load.rstrip("\n"),
        "DATA_DEFAULT": data_default, "DATA_HELP": data_help,
        "MIN_BATCH": repr(net.min_batch),
    }
    text = SCRIPT
    for key, value in fill.items():
        text = text.replace(f"@@{key}@@", value)
    compile(text, name, "exec")       # a generated script that does not parse is our bug
    return text


def _literal(obj: Any) -> str:
    """A JSON value as Python source (true/false/null written as Python spells them)."""
    return repr(json.loads(json.dumps(obj)))


def write_script(model: SavedModel, path: str | os.PathLike[str]) -> None:
    path = Path(path)
    path.write_text(script_text(model, path.name), encoding="utf-8")


__all__ = ["script_text", "write_script"]
