"""Every way a graph file can be wrong is one clear GraphError, and saving never loses work."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from engine import graph
from engine.compiler import analyse
from engine.errors import GraphError
from tests.conftest import GRAPHS, ROOT
from tests.engine.helpers import chain_doc, mlp


def refusal(tmp_path, text: str | bytes) -> str:
    path = tmp_path / "g.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    with pytest.raises(GraphError) as info:
        graph.load(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def node_file(**node) -> str:
    return json.dumps({"nodes": [{"id": "a", "type": "Dense", **node}]}, allow_nan=True)


@pytest.mark.parametrize("text, expected", [
    ('{"nodes": [{"id": "a", "type": "Dense", "pos": [NaN, 0]}]}', "'NaN' is not a number"),
    ('{"nodes": [{"id": "a", "type": "Dense", "pos": [Infinity, 0]}]}', "'Infinity' is not a number"),
    ('{"nodes": [{"id": "a", "type": "Dense", "pos": [1e999, 0]}]}', "1e999 is too large"),
    ('{"nodes": [{"id": "a", "type": "Dense", "pos": [1e300, 0]}]}', "outside the canvas"),
    ('{"nodes": [{"id": "a", "type": "Dense", "params": {"units": ' + "9" * 5000 + '}}]}',
     "(5000 digits) is too large"),
    ('{"training": {"seed": 18446744073709551617}}', "is too large (at most 2^53)"),
    ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels"),
    ('{"meta": ' + '{"a": ' * 70 + "1" + "}" * 70 + "}", "nested more than 64 levels"),
    ('{"version": 0}', "'version' must be a positive integer, not 0"),
    ('{"version": -3}', "'version' must be a positive integer, not -3"),
    ('{"version": "1"}', "'version' must be a positive integer, not '1'"),
    ('{"version": 2}', "newer than this DeepCanvas understands"),
    ('{"nodes": [{"id": "a\\nb", "type": "Dense"}]}', "the id holds the control character U+000A"),
    ('{"nodes": [{"id": "a\\u202eb", "type": "Dense"}]}', "control character U+202E"),
    ('{"nodes": [{"id": "\\ud800", "type": "Dense"}]}', "unpaired surrogate"),
    ('{"meta": {"title": "x\\udfff"}}', "unpaired surrogate"),
    ('{"nodes": [{"id": "a", "type": "Dense\\u0000"}]}', "the type holds the control character"),
    ('{"edges": [{"src": "a\\r", "src_port": "out", "dst": "b", "dst_port": "in"}]}',
     "edge #1: 'src' holds the control character"),
    ("", "not valid JSON"),
    ("null", "top level must be a JSON object"),
])
def test_malformed_files_are_refused_with_one_line(tmp_path, text, expected):
    assert expected in refusal(tmp_path, text)


def test_binary_garbage_and_other_encodings_are_refused(tmp_path):
    assert "is not UTF-8 text" in refusal(tmp_path, bytes(range(256)) * 4)
    assert "is not UTF-8 text" in refusal(tmp_path, '{"meta": {"title": "é"}}'.encode("latin-1"))


def test_two_nodes_with_one_id_stay_on_one_line(tmp_path):
    message = refusal(tmp_path, json.dumps({"nodes": [{"id": "h1", "type": "Dense"},
                                                      {"id": "h1", "type": "Dense"}]}))
    assert message.endswith("two nodes share the id 'h1'")


def test_things_that_are_not_regular_files_are_refused_without_reading(tmp_path):
    with pytest.raises(GraphError, match="is a folder"):
        graph.load(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(GraphError, match="not a regular file"):
            graph.load("/dev/zero")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")              # nobody writes: reading it would wait forever
        with pytest.raises(GraphError, match="not a regular file"):
            graph.load(tmp_path / "pipe")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(graph.MAX_FILE_BYTES + 1)      # sparse: costs no disk
    with pytest.raises(GraphError, match="graph files are limited to 20 MB"):
        graph.load(big)


def test_a_lesson_of_a_few_megabytes_opens(tmp_path):
    doc = graph.load(GRAPHS / "mlp_digits.json")
    doc.meta["lesson"] = "A long lesson. " * 300_000            # 4.5 MB
    doc.save(tmp_path / "long.json")
    assert graph.load(tmp_path / "long.json").meta["lesson"] == doc.meta["lesson"]


def test_a_rejected_seed_never_reaches_the_data_generator(tmp_path):
    doc = chain_doc(mlp(out=2), data={"source": "synthetic:moons"})
    doc.training["seed"] = -5
    a = analyse(doc)
    assert any("'seed' is -5, below the minimum 0" in str(p) for p in a.errors)


@pytest.mark.parametrize("command", ["check", "train"])
def test_check_and_train_exit_2_with_one_line_for_a_hostile_file(tmp_path, command):
    path = tmp_path / "g.json"
    doc = json.loads((GRAPHS / "moons_boundary.json").read_text())
    doc["training"]["seed"] = -1
    path.write_text(json.dumps(doc))
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), command, str(path)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.splitlines() == ["error: training: 'seed' is -1, below the minimum 0"]


# ---- saving ------------------------------------------------------------------------------------
def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    doc = chain_doc(mlp())
    doc.save(real)
    link.symlink_to(real)
    opened = graph.load(link)
    opened.set_meta("title", "changed through the link")
    opened.save(link)
    assert link.is_symlink()
    assert graph.load(real).meta["title"] == "changed through the link"
    assert opened.path == link


def test_a_failed_save_as_leaves_csv_paths_as_they_were(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.csv").write_text("x,y\n1,0\n2,1\n3,0\n4,1\n")
    doc = chain_doc(mlp(out=2), data={"source": "csv:t.csv", "target": "y"})
    doc.save(tmp_path / "a" / "g.json")
    with pytest.raises(OSError):
        doc.save(tmp_path / "no such folder" / "g.json")
    assert doc.nodes["data"].params["source"] == "csv:t.csv"
    assert doc.path == tmp_path / "a" / "g.json"
