"""What a lesson file's `meta.presenter` may say, read without Qt so that `main.py check` can
report its mistakes as the app does (the app's presenter mode draws the plots these name)."""
from __future__ import annotations

from typing import Any

PRESENTER_PLOTS = ("loss", "metrics", "gradients", "gradient_history", "boundary", "confusion",
                   "reconstructions", "code", "samples", "gan_losses", "rbm", "free_energy")
MAX_PRESENTER_PLOTS = 3        # "the two or three plots that matter": more would be small again


def _quoted(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def presenter_plots(meta: Any) -> tuple[list[str] | None, list[str]]:
    """`meta.presenter` of a lesson file, read as untrusted: (the plots it names that exist, or
    None when it names none; one line per thing ignored)."""
    if not isinstance(meta, dict) or "presenter" not in meta:
        return None, []
    given = meta["presenter"]
    if not isinstance(given, dict):
        return None, [f"meta.presenter must be an object, not {type(given).__name__}: ignored"]
    problems = [f"meta.presenter: unknown key {_quoted(k)} ignored" for k in given if k != "plots"]
    plots = given.get("plots")
    if plots is None:
        return None, problems
    if not isinstance(plots, list):
        return None, problems + [f"meta.presenter.plots must be a list of plot names, not "
                                 f"{type(plots).__name__}: ignored"]
    names: list[str] = []
    for p in plots:
        if isinstance(p, str) and p in PRESENTER_PLOTS:
            if p not in names:
                names.append(p)
        else:
            problems.append(f"meta.presenter.plots: {_quoted(p)} is not a plot "
                            f"({', '.join(PRESENTER_PLOTS)}): ignored")
    if len(names) > MAX_PRESENTER_PLOTS:
        problems.append(f"meta.presenter.plots: at most {MAX_PRESENTER_PLOTS} plots; "
                        f"{', '.join(names[MAX_PRESENTER_PLOTS:])} left out")
        names = names[:MAX_PRESENTER_PLOTS]
    return (names or None), problems
