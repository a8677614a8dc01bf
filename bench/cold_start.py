"""Cold start: importing each function's ``app`` in a fresh process, against the bare imports any such function pays.

    .venv/bin/python bench/cold_start.py [--runs 9]

For every function of template.yaml: the median wall time of ``python -c "import app"`` (a whole new process,
from the function's folder, the layer on the path with its bytecode compiled as ``make build`` ships it, tracing
off), against the median of the bare imports — Powertools' Logger, Metrics, Tracer and event handler, pydantic and
boto3 — measured interleaved in the same run, and the ratio. Target (issue 10): every ratio ≤ 1.3.

Each app pauses the garbage collector for its init (integrations/core/coldstart.py), which the bare imports as
filed don't; so the bench also times the bare imports paused the same way, and prints the ratio to that too: what
the function's own imports cost, with the collector's share taken out of both sides.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from local.resources import load_template  # noqa: E402

BARE = ("from aws_lambda_powertools import Logger, Metrics, Tracer; "
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver; import pydantic, boto3")
BARE_PAUSED = f"import gc; gc.disable(); {BARE}; gc.freeze(); gc.enable()"


def run(code: str, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    functions = {name: ROOT / r["Properties"]["CodeUri"] for name, r in load_template()["Resources"].items()
                 if r["Type"] == "AWS::Serverless::Function"}
    with tempfile.TemporaryDirectory() as layer:
        shutil.copytree(ROOT / "shared" / "integrations", Path(layer) / "integrations")
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", layer],
                       check=True, stdout=subprocess.DEVNULL)
        functions_copy = Path(layer) / "_functions"
        for name, path in functions.items():
            shutil.copytree(path, functions_copy / name)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
                        str(functions_copy)], check=True, stdout=subprocess.DEVNULL)
        env = {**os.environ, "PYTHONPATH": layer, "AWS_DEFAULT_REGION": "ap-southeast-2",
               "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Integrations"}
        run(BARE, ROOT, env)  # warm the OS file cache before anything is timed
        print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC · bench/cold_start.py · {os.cpu_count()} cores")
        print(f"{'function':<34} {'import app':>10} {'bare':>8} {'ratio':>6} {'bare paused':>12} {'ratio':>6}")
        worst, worst_paused = 0.0, 0.0
        for name in sorted(functions):
            apps, bares, paused = [], [], []
            for _ in range(args.runs):  # interleaved: all three see the same machine load
                bares.append(run(BARE, ROOT, env))
                paused.append(run(BARE_PAUSED, ROOT, env))
                apps.append(run("import app", functions_copy / name, env))
            app_s, bare_s, paused_s = statistics.median(apps), statistics.median(bares), statistics.median(paused)
            worst, worst_paused = max(worst, app_s / bare_s), max(worst_paused, app_s / paused_s)
            print(f"{name:<34} {app_s * 1000:>8.0f}ms {bare_s * 1000:>6.0f}ms {app_s / bare_s:>6.2f}"
                  f" {paused_s * 1000:>10.0f}ms {app_s / paused_s:>6.2f}")
    print(f"worst ratio {worst:.2f} (target ≤ 1.30), {worst_paused:.2f} to the bare imports paused; "
          f"{args.runs} runs each, medians, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
