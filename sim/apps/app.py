"""``python -m sim.app``: the web app for leaders and planners (Streamlit), on this computer only.

It starts ``streamlit run`` on the page inside the package (``sim/apps/webapp.py``), offline: no
usage statistics, no browser opened by the server, no file watcher, on 127.0.0.1. No Hydra command
line is involved: the page calls ``sim.load_config`` and ``sim.run``.

``python -m sim.app --build-city-summary [OVERRIDES]`` runs the whole city instead (by default
the main job, as ``python -m sim``) and stores the summary the app shows (``sim/data/city_summary.json``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

APP_FILE = Path(__file__).resolve().parent / "webapp.py"
# Offline and quiet: no usage statistics sent, no browser tab opened by the server, no watching of
# the package's files, the toolbar reduced to what a viewer needs.
STREAMLIT_FLAGS = ("--browser.gatherUsageStats=false", "--server.headless=true", "--server.fileWatcherType=none",
                   "--server.runOnSave=false", "--global.developmentMode=false", "--client.toolbarMode=viewer",
                   "--theme.base=light")


def streamlit_command(port: int, address: str) -> list[str]:
    """The command that serves the app (also what tests start)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP_FILE), *STREAMLIT_FLAGS,
            f"--server.port={port}", f"--server.address={address}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.app",
        description="The simulator in a web page (Streamlit): pick units and a change, compare it with today.")
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="address to serve on (default 127.0.0.1: this computer only)")
    parser.add_argument("--build-city-summary", action="store_true",
                        help="run the whole city and store the summary the app shows, then stop")
    parser.add_argument("--workers", type=int, default=None, help="with --build-city-summary: worker processes")
    parser.add_argument("overrides", nargs="*", help="with --build-city-summary: Hydra overrides (replications=5 ...)")
    args = parser.parse_args(argv)
    if args.build_city_summary:
        from sim.apps.webapp_runs import CITY_SUMMARY, build_city_summary
        from sim.errors import ConfigError

        try:
            build_city_summary(args.overrides, workers=args.workers)
        except ConfigError as exc:
            print(f"sim.app: error: {exc}", file=sys.stderr)
            return 2
        print(f"stored {CITY_SUMMARY}")
        return 0
    if args.overrides:
        parser.error("overrides go with --build-city-summary only; the app sets its own")
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be 1..65535, got {args.port}")
    if importlib.util.find_spec("streamlit") is None:
        print("sim.app: error: the app needs Streamlit: pip install 'hanoi-service-sim[app]'", file=sys.stderr)
        return 2
    command = streamlit_command(args.port, args.address)
    print(f"sim.app: serving on http://{args.address}:{args.port} (Ctrl-C stops it)", flush=True)
    os.execv(command[0], command)  # this process becomes the server: stopping it stops the app
    return 0  # not reached
