"""The canvas: a QGraphicsScene that mirrors the graph document, and the view that shows it."""
