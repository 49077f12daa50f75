"""Size limits: a network too big for memory is refused by name before anything is built."""
import resource
import subprocess
import sys
import time

from engine.blocks import Width
from engine.compiler import analyse, compile_graph, node_parameter_count
from engine.limits import MAX_PARAMETERS, Limits, machine_limits, physical_memory
from tests.conftest import ROOT
from tests.engine.helpers import chain_doc, mlp

HUGE = [("h1", "Dense", {"units": 100_000}), ("h2", "Dense", {"units": 100_000}),
        ("out", "Dense", {"units": 10})]


def errors(a):
    return [(p.node, str(p)) for p in a.errors]


def test_parameter_counts_are_exposed_and_match_the_built_model():
    doc = chain_doc(mlp())
    a = analyse(doc)
    assert a.ok
    assert a.parameters["h1"] == 64 * 32 + 32 and a.parameters["out"] == 32 * 10 + 10
    assert a.parameters["a1"] == 0 and a.parameters["data"] == 0
    assert a.total_parameters == compile_graph(doc).parameter_count() == 64 * 32 + 32 + 32 * 10 + 10


def test_a_layer_too_big_for_memory_is_refused_by_name_fast_and_without_allocating():
    analyse(chain_doc(mlp()))                       # the digits data set is loaded and cached
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    a = analyse(chain_doc(HUGE))
    elapsed = time.perf_counter() - t
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    [(node, msg)] = errors(a)
    assert node == "h2"
    assert msg.startswith("node 'h2': 10,000,100,000 parameters (a 100,000 x 100,000 weight matrix) "
                          "will not fit in memory; the limit is ")
    assert a.parameters["h2"] == 100_000 * 100_000 + 100_000     # counted, never built
    assert elapsed < 1.0
    assert grown_mb < 200         # 10^10 floats would be 40 GB


def test_two_million_units_are_refused_by_name_before_any_count():
    layers = [("h1", "Dense", {"units": 2_000_000}), ("h2", "Dense", {"units": 2_000_000}),
              ("out", "Dense", {"units": 10})]
    t = time.perf_counter()
    a = analyse(chain_doc(layers))
    assert time.perf_counter() - t < 1.0
    assert [n for n, _ in errors(a)] == ["h1", "h2"]
    assert all("units" in m for _, m in errors(a))


def test_a_network_too_big_in_all_names_its_largest_layer():
    layers = [("h1", "Dense", {"units": 40}), ("h2", "Dense", {"units": 40}),
              ("out", "Dense", {"units": 10})]
    a = analyse(chain_doc(layers), limits=Limits(4000, 10**9, "a test limit"))
    total = (64 * 40 + 40) + (40 * 40 + 40) + (40 * 10 + 10)
    assert a.total_parameters == total
    [(node, msg)] = errors(a)
    assert node == "h1"
    assert f"the network has {total:,} parameters in all" in msg and "'h1' with 2,600" in msg


def test_one_batch_of_a_wide_layer_too_big_for_memory_is_refused_by_name():
    layers = [("wide", "Dense", {"units": 100_000}), ("out", "Dense", {"units": 10})]
    doc = chain_doc(layers, training={"batch_size": 100_000})
    [(node, msg)] = errors(analyse(doc))
    assert node == "wide" and "100,000 examples x 100,000 outputs" in msg and "batch_size" in msg
    doc.training["batch_size"] = 64
    assert analyse(doc).ok


def test_machine_limits_never_exceed_the_fixed_caps():
    lim = machine_limits()
    assert 0 < lim.parameters <= MAX_PARAMETERS and 0 < lim.activations
    ram = physical_memory()
    assert ram is None or ram > 0
    if ram is not None:
        assert lim.parameters <= ram // 2 // 4 // 4 + 1


def test_parameter_counts_are_tolerant_of_bad_values():
    assert node_parameter_count("Dense", {"units": "abc"}, {"in": Width(3)}) == 0
    assert node_parameter_count("Dense", {"units": 1e308}, {"in": Width(3)}) == 0
    assert node_parameter_count("Dense", {"units": 3}, {"in": "nonsense"}) == 0


def test_check_on_a_graph_too_big_exits_2_with_one_line(tmp_path):
    path = tmp_path / "huge.json"
    chain_doc(HUGE).save(path)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", str(path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "node 'h2'" in lines[0] and "will not fit in memory" in lines[0]
