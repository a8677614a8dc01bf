"""The local stack (``make run``), its sandboxes and tools.

Like a deployed function, everything here runs with the Lambda layer importable: ``shared/`` goes on the path.
"""

import sys
from pathlib import Path

_LAYER = str(Path(__file__).resolve().parent.parent / "shared")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
