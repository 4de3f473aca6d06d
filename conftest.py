"""Project root on sys.path, so pages run under AppTest can import components/ and logic/."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
