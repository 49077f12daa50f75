import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "graphs"
DATA = ROOT / "assets" / "data"          # the course notes' CSV files, shipped with the project
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
