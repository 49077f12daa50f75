"""What the app imports at start stays light: scikit-learn, scipy, pandas and networkx each take
a third of a second to a second to import, so they wait until a run, a CSV file, a synthetic data
set or an editor tool (auto-layout) needs them. Each probe runs in a fresh interpreter, where nothing else has imported them."""
import json
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("sklearn", "scipy", "pandas", "networkx")

PROBE = """
import json, sys
import engine.compiler, engine.data.csv_preview, engine.training.trainer
from engine import graph
from engine.compiler import analyse
a = analyse(graph.load(sys.argv[1]))
print(json.dumps({"problems": [p.message for p in a.problems if p.severity == "error"],
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])}))
"""


def probe(lesson: str) -> dict:
    r = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "graphs" / lesson), *HEAVY],
                       cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_the_first_lesson_is_analysed_without_sklearn_scipy_pandas_or_networkx():
    out = probe("mlp_digits.json")
    assert out["problems"] == []
    assert out["loaded"] == []


def test_every_builtin_scikit_learn_set_loads_without_importing_scikit_learn():
    code = ("import sys; from engine.data import sources\n"
            "for n in sources.SKLEARN: sources.load_bundle({'source': 'sklearn:' + n})\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'pandas'}))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       check=True)
    assert r.stdout.strip() == "[]"
