"""The training loop every plan shares.

It runs a plan's phases epoch by epoch and batch by batch, and owns everything that is the same
whatever is being trained: the control gate (pause, single step, slow motion, stop), shuffling
and batching, backward, the NaN/Inf check and where it began, gradient clipping, telemetry,
epoch totals, early stopping per phase, and the reports. See plans/__init__.py for what a plan
supplies.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import torch

from engine.telemetry import DoneReport, EpochReport, Report, StartReport, StepReport
from engine.training.autoencoders import AutoencoderWatch
from engine.training.gans import GanWatch
from engine.training.plans import Phase, Plan
from engine.training.probes import locate_non_finite
from engine.training.rbms import RBMWatch
from engine.training.stopping import EarlyStopper
from engine.training.watch import NEVER, FacesReport, GradientWatch, Sampler, sampled_figures

GATHER_ROWS = 16384      # rows gathered at once for an epoch's batches (see Loop._batches)
DIVERGENCE_HINTS = ("What usually helps: a lower learning rate; gradient clipping "
                    "(training.grad_clip); He or Xavier initialisation with init_scale 1; ReLU "
                    "instead of sigmoid in deep stacks; a BatchNorm after each Dense.")


class Loop:
    def __init__(self, run: Any, ctx: Any, plan: Plan, level: str):
        self.run, self.ctx, self.plan = run, ctx, plan
        self.cfg = run.cfg
        self.watch = GradientWatch(ctx.model, self.cfg["grad_clip"], level,
                                   sizes=getattr(run, "gradient_sizes", True) or level == "full")
        self.full = level == "full"
        self.observe = level != "off"       # the plan's running figures (training accuracy)
        self.sampler = Sampler(run.sample_every, run.sample_seconds)
        self.optimizers = plan.optimizers()
        # the parameters each optimizer updates, to drop their gradients before a backward:
        # Optimizer.zero_grad does the same behind a profiler record and a grouping pass, about
        # 10 us a step on a small network against 0.5 us for the plain loop
        self._params_of = {name: [p for g in opt.param_groups for p in g["params"]]
                           for name, opt in self.optimizers.items()}
        # an autoencoder's pictures, codes and code figures; None for other graphs
        self.codes = AutoencoderWatch.for_run(ctx, self.cfg["seed"]) if self.observe else None
        # an RBM's pictures and filters while it pretrains; None for other graphs
        self.rbms = RBMWatch.for_run(ctx) if self.full else None
        # a GAN generator's samples of a fixed noise batch; None for other graphs
        self.gans = GanWatch.for_run(ctx, self.cfg["seed"]) if self.full else None
        # the faces' sample is kept current at a pause: the sampler's budget leaves the last
        # sample up to `sample_every` steps old, and a paused run is looked at closely
        self.faces = self.full and any(w is not None for w in (self.codes, self.rbms, self.gans))
        self._last: StepReport | None = None          # the newest step report
        self._faces_of: StepReport | None = None      # the step report the faces were sampled at

    def batch_size(self, phase: Phase) -> int:
        return phase.batch_size or self.cfg["batch_size"]

    def batches(self, phase: Phase) -> int:
        """Steps per epoch of a phase. A last batch smaller than some block accepts (BatchNorm:
        one example) joins the one before it."""
        n, bs = len(self.ctx.y), self.batch_size(phase)
        steps = max(1, -(-n // bs))
        if 0 < n % bs < self.ctx.model.min_batch and steps > 1:
            steps -= 1
        return steps

    def reports(self) -> Iterator[Report]:
        try:
            yield from self._reports()
        finally:
            self.watch.close()

    def _reports(self) -> Iterator[Report]:
        t0 = time.perf_counter()
        ctx, model = self.ctx, self.ctx.model
        phases = self.plan.phases()
        steps = [self.batches(p) for p in phases]
        yield StartReport([p.name for p in phases], str(ctx.device), model.parameter_count(),
                          list(model.watched_ids), list(model.activation_ids),
                          dict(model.activation_fns), sum(p.epochs for p in phases), steps[0],
                          self.plan.task or ctx.task, list(ctx.class_names),
                          phase_epochs=[p.epochs for p in phases], phase_steps=steps)
        epochs_run, best, reason = 0, None, "completed"
        for phase, phase_steps in zip(phases, steps):
            outcome = yield from self._phase(phase, phase_steps, t0)
            if isinstance(outcome, DoneReport):       # diverged
                yield outcome
                return
            reason, ran, best = outcome
            epochs_run += ran
            if reason == "stopped":
                break
        test, baseline = self.plan.final_figures()
        yield DoneReport(reason, "", None, epochs_run, best, test, baseline,
                         list(ctx.class_names), time.perf_counter() - t0)

    def _phase(self, phase: Phase, steps: int, t0: float):
        ctx, model = self.ctx, self.ctx.model
        control, watch, plan = self.run.control, self.watch, self.plan
        gate = control.gate
        with_faces = self.faces
        progress = getattr(self.run, "progress", None)
        n, bs = len(ctx.y), self.batch_size(phase)
        stopper = EarlyStopper(phase.early_stopping, ctx.data.val is not None)
        reason, epoch, global_step = "completed", 0, 0
        # global_step restarts with each phase: so does the sampler's count, and a phase's first
        # step is sampled (a new RBM's noise filters show at once)
        self.sampler.last_step = NEVER
        for epoch in range(1, phase.epochs + 1):
            te = time.perf_counter()
            model.train()
            perm = torch.randperm(n, generator=ctx.generator).to(ctx.device)
            batches = self._batches(perm, steps, bs)
            watch.epoch_started()
            plan.epoch_started(phase)
            loss_sum, term_sums, names = 0.0, {}, []
            done = 0
            for i in range(steps):
                if with_faces and control.paused:
                    # before the gate holds the loop: the training thread is the only one that
                    # may run the model, and it waits there until resumed
                    yield from self._faces_now()
                if not gate():
                    reason = "stopped"
                    break
                # a single step may be limited to one optimizer's update (a GAN's discriminator)
                only = control.batch_only if control.batch_only in self.optimizers else None
                xb, yb = next(batches)
                updates = plan.updates(phase, xb, yb)
                for update in updates:
                    if only is not None and update.optimizer != only:
                        continue
                    optimizer = self.optimizers[update.optimizer]
                    if update.backward:
                        for p in self._params_of[update.optimizer]:
                            p.grad = None
                        update.loss.backward()
                    loss, finite, raw, used = watch.after_backward(update.loss, not update.backward)
                    if not finite:
                        return self._diverged(update.values, epoch, i + 1, t0)
                    if self.observe:
                        plan.observe(update)
                    sample = self.full and self.sampler.due(global_step + 1)
                    if sample:
                        began = time.perf_counter()
                        before = [w.detach().clone() for w in watch.tensors]
                    optimizer.step()
                    global_step += 1
                    loss_sum += loss
                    terms = update.terms
                    names = names or list(terms)
                    if len(terms) > 1:
                        for k, t in terms.items():
                            term_sums[k] = term_sums.get(k, 0.0) + t.detach()
                    if self.full:
                        rep = self._step_report(epoch, i + 1, global_step, loss, terms, raw, used)
                        rep.phase = phase.name
                        if sample:
                            sampled_figures(rep, model, watch, before, update.values,
                                            self.run.histogram_node)
                            self._sample_faces(rep, phase.name)
                            self.sampler.taken(global_step, began)
                        elif with_faces and control.delay_s > 0:
                            # slow motion: a pause lands most often in the wait before a batch,
                            # inside the gate, after the check above; each step's faces are
                            # then current already, at no cost that matters beside the wait
                            self._sample_faces(rep, phase.name)
                        self._last = rep
                        yield rep
                    if only is not None:
                        updates.close()
                        break
                done = i + 1
                if progress is not None:
                    progress(phase.name, epoch, done, steps)
            if done == 0:
                break
            train = {"loss": loss_sum / done,
                     "terms": ({k: float(s) / done for k, s in term_sums.items()}
                               or {k: loss_sum / done for k in names})}
            train.update(plan.epoch_figures(done, min(n, done * bs)))
            val = plan.evaluate(ctx.data.val) if ctx.data.val is not None else {}
            used_mean, raw_mean = watch.epoch_means(done)
            codes = self.codes.epoch_figures() if self.codes is not None else {}
            yield EpochReport(phase.name, epoch, train, val, used_mean,
                              time.perf_counter() - te, raw_mean, **codes)
            if with_faces and control.paused:
                # paused at this epoch's end: sampled now, while the phase's weights are still
                # these (the next phase may restore the best ones, or train another RBM)
                yield from self._faces_now()
            if reason == "stopped":
                break
            if stopper.update(epoch, train, val, model):
                reason = "early_stopped"
                break
        if stopper.best_state is not None and stopper.restore:
            model.load_state_dict(stopper.best_state)
            self._faces_of = None       # the faces show weights the model no longer has
        return reason, epoch, stopper.best_epoch

    def _sample_faces(self, rep: StepReport | FacesReport, phase: str) -> None:
        if self.codes is not None:
            self.codes.sample(rep)
        if self.rbms is not None:
            self.rbms.sample(rep, phase)
        if self.gans is not None:
            self.gans.sample(rep)
        self._faces_of = self._last if isinstance(rep, FacesReport) else rep

    def _faces_now(self) -> Iterator[FacesReport]:
        faces = self.fresh_faces()
        if faces is not None:
            yield faces

    def fresh_faces(self) -> FacesReport | None:
        """The faces of the weights as the last step left them, or None when the last sample
        is of those already, no step was taken yet, or nothing has a face. Only between two
        reports: it runs the model."""
        last = self._last
        if not self.faces or last is None or last is self._faces_of:
            return None
        rep = FacesReport(last.phase, last.epoch, last.step, last.global_step)
        self._sample_faces(rep, last.phase)
        return rep if rep.images or rep.codes else None

    def _batches(self, perm: torch.Tensor, steps: int, bs: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """An epoch's batches, in the order perm gives. Rows are gathered a block of batches at
        a time and each batch is a slice of its block: one gather a batch cost a small network's
        step some 25 us (two index calls), a slice about 1. The same rows as indexing each
        batch, so the same numbers."""
        x, y = self.ctx.x, self.ctx.y
        per_block = max(1, GATHER_ROWS // bs)
        for first in range(0, steps, per_block):
            last = min(steps, first + per_block)
            lo, hi = first * bs, (last * bs if last < steps else len(perm))
            idx = perm[lo:hi]
            xs, ys = x[idx], y[idx]
            for i in range(first, last):
                a = (i - first) * bs
                b = a + bs if i < steps - 1 else hi - lo     # the last batch takes the rest
                yield xs[a:b], ys[a:b]

    def _step_report(self, epoch, step, global_step, loss, terms, raw, used) -> StepReport:
        ids = self.watch.ids
        used_d = dict(zip(ids, used)) if used is not None else {}
        raw_d = used_d if raw is used else dict(zip(ids, raw))
        return StepReport(epoch, step, global_step, loss,
                          {k: float(t.detach()) for k, t in terms.items()} if len(terms) > 1
                          else dict.fromkeys(terms, loss), used_d, grad_norm_raw=raw_d)

    def _diverged(self, values, epoch: int, step: int, t0: float) -> DoneReport:
        model = self.ctx.model
        where = locate_non_finite(model, values)
        if where:
            nid, what = where
            msg = (f"training diverged at epoch {epoch}, step {step}: the {what} of '{nid}' "
                   f"({model.node_types[nid]}) is no longer finite (NaN or Inf); it is the first "
                   f"layer from the input side where that happened. {DIVERGENCE_HINTS}")
        else:
            nid = None
            msg = (f"training diverged at epoch {epoch}, step {step}: the loss is NaN or Inf. "
                   f"{DIVERGENCE_HINTS}")
        return DoneReport("diverged", msg, nid, epoch, None, {}, {}, list(self.ctx.class_names),
                          time.perf_counter() - t0)

