"""Data sources for the `Dataset` block: loading, splitting and scaling."""
