"""Running a graph from the window: the session the window talks to, the worker thread, the run
state it fills, and what the canvas and dashboard read from it (gradient scale, badges, decision
boundary). The dashboard's views have their own room in gui/dashboard/."""
