"""The web console (issue 15, docs/console.md): the built single-page app in ``static/`` (``make console`` builds
``web/`` into it), served through the HttpApi on the API's own origin — so the page calls the management API with no
CORS, and ``sam deploy`` ships it with everything else. How each path is answered (the page with its sign-in
settings, hashed assets cached for a year, gzip, a strict Content-Security-Policy): ``integrations.management.console``.
"""

# Init runs with the garbage collector paused, as every function's (integrations.core.coldstart); the last statement
# resumes it.
import gc

gc.disable()

from pathlib import Path
from typing import Any

from integrations.core.coldstart import end_of_init
from integrations.management.console import serve

STATIC = Path(__file__).resolve().parent / "static"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, STATIC)


end_of_init()
