"""Hydra callback for sweeps (``hydra.callbacks.sweep_table`` in sim/conf/config.yaml): a progress
bar over the sweep's jobs while they run, then the sweep table and plots at the sweep's root, one
error line per failed job and a non-zero exit status if any failed.

The bar counts job records (``job.json``) written since the sweep started, so it follows jobs run
by any launcher whose job folders the planner's machine can see.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.experiments.sweep.job import ERROR_FILE, JOB_FILE

EXIT_JOBS_FAILED = 1  # exit status of a sweep in which a job failed (bad command lines exit with 2)
POLL_SECONDS = 0.5  # how often the progress bar looks for finished jobs
CLOCK_SLACK_SECONDS = 2.0  # job records this much older than the sweep's start still count as this sweep's


def count_jobs(overrides: list[str]) -> int | None:
    """Jobs a command line's sweep overrides make (the product of their lengths); None if unknown."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides([str(o) for o in overrides])
        return math.prod(len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override())
    except Exception:  # noqa: BLE001 - glob() and the like: a bar without a total
        return None


def _finished_since(sweep_dir: Path, since: float) -> list[Path]:
    from sim.experiments.sweep.table import job_folders

    found = []
    for folder in job_folders(sweep_dir) if sweep_dir.is_dir() else []:
        try:
            if (folder / JOB_FILE).stat().st_mtime >= since:
                found.append(folder)
        except OSError:
            pass
    return found


class SweepCallback(Callback):
    """Progress over jobs during a multirun; the sweep table when it ends."""

    def __init__(self) -> None:
        self._since = 0.0
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict:
        return {}  # launchers ship the callbacks to their workers: the bar stays here

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._since = time.time() - CLOCK_SLACK_SECONDS
        if not config.get("progress", True):
            return
        sweep_dir = Path(str(config.hydra.sweep.dir))
        total = count_jobs(list(config.hydra.overrides.task))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, args=(sweep_dir, total), daemon=True)
        self._thread.start()

    def _follow(self, sweep_dir: Path, total: int | None) -> None:
        from tqdm.auto import tqdm

        with tqdm(total=total, desc="sweep: jobs", unit="job", file=sys.stderr) as bar:
            while True:
                stopping = self._stop.wait(POLL_SECONDS)
                done = len(_finished_since(sweep_dir, self._since))
                if done > bar.n:  # only on news: a log file gets one line per finished job, not per poll
                    bar.update(done - bar.n)
                if stopping:
                    return

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        from sim.experiments.sweep.table import TABLE_CSV, status_counts, write_table

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            table = write_table(sweep_dir)
        except Exception as exc:  # noqa: BLE001 - Hydra would turn it into a warning and exit 0
            print(f"sim: error: {sweep_dir}: sweep table not written: {type(exc).__name__}: {exc}", file=sys.stderr)
            raise SystemExit(EXIT_JOBS_FAILED) from None
        print(f"Sweep table ({len(table)} jobs: {status_counts(table)}): {sweep_dir / TABLE_CSV}")
        this_sweep = {f.relative_to(sweep_dir).as_posix() for f in _finished_since(sweep_dir, self._since)}
        failed = table[(table["status"] == "failed") & table["job"].isin(this_sweep)] if len(table) else table
        for _, row in failed.iterrows():
            print(f"sim: error: {sweep_dir / row['job'] / ERROR_FILE}: {row['error']}", file=sys.stderr)
        if len(failed):
            sys.stderr.flush()
            raise SystemExit(EXIT_JOBS_FAILED)
