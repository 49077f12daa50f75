"""Editing the graph: the controller that owns the document and its undo stack, the undoable
commands, the connection rules, copy and paste, auto-layout, and the panels that edit (palette,
inspector, parameter editors). The canvas, which also edits, has its own room in gui/canvas/."""
