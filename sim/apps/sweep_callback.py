"""Hydra callback for sweeps (``hydra.callbacks.sweep_table`` in sim/conf/config.yaml): a progress
bar over the sweep's jobs while they run, then the sweep table and plots at the sweep's root, one
error line per failed or lost job and a non-zero exit status if any.

When the sweep starts, the callback draws a run id and hands it to every job (environment
variable ``SIM_SWEEP_RUN``, set again at each job's start for launchers that do not pass the
environment on); each job writes it in its record (``job.json``). The bar counts, and the end
reports, only records carrying this run's id, so a sweep into a folder that holds other sweeps'
jobs reports its own, and it follows jobs run by any launcher whose job folders the planner's
machine can see.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.experiments.sweep.job import ERROR_FILE, RUN_ENV, record_of_run

EXIT_JOBS_FAILED = 1  # exit status of a sweep in which a job failed (bad command lines exit with 2)
POLL_SECONDS = 0.5  # how often the progress bar looks for finished jobs


def count_jobs(overrides: list[str]) -> int | None:
    """Jobs a command line's sweep overrides make (the product of their lengths); None if unknown."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides([str(o) for o in overrides])
        return math.prod(len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override())
    except Exception:  # noqa: BLE001 - glob() and the like: a bar without a total
        return None


def records_of_run(sweep_dir: Path, run: str) -> dict[str, dict]:
    """The finished jobs of the sweep run ``run``: job folder (relative to ``sweep_dir``) -> record."""
    from sim.experiments.sweep.table import job_folders

    found = {}
    for folder in job_folders(sweep_dir) if sweep_dir.is_dir() else []:
        record = record_of_run(folder, run)
        if record is not None:
            found[folder.relative_to(sweep_dir).as_posix()] = record
    return found


class SweepCallback(Callback):
    """Progress over jobs during a multirun; the sweep table when it ends."""

    def __init__(self) -> None:
        self._run = ""
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict:
        return {"run": self._run}  # launchers ship the callbacks to their workers: the bar stays here

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        self._run = state.get("run", "")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._run = uuid.uuid4().hex
        os.environ[RUN_ENV] = self._run  # inherited by the launcher's worker processes
        if not config.get("progress", True):
            return
        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            sweep_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # no bar: the sweep stops at once with one line naming the folder (sim.apps.command)
        total = count_jobs(list(config.hydra.overrides.task))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, args=(sweep_dir, total), daemon=True)
        self._thread.start()

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        if self._run:  # in the job's process, whatever the launcher did with the environment
            os.environ[RUN_ENV] = self._run

    def _follow(self, sweep_dir: Path, total: int | None) -> None:
        from tqdm.auto import tqdm

        with tqdm(total=total, desc="sweep: jobs", unit="job", file=sys.stderr) as bar:
            while True:
                stopping = self._stop.wait(POLL_SECONDS)
                done = len(records_of_run(sweep_dir, self._run))
                if done > bar.n:  # only on news: a log file gets one line per finished job, not per poll
                    bar.update(done - bar.n)
                if stopping:
                    return

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        from sim.experiments.sweep.table import status_counts
        from sim.outputs.sweep_files import TABLE_CSV, write_table

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            table = write_table(sweep_dir)
        except OSError as exc:  # a folder that cannot be written: its name and the reason
            print(f"sim: error: {exc.filename or sweep_dir}: sweep table not written: {exc.strerror or exc}",
                  file=sys.stderr)
            raise SystemExit(EXIT_JOBS_FAILED) from None
        except Exception as exc:  # noqa: BLE001 - Hydra would turn it into a warning and exit 0
            print(f"sim: error: {sweep_dir}: sweep table not written: {type(exc).__name__}: {exc}", file=sys.stderr)
            raise SystemExit(EXIT_JOBS_FAILED) from None
        print(f"Sweep table ({len(table)} jobs: {status_counts(table)}): {sweep_dir / TABLE_CSV}")
        this_run = records_of_run(sweep_dir, self._run)
        failed = {job: record for job, record in this_run.items() if record["status"] in ("failed", "lost")}
        for job, record in sorted(failed.items()):
            if record["status"] == "failed":
                print(f"sim: error: {sweep_dir / job / ERROR_FILE}: {record.get('error', '')}", file=sys.stderr)
            else:
                print(f"sim: error: {sweep_dir / job}: job lost: {record.get('error', '')}", file=sys.stderr)
        if failed:
            sys.stderr.flush()
            raise SystemExit(EXIT_JOBS_FAILED)
