"""The headless Chromium the browser tests drive (Playwright for Python launches it by path).

``python -m tests.browser.chromium install`` (``make browser``, part of ``make test``) makes sure one is there, on a
fresh Debian 12 machine without Docker: Debian's own ``chromium`` package when we may install packages (root, or
password-less sudo) — it brings every library it needs —, else Playwright's build downloaded into the user's cache
(no root needed; it may lack system libraries). It says plainly what it could not do and exits 0, so the rest of
``make test`` still runs; the browser tests then fail with the same words.

``find()`` is what the tests use: ``CONSOLE_CHROMIUM`` if set, else the first Chromium on ``PATH``, else
Playwright's downloaded one — each only if it starts.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
HOW = ("install Debian's chromium package (sudo apt-get install chromium), or run "
       "`.venv/bin/python -m playwright install --with-deps chromium`, or set CONSOLE_CHROMIUM to a Chromium binary")


def _starts(path: str) -> bool:
    try:
        return subprocess.run([path, "--headless=new", "--version"], capture_output=True, timeout=30,
                              check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _playwright_builds() -> list[str]:
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    return sorted(glob.glob(str(cache / "chromium-*" / "chrome-linux*" / "chrome")), reverse=True)


def find() -> str | None:
    explicit = os.environ.get("CONSOLE_CHROMIUM")
    candidates = [explicit] if explicit else [*filter(None, map(shutil.which, NAMES)), *_playwright_builds()]
    return next((path for path in candidates if path and _starts(path)), None)


def _run(command: list[str]) -> bool:
    print("+ " + " ".join(command), flush=True)
    try:
        return subprocess.run(command, check=False, timeout=900).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  {exc}", flush=True)
        return False


def _apt(prefix: list[str]) -> bool:
    environment = ["env", "DEBIAN_FRONTEND=noninteractive"]
    install = [*prefix, *environment, "apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    return _run(install) or (_run([*prefix, *environment, "apt-get", "update"]) and _run(install))


def install() -> int:
    found = find()
    if found:
        print(f"Chromium for the browser tests: {found}")
        return 0
    tried = []
    if shutil.which("apt-get"):
        if os.geteuid() == 0:
            prefix: list[str] | None = []
        elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True,
                                                     check=False).returncode == 0:
            prefix = ["sudo", "-n"]
        else:
            prefix = None
            tried.append("Debian's chromium package needs root (no password-less sudo here)")
        if prefix is not None and not _apt(prefix):
            tried.append("apt-get install chromium failed (output above)")
    found = find()
    if not found:
        if not _run([sys.executable, "-m", "playwright", "install", "chromium"]):
            tried.append("`playwright install chromium` failed (output above)")
        found = find()
        if not found and _playwright_builds():
            tried.append("Playwright's Chromium was downloaded but does not start (system libraries missing: "
                         "`playwright install-deps chromium` needs root)")
    if found:
        print(f"Chromium for the browser tests: {found}")
        return 0
    print("\n*** Could not install Chromium for the browser tests: " + "; ".join(tried or ["no way to install it"])
          + f".\n*** The browser tests (tests/browser) fail until one is there: {HOW}.\n", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["install"]:
        sys.exit(install())
    print(find() or "none")
