"""The lessons the gallery offers: the graph files shipped in graphs/, each read once (and again
only when the file changes), with the title, question, topic and order its `meta` gives.

No Qt here: what a card shows is decided from the file alone, so it can be tested without a
window. The meta keys are the file's, so untrusted: a value of the wrong type is ignored, text
is folded onto one line and cut short, and a file that cannot be read becomes a lesson with an
`error` instead of stopping the others from being listed.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from engine import blocks, graph
from engine.errors import GraphError, one_line

LESSONS_DIR = Path(__file__).resolve().parents[2] / "graphs"

# in the order the course notes teach them; a lesson naming another topic is listed after these
COURSE_TOPICS = (
    "Feed-forward networks",
    "Vanishing and exploding gradients",
    "Hyperparameters",
    "Restricted Boltzmann machines",
    "Deep belief networks",
    "Autoencoders",
    "GANs",
    "Worked examples",
)
OTHER_TOPIC = "Other lessons"               # for a lesson that names no topic
UNREADABLE_TOPIC = "Lessons that could not be read"

MAX_TITLE = 90
MAX_QUESTION = 160
MAX_TOPIC = 60
MAX_ERROR = 300
MAX_RECIPE = 120
MAX_LESSONS = 500            # a folder of thousands of files is not a course: list the first
NO_ORDER = 10**6             # lessons without an order come after the numbered ones of their topic
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Lesson:
    path: Path
    title: str
    question: str = ""
    topic: str = OTHER_TOPIC
    order: int = NO_ORDER
    doc: graph.GraphDocument | None = None      # for the thumbnail; None when unreadable
    error: str = ""                             # one line; "" when the file was read
    stamp: tuple[int, int] = (0, 0)             # the file's mtime (ns) and size when read
    recipe: str = ""                            # what sets this network apart, in one line

    @property
    def readable(self) -> bool:
        return self.doc is not None


_read: dict[Path, tuple[tuple[int, int], Lesson]] = {}     # path -> (mtime and size, lesson)


def read_lessons(folder: str | os.PathLike[str] = LESSONS_DIR) -> list[Lesson]:
    """Every graph file in `folder`, by file name; an empty list when the folder is missing."""
    try:
        paths = sorted(p for p in Path(folder).glob("*.json") if p.is_file())
    except OSError:
        return []
    return [read_lesson(p) for p in paths[:MAX_LESSONS]]


def read_lesson(path: Path) -> Lesson:
    try:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError as exc:
        return _unreadable(path, f"cannot be read ({exc.strerror or exc})")
    cached = _read.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        doc = graph.load(path)
    except GraphError as exc:
        lesson = _unreadable(path, str(exc))
    except Exception as exc:  # noqa: BLE001 - a file the loader did not foresee gets its card
        lesson = _unreadable(path, f"{type(exc).__name__}: {exc}")
    else:
        lesson = _from_meta(path, doc)
    lesson = replace(lesson, stamp=stamp)
    _read[path] = (stamp, lesson)
    return lesson


def _from_meta(path: Path, doc: graph.GraphDocument) -> Lesson:
    meta = doc.meta
    order = meta.get("order")
    # bool is an int in Python, and a huge number sorts no differently from "no order"
    if not isinstance(order, int) or isinstance(order, bool) or not -NO_ORDER < order < NO_ORDER:
        order = NO_ORDER
    return Lesson(path=path,
                  title=line(meta.get("title"), MAX_TITLE) or path.stem,
                  question=line(meta.get("question"), MAX_QUESTION),
                  topic=line(meta.get("topic"), MAX_TOPIC) or OTHER_TOPIC,
                  order=order, doc=doc, recipe=line(recipe(doc), MAX_RECIPE))


def recipe(doc: graph.GraphDocument) -> str:
    """The network's repeated blocks as their faces summarise them, its optimizer and its
    gradient clipping: "64 · Xavier-U, sigmoid, sgd". Lessons that share a drawing (the ten-layer
    ones) differ here, which is what each of them is about."""
    counts: Counter[str] = Counter()
    for node in doc.nodes.values():
        block = blocks.get(node.type)
        if block is not None:
            try:
                counts[block.summary(node.params)] += 1
            except Exception:  # noqa: BLE001 - a file's odd parameter costs its line, not the card
                continue
    parts = [summary for summary, n in counts.items() if n > 1 and summary]
    training = doc.training if isinstance(doc.training, dict) else {}
    optimizer = training.get("optimizer")
    if isinstance(optimizer, str) and optimizer:
        parts.append(optimizer)
    clip = training.get("grad_clip")
    if isinstance(clip, dict) and isinstance(clip.get("max"), (int, float)):
        parts.append(f"clip {clip.get('mode', 'norm')} {clip['max']:g}")
    return ", ".join(parts)


def _unreadable(path: Path, message: str) -> Lesson:
    # the loader's messages start with the path, which the card already names
    message = message.removeprefix(f"{path}: ")
    return Lesson(path=path, title=line(path.name, MAX_TITLE) or "?", topic=UNREADABLE_TOPIC,
                  error=line(message, MAX_ERROR) or "cannot be read")


def line(value: object, limit: int) -> str:
    """A meta value as one line of at most `limit` characters; "" when it is not text."""
    if not isinstance(value, str):
        return ""
    text = one_line(_SPACE.sub(" ", value[: limit * 4]).strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def by_topic(lessons: list[Lesson]) -> list[tuple[str, list[Lesson]]]:
    """The lessons grouped under their topics: the course's topics in its order, then any other
    topic by name, then lessons without one, then the files that could not be read."""
    groups: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        groups.setdefault(lesson.topic, []).append(lesson)

    def rank(topic: str) -> tuple[int, str]:
        if topic in COURSE_TOPICS:
            return COURSE_TOPICS.index(topic), ""
        if topic == UNREADABLE_TOPIC:
            return len(COURSE_TOPICS) + 2, ""
        return len(COURSE_TOPICS) + (topic == OTHER_TOPIC), topic.casefold()

    return [(topic, sorted(groups[topic], key=lambda x: (x.order, x.title.casefold(), x.path.name)))
            for topic in sorted(groups, key=rank)]
