"""The life of training runs in the app: the one object the main window talks to.

A TrainingSession makes an engine Run from the open graph, drives it in a TrainingWorker thread,
locks graph editing while a run is active, colours the canvas by gradient norm, badges vanishing,
exploding and dead layers, and points at the layer where a run diverged. Its QActions (Run,
Pause, Step, Stop, Reset weights) are what buttons, menus and shortcuts trigger.

What the buttons do:
- Run starts a fresh run (fresh initialisation from the graph's seed) when none is active, and
  resumes a paused one. After Stop or the end of a run, Run starts a fresh run: the engine's run
  is over once its generator ends, so there is nothing left to continue.
- Pause holds the run between two batches; Step lets exactly one batch through and pauses (from
  idle it starts a run paused, then steps).
- Stop ends the run at the next batch boundary; the engine then reports the epoch so far and the
  test figures of the weights it has, so the dashboard ends with real numbers.
- Step D and Step G (shown for a GAN only) let one batch through that updates only the
  discriminator, or only the generator, and pause: GAN Lab's two half steps.
- Reset weights throws the current run and its history away. A running (or paused) run is
  replaced by a fresh one in the same state; when idle, the dashboard and canvas are cleared.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence

from engine import blocks
from engine.graph import GraphDocument
from engine.telemetry import DoneReport, ErrorReport, StartReport
from engine.training.trainer import Run
from gui.canvas.live_face import clear_unit_pictures, show_unit_pictures
from gui.training import gradient_scale as scale
from gui.training.badges import Thresholds, badges_for
from gui.training.decode_mailbox import DecodeMailbox
from gui.training.gan_mailbox import GanMailbox, field
from gui.training.gibbs_mailbox import GibbsMailbox
from gui.training.phases import node_marks
from gui.training.run_state import RunState
from gui.training.unit_mailbox import UnitPicturesBox
from gui.training.worker import TrainingWorker

CANVAS_LEVELS = 49                # 1e-8..1e4 in quarter decades
OVERLAY_INTERVAL_MS = 200        # canvas colours are smoothed over steps: 5 a second show it all
SWITCH_INTERVAL_S = 0.001        # let the GUI thread get the GIL back quickly (UI lateness p99
                                 # 7.6 -> 5.3 ms beside a training thread, measured)
SHUTDOWN_TIMEOUT_S = 10.0
ADVERSARIAL = "adversarial"      # the plan a GAN's blocks ask for (Block.plan)
SAMPLES_FACE = "samples"         # the face of the block a GAN's samples are filed under


def _join(worker: TrainingWorker) -> None:
    """Wait for a thread that has said it finished, sleeping (which lets go of the GIL) rather
    than in QThread.wait(), which holds the GIL and deadlocks if the thread still needs it on
    its way out (seen: the worker stuck in a Python slot, the GUI thread in wait())."""
    while worker.isRunning():
        time.sleep(0.001)
    worker.wait()


class TrainingSession(QObject):
    """Owns the current Run, its worker and its RunState. Lives in the GUI thread."""

    state_changed = Signal(str)          # idle | running | paused | stopping
    state_replaced = Signal(object)      # a new RunState (a new run, or cleared): views reset
    run_started = Signal(object)         # StartReport
    epoch_ended = Signal(object)         # EpochReport
    run_finished = Signal(object)        # DoneReport or ErrorReport
    histogram_node_changed = Signal(str)
    thresholds_changed = Signal(object)

    state_factory = RunState             # what each run's history is kept in (benches time it)

    def __init__(self, get_doc: Callable[[], GraphDocument],
                 data_dir: Callable[[], str | None] = lambda: None,
                 scene: Any = None, lock: Callable[[bool], None] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._get_doc, self._data_dir = get_doc, data_dir
        self.scene, self._lock = scene, lock
        self.state = RunState()
        self.run: Run | None = None
        self.worker: TrainingWorker | None = None
        self.status = "idle"
        self.launching = False          # true while a new run's state replaces the old one
        self.thresholds = Thresholds()
        self.delay_s = 0.0
        self.device: str | None = None          # None: as the graph's training.device says
        self.histogram_node: str | None = None
        self._pending: str | None = None        # "running" | "paused": start again once idle
        # saved weights (an opened model file's) the next run starts from instead of fresh ones
        self.start_weights: dict[str, Any] | None = None
        self.start_weights_from = ""
        self.run_note = ""                      # what the progress line adds about this run
        self.pause_after_epochs: int | None = None   # the next run's worker pauses there (--after-epochs)
        self._switch_interval: float | None = None
        self._overlay_pushed: tuple | None = None
        self._faces_pushed = 0                  # the sample (serial) the canvas cards show
        self._faces: dict[str, str] = {}        # node id -> the face its block declares
        self.decode_problem = ""
        self.gibbs_problem = ""
        self.gan_problem = ""
        self.mailbox = DecodeMailbox()          # decodes the training thread makes for the GUI
        self.gibbs_mailbox = GibbsMailbox()     # ...and Gibbs chains of RBMs
        self.gan_mailbox = GanMailbox()         # ...and a GAN's heat map, samples and arrows
        self.units = UnitPicturesBox()          # ...and hidden units' pictures over a 2-D plane
        self._units_pushed = 0                  # the set (serial) the canvas shows
        self._marks_pushed: dict | None = None  # what the canvas marks on pretrained nodes
        self._overlay_timer = QTimer(self)
        self._overlay_timer.setInterval(OVERLAY_INTERVAL_MS)
        self._overlay_timer.timeout.connect(self._push_overlay)
        self._make_actions()
        self._sync_actions()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ---- actions ---------------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text: str, tip: str, key: str | None, slot) -> QAction:
            a = QAction(text, self)
            a.setToolTip(f"{tip} ({key})" if key else tip)
            if key:
                a.setShortcut(QKeySequence(key))
            a.triggered.connect(slot)
            return a

        # F5 is presenter mode's, as in slide shows; Ctrl+Enter runs, as a notebook cell does
        self.run_action = action("Run", "Train the graph; resumes a paused run", "Ctrl+Return",
                                 self.start)
        self.pause_action = action("Pause", "Hold the run between two batches", "F6",
                                   self._pause_toggled)
        self.pause_action.setCheckable(True)
        self.step_action = action("Step", "Train on exactly one batch, then pause", "F10",
                                  self.step)
        self.stop_action = action("Stop", "End the run; the test figures of the weights so far "
                                          "are still reported", "Shift+F5", self.stop)
        self.reset_action = action("Reset weights", "Start again from freshly initialised weights",
                                   None, self.reset_weights)
        # GAN Lab's half steps; shown only while the graph is a GAN (`sync_adversarial`)
        self.step_d_action = action("Step D", "Update the discriminator alone on one batch, the "
                                    "generator left as it is, then pause", None,
                                    self.step_discriminator)
        self.step_g_action = action("Step G", "Update the generator alone on one batch, the "
                                    "discriminator left as it is, then pause", None,
                                    self.step_generator)
        for a in (self.step_d_action, self.step_g_action):
            a.setVisible(False)
        self.actions = [self.run_action, self.pause_action, self.step_action, self.stop_action,
                        self.reset_action, self.step_d_action, self.step_g_action]

    def _sync_actions(self) -> None:
        s = self.status
        self.run_action.setEnabled(s in ("idle", "paused"))
        self.run_action.setText("Resume" if s == "paused" else "Run")
        self.pause_action.setEnabled(s in ("running", "paused"))
        self.pause_action.setChecked(s == "paused")
        self.step_action.setEnabled(s in ("idle", "running", "paused"))
        self.step_d_action.setEnabled(s in ("idle", "running", "paused"))
        self.step_g_action.setEnabled(s in ("idle", "running", "paused"))
        self.stop_action.setEnabled(s in ("running", "paused"))
        self.reset_action.setEnabled(s != "stopping")

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.units.eager = status == "paused"     # each single step shows its pictures
            self._sync_actions()
            self.state_changed.emit(status)

    @property
    def title(self) -> str:
        """The title of the graph being (or last) trained."""
        return str(self.run.doc.meta.get("title", "")) if self.run is not None else ""

    @property
    def active(self) -> bool:
        """A worker thread exists (running, paused or stopping)."""
        return self.worker is not None

    # ---- commands --------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """Run: resume a paused run, or start a fresh one."""
        if self.status == "paused":
            self.run.resume()
            self._set_status("running")
        elif self.status == "idle":
            self._launch(paused=False)

    @Slot()
    def pause(self) -> None:
        if self.status == "running":
            self.run.pause()
            self._set_status("paused")

    @Slot()
    def resume(self) -> None:
        if self.status == "paused":
            self.start()

    @Slot(bool)
    def _pause_toggled(self, checked: bool) -> None:
        self.pause() if checked else self.resume()
        self._sync_actions()

    @Slot()
    def step(self) -> None:
        if self.status == "idle":
            self._launch(paused=True)
        if self.status in ("running", "paused"):
            self.run.step_once()
            self._set_status("paused")

    @Slot()
    def step_discriminator(self) -> None:
        """A GAN: one discriminator update on the next batch, then pause (from idle it starts a
        run paused first)."""
        self._half_step(lambda run: run.step_discriminator())

    @Slot()
    def step_generator(self) -> None:
        """A GAN: one generator update on the next batch, then pause."""
        self._half_step(lambda run: run.step_generator())

    def _half_step(self, take: Callable[[Run], None]) -> None:
        if self.status == "idle":
            self._launch(paused=True)
        if self.status in ("running", "paused"):
            take(self.run)
            self._set_status("paused")

    def adversarial(self) -> bool:
        """The graph of the run (while one is active), else the open graph, trains as a GAN:
        one of its blocks asks for the adversarial plan."""
        doc = self.run.doc if self.run is not None and self.active else self._get_doc()
        return doc is not None and any(getattr(blocks.get(n.type), "plan", None) == ADVERSARIAL
                                       for n in doc.nodes.values())

    @Slot()
    def sync_adversarial(self) -> None:
        """Show the half-step actions for a GAN only (call when the open graph changes)."""
        gan = self.adversarial()
        for a in (self.step_d_action, self.step_g_action):
            if a.isVisible() != gan:
                a.setVisible(gan)

    @Slot()
    def stop(self) -> None:
        if self.status in ("running", "paused"):
            self.run.stop()
            self._set_status("stopping")

    def set_start_weights(self, weights: dict[str, Any] | None, source: str) -> None:
        """Start the next runs from these weights (a model file's, named by `source`), or
        from fresh ones again (None)."""
        self.start_weights, self.start_weights_from = weights, source

    @Slot()
    def reset_weights(self) -> None:
        self.set_start_weights(None, "")       # fresh means fresh, saved weights included
        if self.status in ("running", "paused"):
            self._pending = self.status
            self.worker.abort()
            self._set_status("stopping")
        elif self.status == "idle":
            self._replace_state(RunState())
            self._clear_canvas()

    def set_delay(self, seconds: float) -> None:
        """Slow motion: a pause after every batch (0 is full speed). Applies at once."""
        self.delay_s = max(0.0, float(seconds))
        if self.run is not None:
            self.run.control.delay_s = self.delay_s

    def set_device(self, device: str | None) -> None:
        """'cpu', 'cuda', 'auto', or None for the graph's own setting; used by the next run."""
        self.device = device

    def select_node(self, node_id: str | None) -> None:
        """The layer whose weight and gradient histograms are sampled (a Dense node id)."""
        if not node_id or node_id == self.histogram_node:
            return
        layers = self.state.start.layers if self.state.start else None
        if layers is not None and node_id not in layers:
            return
        self.histogram_node = node_id
        if self.run is not None:
            self.run.histogram_node = node_id      # read by the worker at its next sample
        self.histogram_node_changed.emit(node_id)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self._overlay_pushed = None
        self._push_overlay()
        self.thresholds_changed.emit(thresholds)

    def faces(self) -> dict[str, str]:
        """What the nodes of the current (or last) run's graph draw while training, as their
        blocks declare it (capability `face`): node id -> 'reconstructions' | 'code' | 'rbm'."""
        return self._faces

    def node_params(self, node_id: str) -> dict[str, Any]:
        """A node's params as the current (or last) run has them (the run's own copy of the
        graph, which the editor cannot change under it); {} when unknown."""
        node = self.run.doc.nodes.get(node_id) if self.run is not None else None
        return dict(node.params) if node is not None else {}

    def run_edges(self) -> list[tuple[str, str]]:
        """(source id, destination id) of every edge of the current (or last) run's graph."""
        return [(e.src, e.dst) for e in self.run.doc.edges] if self.run is not None else []

    def decodes_in_background(self) -> bool:
        """A training thread is running (not paused): decode through `mailbox`, which that
        thread serves between steps, rather than with `decode` here (see decode_mailbox.py)."""
        return self.status == "running" and self.worker is not None

    def decode(self, node_id: str, z: np.ndarray) -> np.ndarray | None:
        """Latent points (k, units) through the decoding block `node_id` of the current or last
        run: (k, rows, cols) images in [0, 1]. None before the run has built its model (the
        GUI thread never prepares a run: that loads data and compiles) or when it cannot
        decode. The engine's decode runs without gradients and never switches train/eval
        modes, so it is safe beside the training thread. Why it could not is in
        `decode_problem` ('' after a decode that worked)."""
        run = self.run
        if run is None or run.context is None:
            self.decode_problem = "no trained model yet: press Run"
            return None
        try:
            images = np.asarray(run.decode(node_id, np.asarray(z, np.float32)))
        except Exception as exc:  # noqa: BLE001 - a failed decode shows as no picture, with why
            self.decode_problem = f"cannot decode at '{node_id}': {type(exc).__name__}: {exc}"
            return None
        self.decode_problem = ""
        return images

    def gibbs(self, node_id: str, chain: dict[str, int]) -> np.ndarray | None:
        """Run.gibbs(node_id, **chain) of the current or last run: (frames, n, rows, cols)
        pictures of a Gibbs chain of an RBM from noise, here in the GUI thread (use
        `gibbs_mailbox` while a training thread runs). None, with why in `gibbs_problem`,
        before the run has built its model or when the chain cannot run."""
        run = self.run
        if run is None or run.context is None:
            self.gibbs_problem = "no trained model yet: press Run"
            return None
        try:
            frames = np.asarray(run.gibbs(node_id, **chain))
        except Exception as exc:  # noqa: BLE001 - a failed chain shows as no picture, with why
            self.gibbs_problem = GibbsMailbox.failed(node_id, exc)
            return None
        self.gibbs_problem = ""
        return frames

    def gan_field(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """gan_mailbox.field(run, request) of the current or last run, here in the GUI thread
        (use `gan_mailbox` while a training thread runs). None, with why in `gan_problem`,
        before the run has built its model or when it cannot answer."""
        run = self.run
        if run is None or run.context is None:
            self.gan_problem = "no trained model yet: press Run"
            return None
        try:
            answer = field(run, request)
        except Exception as exc:  # noqa: BLE001 - a failed request shows as no picture, with why
            self.gan_problem = GanMailbox.failed(self.gan_node() or "?", exc)
            return None
        self.gan_problem = ""
        return answer

    def gan_node(self) -> str | None:
        """The node whose face shows a GAN's samples (its Generator), or None."""
        return next((nid for nid, face in self._faces.items() if face == SAMPLES_FACE), None)

    # ---- lifecycle -------------------------------------------------------------------------
    def _launch(self, paused: bool) -> None:
        doc = self._get_doc()
        self.run = run = Run(doc, data_dir=self._data_dir(), device=self.device,
                             weights=self.start_weights)
        self.run_note = (f"continuing from the saved weights of {self.start_weights_from}"
                         if self.start_weights is not None else "")
        run.control.delay_s = self.delay_s
        if paused:
            run.pause()
        layers = [n.id for n in doc.nodes.values() if blocks.watched_by_telemetry(n.type)]
        if self.histogram_node not in layers:
            self.histogram_node = layers[0] if layers else None
        run.histogram_node = self.histogram_node
        self._faces = {n.id: face for n in doc.nodes.values()
                       if (face := getattr(blocks.get(n.type), "face", None))}
        self.sync_adversarial()
        self.launching = True           # views may keep the last run's outcome on show
        try:
            self._replace_state(self.state_factory())
        finally:
            self.launching = False
        self.mailbox = DecodeMailbox()
        self.gibbs_mailbox = GibbsMailbox()
        self.gan_mailbox = GanMailbox()
        self.units = UnitPicturesBox()
        self.units.eager = paused
        self.worker = w = TrainingWorker(run, self.state, mailbox=self.mailbox,
                                         mailboxes=(self.gibbs_mailbox, self.gan_mailbox),
                                         units=self.units)
        w.pause_after_epochs = self.pause_after_epochs
        w.run_started.connect(self._on_started)
        w.epoch_ended.connect(self._on_epoch)
        w.run_done.connect(self._on_done)
        w.run_failed.connect(self._on_failed)
        w.finished.connect(self._on_thread_finished)
        self._clear_canvas()
        if self._lock:
            self._lock(True)
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._set_status("paused" if paused else "running")
        w.start()
        self._overlay_timer.start()

    def _replace_state(self, state: RunState) -> None:
        self.state = state
        self.state_replaced.emit(state)

    @Slot(object)
    def _on_started(self, rep: StartReport) -> None:
        if self.histogram_node and self.histogram_node in rep.layers:
            self.histogram_node_changed.emit(self.histogram_node)
        self.run_started.emit(rep)

    @Slot(object)
    def _on_epoch(self, rep) -> None:
        self.epoch_ended.emit(rep)

    @Slot(object)
    def _on_done(self, rep: DoneReport) -> None:
        self._push_overlay()
        if rep.reason == "diverged" and self.scene is not None:
            self.scene.highlight_node(rep.node, rep.message)
        self.run_finished.emit(rep)

    @Slot(object)
    def _on_failed(self, rep: ErrorReport) -> None:
        if self.scene is not None and rep.node:
            self.scene.highlight_node(rep.node, rep.message)
        self.run_finished.emit(rep)

    @Slot()
    def _on_thread_finished(self) -> None:
        worker, self.worker = self.worker, None
        if worker is None:          # shutdown() already tidied up; this is the queued signal
            return
        _join(worker)
        worker.deleteLater()
        self._overlay_timer.stop()
        self._push_overlay()
        self._set_status("idle")
        pending, self._pending = self._pending, None
        if pending:
            self._launch(paused=pending == "paused")
            return
        self._idle_restore()

    def _idle_restore(self) -> None:
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if self._lock:
            self._lock(False)

    @Slot()
    def shutdown(self) -> None:
        """End any run now and wait for its thread, keeping the event loop alive meanwhile (a
        plain QThread.wait() here can deadlock against the worker's Python code)."""
        self._pending = None
        worker = self.worker
        if worker is None:
            return
        worker.abort()
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT_S
        # processEvents may deliver `finished` (then _on_thread_finished lets go of the worker
        # and deletes it later) and, called outside any event loop, that deferred delete too:
        # past that point the worker must not be touched (seen: "already deleted")
        while self.worker is worker and worker.isRunning() and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.01)
        if self.worker is not worker:
            return
        if worker.isRunning():
            # stuck in something that cannot be interrupted (a huge batch, a slow disk): leave
            # it rather than hang the window on a wait
            print(f"warning: the training thread did not end within {SHUTDOWN_TIMEOUT_S:.0f} s",
                  file=sys.stderr)
            return
        QCoreApplication.processEvents()       # deliver finished: _on_thread_finished tidies up
        if self.worker is worker:
            self._on_thread_finished()

    # ---- canvas ----------------------------------------------------------------------------
    def overlay(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The colours and badges the canvas shows now: smoothed gradient norm per Dense layer.
        None while a node pretrains alone (an RBM): its update is not a backpropagated gradient,
        and every other layer's is zero, which would read as vanishing everywhere."""
        phases, phase, _epoch, _ended = self.state.progress()
        if phases.pretrained_node(phase) is not None:
            return {}, {}
        norms, dead = self.state.overlay_figures()
        # four steps a decade: the canvas repaints a node only when its colour visibly changes,
        # and a repaint of the whole canvas is what the GUI thread spends longest on
        colors = {nid: scale.color_for(n, CANVAS_LEVELS) for nid, n in norms.items()}
        return colors, badges_for(norms, dead, self.thresholds)

    @Slot()
    def _push_overlay(self) -> None:
        if self.scene is None:
            return
        # autoencoders' cards (reconstructions, code bars): only when a new sample came
        serial, step, images, codes = self.state.faces()
        if serial and serial != self._faces_pushed:
            self._faces_pushed = serial
            self.scene.set_live_faces(images, codes, step)
        serial, pictures = self.units.latest()
        if serial != self._units_pushed:
            self._units_pushed = serial
            # a block that draws a face of its own keeps it
            show_unit_pictures(self.scene, {k: v for k, v in pictures.items()
                                            if k not in self._faces})
        colors, badges = self.overlay()
        key = (tuple((k, c.rgb()) for k, c in colors.items()), tuple(badges.items()))
        if key != self._overlay_pushed and (colors or self._overlay_pushed):
            self._overlay_pushed = key
            self.scene.set_training_overlay(colors, badges)
        # pretraining, layer by layer: which node trains, which are done, which wait
        marks = node_marks(*self.state.progress())
        if marks != self._marks_pushed and (marks or self._marks_pushed):
            self._marks_pushed = marks
            self.scene.set_phase_marks(marks)

    def _clear_canvas(self) -> None:
        self._overlay_pushed = None
        self._faces_pushed = 0
        self._units_pushed = self.units.latest()[0]      # a reset keeps the old set off
        self._marks_pushed = None
        if self.scene is not None:
            self.scene.highlight_node(None, "")
            self.scene.clear_training_overlay()
            clear_unit_pictures(self.scene)
