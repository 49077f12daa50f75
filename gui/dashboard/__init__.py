"""The live training dashboard: plots of a run, its controls, and the key to the canvas colours.

The main window docks a DashboardPanel(session); see gui/training/training_session.py for the session.
Nothing is imported here, so that figures_text, which needs no Qt, loads without the plots.
"""
