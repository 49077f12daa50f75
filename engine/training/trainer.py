"""Supervised training as a generator of reports that the caller drives.

    run = Run(doc)
    for report in run.steps():
        ...

Pause, single step, slow motion and stop are honoured between batches, from any thread.
"""
from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import torch

from engine.compiler import CompiledGraph, compile_graph
from engine.data.prepare import prepare
from engine.errors import DataError, GraphError
from engine.graph import GraphDocument
from engine.telemetry import DoneReport, EpochReport, ErrorReport, Report, StartReport, StepReport
from engine.training import failures, metrics, settings
from engine.training.optim import clip_gradients, make_optimizer, penalty_terms
from engine.training.probes import activation_stats, locate_non_finite

DIVERGENCE_HINTS = ("What usually helps: a lower learning rate; gradient clipping "
                    "(training.grad_clip); He or Xavier initialisation with init_scale 1; ReLU "
                    "instead of sigmoid in deep stacks; a BatchNorm after each Dense.")


SMALL_MODEL = 50_000          # parameters below which one CPU thread trains fastest


class Control:
    """Thread-safe pause / single step / slow motion / stop, checked between batches."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._single = 0
        self.delay_s = 0.0                   # slow motion: sleep this long after each batch

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step_once(self) -> None:
        with self._cond:
            self._paused = True
            self._single += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    def gate(self) -> bool:
        """Block while paused; False when the run should stop."""
        if self.delay_s > 0:
            with self._cond:
                self._cond.wait_for(lambda: self._stopped, timeout=self.delay_s)
        if not self._paused:
            return not self._stopped
        with self._cond:
            while self._paused and not self._stopped:
                if self._single > 0:
                    self._single -= 1
                    return True
                self._cond.wait(0.1)
            return not self._stopped


class Run:
    """One training run of a graph. The document is copied, so editing it later is safe."""

    def __init__(self, doc: GraphDocument, data_dir: str | None = None, epochs: int | None = None,
                 seed: int | None = None, device: str | None = None, telemetry: bool = True,
                 sample_every: int = 50, sample_seconds: float = 0.2):
        self.doc = doc.copy()
        self.data_dir = data_dir
        self.cfg = settings.resolve(self.doc.training)
        if epochs is not None:
            self.cfg["epochs"] = epochs
        if seed is not None:
            self.cfg["seed"] = seed
            self.doc.training["seed"] = seed      # synthetic data sets are drawn with it too
        if device is not None:
            self.cfg["device"] = device
        self.telemetry = telemetry
        self.sample_every = max(1, sample_every)
        # also sample when this long has passed, so slow motion and big networks stay live
        self.sample_seconds = sample_seconds
        self.control = Control()
        self.histogram_node: str | None = None   # a Dense id whose weights/grads are sampled
        self.model: CompiledGraph | None = None

    # control shortcuts
    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step_once(self) -> None:
        self.control.step_once()

    def stop(self) -> None:
        self.control.stop()

    def _device(self) -> torch.device:
        want = self.cfg["device"]
        if want == "auto":
            want = "cuda" if torch.cuda.is_available() else "cpu"
        if want == "cuda" and not torch.cuda.is_available():
            raise GraphError("training.device is 'cuda' but no CUDA device is available")
        return torch.device(want)

    def _setup(self) -> None:
        cfg = self.cfg
        torch.manual_seed(cfg["seed"])
        self.model = model = compile_graph(self.doc, self.data_dir)
        data_params = model.params_of[model.data_id]
        self.data = prepare(model.bundle, data_params["scaling"], data_params["test_split"],
                            cfg["val_split"], cfg["seed"])
        if len(self.data.train.y) == 0:
            raise DataError("the training split is empty", model.data_id)
        self.device = self._device()
        model.to(self.device)
        if self.device.type == "cpu" and model.parameter_count() < SMALL_MODEL:
            # a small network's matrices are too small to share out: extra intra-op threads only
            # add hand-offs (churn: 98 s with two threads against 41 s with one, same numbers)
            torch.set_num_threads(1)
        self.task = model.bundle.task
        self.n_classes = model.bundle.n_classes
        self.x = torch.as_tensor(self.data.train.x, device=self.device)
        self.y = torch.as_tensor(self.data.train.y, device=self.device)
        self.optimizer = make_optimizer(cfg, model.parameters())
        self.weights = [model.nodes[i].weight for i in model.dense_ids]
        self.gen = torch.Generator().manual_seed(cfg["seed"])
        self.penalised = bool(cfg["l1"] or cfg["l2"])
        spec = model.primary
        # the running training accuracy needs class predictions scored against the data's labels
        self._scored = ((spec.pred_key, spec.target_key)
                        if self.task == "classification" and spec.target_key == model.y_key else None)

    def steps(self) -> Iterator[Report]:
        previous = torch.get_num_threads()
        try:
            yield from self._steps()
        except (GraphError, DataError) as exc:
            yield ErrorReport(str(exc), getattr(exc, "node", None))
        except Exception as exc:  # noqa: BLE001 - a run must end with a report, never a traceback
            device = str(self.device) if getattr(self, "device", None) is not None else None
            yield ErrorReport(*failures.describe(exc, device))
        finally:
            torch.set_num_threads(previous)

    def _steps(self) -> Iterator[Report]:
        t0 = time.perf_counter()
        try:
            self._setup()
        except (GraphError, DataError) as exc:
            yield ErrorReport(str(exc), getattr(exc, "node", None))
            return
        model, cfg = self.model, self.cfg
        n, bs = len(self.y), cfg["batch_size"]
        steps_per_epoch = max(1, -(-n // bs))
        if n % bs == 1 and steps_per_epoch > 1 and "BatchNorm" in model.node_types.values():
            steps_per_epoch -= 1        # BatchNorm cannot normalise a batch of one: merge it
        yield StartReport(["train"], str(self.device), model.parameter_count(), list(model.dense_ids),
                          list(model.activation_ids),
                          {a: model.params_of[a]["fn"] for a in model.activation_ids},
                          cfg["epochs"], steps_per_epoch, self.task, list(model.bundle.class_names))
        stopper = EarlyStopper(cfg["early_stopping"], self.data.val is not None)
        global_step, epoch, reason = 0, 0, "completed"
        last_sample, last_sample_t = -10**9, 0.0        # the first step is always sampled
        for epoch in range(1, cfg["epochs"] + 1):
            te = time.perf_counter()
            model.train()
            perm = torch.randperm(n, generator=self.gen).to(self.device)
            loss_sum, term_sums = 0.0, {}
            norm_sum = [0.0] * len(self.weights)
            corrects: list[torch.Tensor] = []
            i = -1
            for i in range(steps_per_epoch):
                if not self.control.gate():
                    reason = "stopped"
                    break
                idx = perm[i * bs:(i + 1) * bs] if i < steps_per_epoch - 1 else perm[i * bs:]
                v, terms, loss = self._forward_backward(idx)
                global_step += 1
                norms = None
                if self.telemetry:
                    # one fused norm kernel and one host read per step (FIELD_NOTES: +4.6%)
                    norms = ([float(g) for g in torch._foreach_norm([w.grad for w in self.weights])]
                             if self.weights else [])
                    norm_sum = [a + b for a, b in zip(norm_sum, norms)]
                    if self._scored is not None:     # summed on the device, read once an epoch
                        pred_key, target_key = self._scored
                        corrects.append((self._classes(v[pred_key].detach()) == v[target_key]).sum())
                if not math.isfinite(loss) or (norms and not math.isfinite(sum(norms))):
                    yield self._diverged(v, epoch, i + 1, t0)
                    return
                if cfg["grad_clip"]:
                    clip_gradients(cfg["grad_clip"], model.parameters())
                sample = self.telemetry and (global_step - last_sample >= self.sample_every
                                             or time.perf_counter() - last_sample_t >= self.sample_seconds)
                before = None
                if sample:
                    last_sample, last_sample_t = global_step, time.perf_counter()
                    before = [w.detach().clone() for w in self.weights]
                self.optimizer.step()
                loss_sum += loss
                if len(terms) > 1:
                    for k, t in terms.items():
                        term_sums[k] = term_sums.get(k, 0.0) + t.detach()
                if self.telemetry:
                    yield self._step_report(epoch, i + 1, global_step, loss, terms, norms, v, before)
            else:
                i = steps_per_epoch - 1
            done_steps = i + 1 if reason != "stopped" else i
            if done_steps == 0:
                break
            train = {"loss": loss_sum / done_steps,
                     "terms": ({k: float(s) / done_steps for k, s in term_sums.items()}
                               or {k: loss_sum / done_steps for k in terms})}
            if corrects:
                train["accuracy"] = float(torch.stack(corrects).sum()) / min(n, done_steps * bs)
            val = self.evaluate(self.data.val) if self.data.val is not None else {}
            grad = (dict(zip(model.dense_ids, (g / done_steps for g in norm_sum)))
                    if self.telemetry else {})
            yield EpochReport("train", epoch, train, val, grad, time.perf_counter() - te)
            if reason == "stopped":
                break
            if stopper.update(epoch, train, val, model):
                reason = "early_stopped"
                break
        if stopper.best_state is not None and stopper.restore and reason != "diverged":
            model.load_state_dict(stopper.best_state)
        yield self._done(reason, epoch, stopper.best_epoch, t0)

    # ---- pieces of a step ----------------------------------------------------------------
    def _forward_backward(self, idx: torch.Tensor):
        v = self.model(self.x[idx], self.y[idx])
        terms = self.model.loss_terms(v)
        if self.penalised:
            terms.update(penalty_terms(self.cfg, self.weights))
        total = next(iter(terms.values())) if len(terms) == 1 else sum(terms.values())
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        return v, terms, total.item()

    @staticmethod
    def _classes(pred: torch.Tensor) -> torch.Tensor:
        if pred.shape[1] == 1:
            return (pred[:, 0] > 0).long()
        return pred.argmax(dim=1)

    def _step_report(self, epoch, step, global_step, loss, terms, norms, v, before) -> StepReport:
        ids = self.model.dense_ids
        rep = StepReport(epoch, step, global_step, loss,
                         {k: float(t.detach()) for k, t in terms.items()} if len(terms) > 1
                         else dict.fromkeys(terms, loss),
                         dict(zip(ids, norms)))
        if before is None:
            return rep
        with torch.no_grad():
            # every figure of every layer in a few fused kernels and one host read
            grads = [w.grad for w in self.weights]
            ws = list(self.weights)
            figures = torch.stack([
                torch.stack(torch._foreach_norm(ws)),
                torch.stack(torch._foreach_norm(grads, 1)),
                torch.stack(torch._foreach_norm(torch._foreach_sub(ws, before))),
                torch.stack(torch._foreach_norm(before)),
            ]).tolist()
            for j, (nid, w) in enumerate(zip(ids, ws)):
                rep.weight_norm[nid] = figures[0][j]
                rep.grad_mean_abs[nid] = figures[1][j] / w.numel()
                rep.update_ratio[nid] = figures[2][j] / (figures[3][j] or 1.0)
            fns = {a: self.model.params_of[a]["fn"] for a in self.model.activation_ids}
            activation_stats(v, fns, rep)
            hid = self.histogram_node
            if hid in ids:
                w = self.weights[ids.index(hid)]
                rep.histograms[hid] = {"weight": w.detach().cpu().numpy().ravel().copy(),
                                       "grad": w.grad.detach().cpu().numpy().ravel().copy()}
        return rep

    def _diverged(self, v, epoch: int, step: int, t0: float) -> DoneReport:
        where = locate_non_finite(self.model, v)
        if where:
            nid, what = where
            ntype = self.model.node_types[nid]
            msg = (f"training diverged at epoch {epoch}, step {step}: the {what} of '{nid}' "
                   f"({ntype}) is no longer finite (NaN or Inf); it is the first layer from the "
                   f"input side where that happened. {DIVERGENCE_HINTS}")
        else:
            nid = None
            msg = (f"training diverged at epoch {epoch}, step {step}: the loss is NaN or Inf. "
                   f"{DIVERGENCE_HINTS}")
        return DoneReport("diverged", msg, nid, epoch, None, {}, {}, list(self.model.bundle.class_names),
                          time.perf_counter() - t0)

    def _done(self, reason: str, epoch: int, best: int | None, t0: float) -> DoneReport:
        test = self.evaluate(self.data.test, final=True) if self.data.test is not None else {}
        base = {}
        if self.data.test is not None and self.model.primary.target_key == self.model.y_key:
            ytr, yte = self.data.train.y, self.data.test.y
            if self.task == "regression":
                ytr, yte = self.data.to_user_units(ytr), self.data.to_user_units(yte)
            base = metrics.baseline(self.task, ytr, yte, self.n_classes)
        return DoneReport(reason, "", None, epoch, best, test, base,
                          list(self.model.bundle.class_names), time.perf_counter() - t0)

    @torch.no_grad()
    def evaluate(self, split, final: bool = False) -> dict[str, Any]:
        """Loss and metrics of the current weights on a split (eval mode: no dropout).
        `final` scores with scikit-learn itself; per-epoch figures use the numpy twins."""
        model = self.model
        was_training = model.training
        model.eval()
        x = torch.as_tensor(split.x, device=self.device)
        y = torch.as_tensor(split.y, device=self.device)
        total, preds = 0.0, []
        for s in range(0, len(y), 4096):
            v = model(x[s:s + 4096], y[s:s + 4096])
            terms = model.loss_terms(v)
            total += float(sum(terms.values())) * len(y[s:s + 4096])
            preds.append(v[model.primary.pred_key])
        model.train(was_training)
        out: dict[str, Any] = {"loss": total / max(1, len(y))}
        pred = torch.cat(preds) if preds else torch.empty(0)
        if model.primary.target_key != model.y_key or len(y) == 0:
            return out
        if self.task == "classification":
            score = metrics.classification if final else metrics.classification_fast
            out.update(score(split.y, self._classes(pred).cpu().numpy(), self.n_classes))
        else:
            score = metrics.regression if final else metrics.regression_fast
            out.update(score(self.data.to_user_units(split.y),
                             self.data.to_user_units(pred.cpu().numpy())))
        return out


class EarlyStopper:
    """Watches one figure per epoch; keeps the best weights when asked to restore them."""

    def __init__(self, cfg: dict[str, Any] | None, has_val: bool):
        self.cfg = cfg
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.wait = 0
        self.restore = bool(cfg and cfg["restore_best"])
        monitor = cfg["monitor"] if cfg else "val_loss"
        if monitor.startswith("val_") and not has_val:
            monitor = "train_loss"      # nothing held out: watch the training loss instead
        self.monitor = monitor

    def update(self, epoch: int, train: dict[str, Any], val: dict[str, Any], model) -> bool:
        if not self.cfg:
            return False
        split, _, key = self.monitor.partition("_")
        value = (val if split == "val" else train).get(key)
        if value is None:
            return False
        score = value if key == "loss" else -value      # lower is better
        if self.best is None or score < self.best - self.cfg["min_delta"]:
            self.best, self.best_epoch, self.wait = score, epoch, 0
            if self.restore:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.wait += 1
        return self.wait >= self.cfg["patience"]      # patience N: N epochs without improvement


def train_to_end(doc: GraphDocument, **kwargs: Any) -> list[Report]:
    """Run a graph headless to the end and return its epoch/start/done reports (for tests)."""
    run = Run(doc, **kwargs)
    return [r for r in run.steps() if not isinstance(r, StepReport)]


__all__ = ["Run", "Control", "train_to_end"]
