"""A paused run's faces (an autoencoder's reconstructions and codes, an RBM's pictures, a GAN's
samples) are of the weights it holds, however old its last sampled step: the run yields a
FacesReport before it waits, and Run.fresh_faces serves the moments a caller holds it itself."""
from __future__ import annotations

import numpy as np

from engine import graph
from engine.telemetry import DoneReport, EpochReport, StepReport
from engine.training.trainer import Run
from engine.training.watch import FacesReport
from tests.conftest import GRAPHS

RARE = {"sample_every": 10**9, "sample_seconds": 1e9}     # the first step's sample, no other


def lesson(name: str, epochs: int) -> graph.GraphDocument:
    doc = graph.load(GRAPHS / f"{name}.json")
    doc.training["epochs"] = epochs
    return doc


def recon_error(images: dict) -> float:
    entry = images["dec"]
    return float(np.mean((entry["recon"] - entry["input"]) ** 2))


def test_a_pause_yields_the_faces_of_the_step_it_holds_and_each_single_step_its_own():
    run = Run(lesson("autoencoder", 2), **RARE)
    gen = run.steps()
    steps = []
    for rep in gen:
        assert not isinstance(rep, FacesReport), "not paused: no sample beyond the budget's"
        if isinstance(rep, StepReport):
            steps.append(rep)
            if rep.global_step == 30:
                break
    assert [r.global_step for r in steps if r.images] == [1]
    run.pause()
    faces = next(gen)                      # before the loop waits at the gate
    assert isinstance(faces, FacesReport)
    assert (faces.phase, faces.epoch, faces.step, faces.global_step) == ("train", 2, 9, 30)
    assert set(faces.images) == {"dec"} and set(faces.codes) == {"enc"}
    assert recon_error(faces.images) < 0.75 * recon_error(steps[0].images)
    assert run.fresh_faces() is None       # those are the weights' faces already

    run.step_once()
    one = next(gen)
    assert isinstance(one, StepReport) and one.global_step == 31 and not one.images
    again = next(gen)
    assert isinstance(again, FacesReport) and again.global_step == 31
    assert not np.array_equal(again.images["dec"]["recon"], faces.images["dec"]["recon"])

    run.stop()
    rest = list(gen)
    assert [type(r) for r in rest] == [EpochReport, DoneReport]
    assert rest[-1].reason == "stopped"


def test_held_at_an_epoch_the_caller_takes_the_faces_and_the_run_adds_none():
    run = Run(lesson("autoencoder", 3), **RARE)
    gen = run.steps()
    last = None
    for rep in gen:
        if isinstance(rep, StepReport):
            last = rep
        if isinstance(rep, EpochReport):
            break
    run.pause()                            # as the app's training thread does at --after-epochs
    faces = run.fresh_faces()
    assert faces is not None and faces.global_step == last.global_step == last.step
    assert run.fresh_faces() is None
    run.stop()
    rest = list(gen)
    assert not any(isinstance(r, FacesReport) for r in rest)


def test_pausing_leaves_the_training_as_it_would_have_been():
    """The pause's sample runs the model in eval mode on fixed inputs: no random draw of the
    run's (a VAE's noise, a dropout mask) moves, so the losses are those of a run never paused."""
    straight = [r.loss for r in Run(lesson("vae", 1), **RARE).steps() if isinstance(r, StepReport)]
    run = Run(lesson("vae", 1), **RARE)
    gen = run.steps()
    losses, seen = [], []
    for rep in gen:
        seen.append(type(rep))
        if isinstance(rep, StepReport):
            losses.append(rep.loss)
            if rep.global_step in (3, 7):
                run.pause()
                faces = next(gen)
                assert isinstance(faces, FacesReport) and faces.global_step == rep.global_step
                run.resume()
    assert losses == straight
    assert FacesReport not in seen


def test_without_faces_a_pause_yields_nothing_more():
    run = Run(lesson("mlp_digits", 1), **RARE)
    gen = run.steps()
    for rep in gen:
        if isinstance(rep, StepReport) and rep.global_step == 5:
            break
    run.pause()
    run.step_once()
    assert isinstance(next(gen), StepReport)
    run.stop()
    assert not any(isinstance(r, FacesReport) for r in gen)
    assert run.fresh_faces() is None
