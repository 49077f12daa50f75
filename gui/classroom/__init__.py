"""What a teacher uses in front of a class: presenter mode, the lesson gallery, one-click
experiments and the locks a lesson file can put on its panels, params and blocks.

Each feature is a module with `install(window)`, called once the main window is built; it adds
its own menu entries, shortcuts and panels, so the window's shell stays small.
"""
from __future__ import annotations

from gui.classroom import experiments, gallery, locks, presenter

CLASSROOM_FEATURES = (presenter, gallery, experiments, locks)
