"""The live training dashboard: plots of a run, its controls, and the key to the canvas colours.

The main window docks a DashboardPanel(session); see gui/training/training_session.py for the session.
"""
from gui.dashboard.controls import RunControls
from gui.dashboard.legend import GradientLegend
from gui.dashboard.panel import DashboardPanel
from gui.dashboard.thresholds import ThresholdForm
from gui.dashboard.widget import DashboardWidget
from gui.training.badges import Thresholds

__all__ = ["DashboardPanel", "DashboardWidget", "RunControls", "GradientLegend", "ThresholdForm",
           "Thresholds"]
