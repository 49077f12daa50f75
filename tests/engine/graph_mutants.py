"""Seeded mutants of the lesson files: what a broken, hand-edited or hostile graph file can hold.

Each mutant is bytes. Most are a lesson with one structural change (a value replaced by a hostile
one, a key removed or renamed, an edge rewired); the rest are damaged at the byte level or are
not graphs at all.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

HOSTILE_VALUES: list[Any] = [
    "abc", "", " ", "-1", -1, 0, 1, -10**9, 10**15, 2**53, 1e308, -1e308, 1e-320, 0.5, -0.0,
    True, False, None, [], {}, [1, [2, [3, [4]]]], {"a": {"b": {"c": {}}}}, [{"x": 1}],
    ["a", 1, None], "<b>bold</b>", "<img src='/dev/zero'>", "<script>alert(1)</script>",
    "\u0000", "a\nb", "\u202eevil", "\U0001F600" * 3, "é" * 50, "x" * 100_000,
    "csv:/dev/zero", "csv:/etc/passwd", "csv:../../../../etc/shadow", "csv:", "sklearn:nope",
    "synthetic:ring", "csv:Churn_Modelling.csv", "Dense", "Loss", "Dataset", "__class__",
    "train", "h1.out", "%s%s%n", "{0}", "../x", "C:\\\\con", float("nan"), float("inf"),
]
# written into the text by hand: values json.dumps cannot produce
RAW_VALUES = ["NaN", "Infinity", "-Infinity", "1e999", "9" * 400, "-" + "9" * 30,
              '"\\ud800"', '"\\udfff x"', "[" * 200 + "]" * 200, "0x10", "01", "+1", "1.", "'a'"]
WHOLE_FILES = [b"", b" ", b"null", b"[]", b"{}", b"0", b'"text"', b"\xef\xbb\xbf{}",
               b"\x00" * 64, bytes(range(256)), b"{" * 50_000, b"[" * 100_000 + b"]" * 100_000,
               b'{"format": "something-else"}', b'{"version": 99}', b'{"version": 0}',
               b'{"version": 1.5}', b'{"version": true}', b'{"nodes": {}}', b'{"edges": "x"}',
               b'{"nodes": [null]}', b'{"nodes": [{"id": 1}]}', b'{"meta": []}',
               b'{"training": {"seed": -5}}', b'{"training": {"epochs": 1e309}}',
               "\ufeff{\"meta\": {\"title\": \"\u00e9\"}}".encode("utf-16"),
               '{"meta": {"title": "é"}}'.encode("latin-1")]


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in the parsed file, as a path of keys and indices."""
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, prefix + (i,))
    return out


def _parent(tree: Any, path: tuple) -> tuple[Any, Any]:
    node = tree
    for step in path[:-1]:
        node = node[step]
    return node, path[-1]


def _structural(base: dict, rng: random.Random) -> bytes:
    tree = json.loads(json.dumps(base))
    places = [p for p in _paths(tree) if p]
    path = rng.choice(places)
    parent, key = _parent(tree, path)
    action = rng.random()
    marker = raw = None
    if action < 0.55:
        if rng.random() < 0.25:
            raw, marker = rng.choice(RAW_VALUES), "@@raw@@"
            parent[key] = marker
        else:
            parent[key] = rng.choice(HOSTILE_VALUES)
    elif action < 0.75:
        del parent[key]
    elif action < 0.85 and isinstance(parent, dict):
        parent[rng.choice(["", "\n", "<i>k</i>", "x" * 300, "id", "params", "\u0007"])] = parent.pop(key)
    elif action < 0.93 and tree.get("nodes"):
        tree["nodes"].append(json.loads(json.dumps(rng.choice(tree["nodes"]))))   # same id twice
    elif tree.get("edges"):
        edge = rng.choice(tree["edges"])
        edge[rng.choice(["src", "dst"])] = rng.choice(
            [n["id"] for n in tree.get("nodes", []) if isinstance(n, dict) and "id" in n] + ["ghost"])
    text = json.dumps(tree, allow_nan=True, ensure_ascii=rng.random() < 0.5)
    if marker is not None:
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8", "surrogatepass")


def _bytes(base_text: bytes, rng: random.Random) -> bytes:
    data = bytearray(base_text)
    kind = rng.randrange(3)
    if kind == 0:                                  # cut short
        return bytes(data[:rng.randrange(len(data))])
    if kind == 1:                                  # flip bytes
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    at = rng.randrange(len(data))                  # insert garbage
    return bytes(data[:at]) + bytes(rng.randrange(256) for _ in range(rng.randint(1, 32))) + bytes(data[at:])


def mutants(lesson_dir: Path, count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """`count` (name, file bytes) pairs, the same for the same seed."""
    rng = random.Random(seed)
    lessons = sorted(lesson_dir.glob("*.json"))
    texts = {p.name: p.read_bytes() for p in lessons}
    out = [(f"whole{i}", w) for i, w in enumerate(WHOLE_FILES)]
    while len(out) < count:
        name = rng.choice(sorted(texts))
        if rng.random() < 0.8:
            out.append((f"{name}:struct{len(out)}", _structural(json.loads(texts[name]), rng)))
        else:
            out.append((f"{name}:bytes{len(out)}", _bytes(texts[name], rng)))
    return out[:count]
