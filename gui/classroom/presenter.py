"""(being built)"""
from __future__ import annotations


def install(window) -> None:
    """Nothing yet."""
