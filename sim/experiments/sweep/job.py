"""One job of a sweep (Hydra multirun): where its folder is, whether it is already done, and its
record.

A job's folder is named after its overrides, so the same command line finds the same folders
again. A job whose folder holds a finished run (``summary.json``) made from the same resolved
configuration (``job.json`` records its hash) is skipped and marked ``reused``, unless
``redo=true``. A job that fails leaves ``error.txt`` (message and traceback) beside its
``.hydra/`` snapshot and is marked ``failed``; the other jobs go on. A job whose worker process
died before it finished is marked ``lost`` by the sweeper (``hydra_plugins/sim_sweeper``).

Every record names the sweep run that wrote it (``sweep_run``, an id the sweep callback draws when
the sweep starts and hands to its jobs): the end of a sweep reports only its own jobs, however
close in time another sweep into the same folder ran, and whatever the clocks of the machines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

from omegaconf import DictConfig, OmegaConf, read_write

from sim.config.provenance import NOT_RESULT_KEYS, config_hash

JOB_FILE = "job.json"  # the job's record: status, error, config hash, timing; written last
ERROR_FILE = "error.txt"  # a failed job's message and traceback
OUTPUT_FILE = "output.txt"  # what the job printed (a single run prints it to the terminal)
DONE_FILE = "summary.json"  # a run folder holding it is complete (sim.outputs.run_files.write_run writes it last)

MAX_NAME = 200  # longest folder name kept as is (file systems allow 255 bytes); longer ones end in a hash
STATUSES = ("ok", "reused", "failed", "lost", "incomplete")  # incomplete: started, never finished
FINAL = ("ok", "reused", "failed", "lost")  # statuses a job of a sweep ends with
RUN_ENV = "SIM_SWEEP_RUN"  # environment variable carrying the sweep run id to the jobs
LOST_ERROR = "its worker process died before the job finished (killed, or out of memory?)"


def override_key(override: str) -> str:
    """``+desks.per_unit.x=8`` -> ``desks.per_unit.x``."""
    return override.split("=", 1)[0].lstrip("+~")


def _short(name: str) -> str:
    """A folder name: no path separator, and short enough for any file system."""
    name = name.replace("/", "%2F")
    if len(name) <= MAX_NAME:
        return name
    return f"{name[:MAX_NAME - 13]}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


def sweep_folder_name(name: str, overrides: Iterable[str]) -> str:
    """The sweep folder: ``sweep_name`` if given, else the overridden keys, so that rerunning a
    sweep, or widening it with more values of the same keys, lands in the same folder."""
    if name:
        return _short(str(name))
    keys = sorted({override_key(str(o)) for o in overrides} - set(NOT_RESULT_KEYS))
    return _short("+".join(keys) or "defaults")


def job_folder_name(override_dirname: str) -> str:
    """A job's folder inside the sweep: its overrides (Hydra's ``override_dirname``)."""
    return _short(str(override_dirname) or "defaults")


def register_resolvers() -> None:
    """``${sim.sweep_name:...}`` and ``${sim.job_subdir:...}``, used by ``hydra.sweep`` in sim/conf/."""
    OmegaConf.register_new_resolver("sim.sweep_name", sweep_folder_name, replace=True)
    OmegaConf.register_new_resolver("sim.job_subdir", job_folder_name, replace=True)


def available_cores() -> int:
    """Cores this process may use (a cluster job sees only the cores it was given)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def job_workers(requested: int, launcher: DictConfig | None) -> int:
    """Worker processes for one job of a sweep. ``workers=0`` shares the cores among the jobs that
    run at once: cores // ``hydra.launcher.n_jobs`` for the local joblib launcher (1 when n_jobs is
    the number of cores), ``cpus_per_task`` (submitit) or ``ray.remote.num_cpus`` (Ray) when set,
    otherwise the cores the job can see."""
    if requested > 0:
        return requested
    cores = available_cores()
    launcher = launcher if launcher is not None else OmegaConf.create({})
    n_jobs = launcher.get("n_jobs")
    if n_jobs is not None:
        concurrent = n_jobs if n_jobs > 0 else max(cores + 1 + n_jobs, 1)  # joblib: -1 = all cores
        return max(1, cores // concurrent)
    given = launcher.get("cpus_per_task") or OmegaConf.select(launcher, "ray.remote.num_cpus", default=None)
    return max(1, int(given)) if given else cores


def current_run() -> str:
    """The id of the sweep run this process works for ('' outside a sweep)."""
    return os.environ.get(RUN_ENV, "")


def read_record(folder: Path) -> dict | None:
    """The job's record, or None if it has none or it cannot be read as a JSON object."""
    try:
        record = json.loads((folder / JOB_FILE).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def record_of_run(folder: Path, run: str) -> dict | None:
    """The job's record if the sweep run ``run`` wrote it with a final status, else None."""
    record = read_record(folder) if run else None
    if record and record.get("sweep_run") == run and record.get("status") in FINAL:
        return record
    return None


def record_lost(folder: Path, task_overrides: list[str], job_num: int) -> None:
    """Mark a job whose worker process died as ``lost`` in this sweep run. The folder gets the
    overrides Hydra writes first, if the worker died before writing them, so the table lists it."""
    overrides = folder / ".hydra" / "overrides.yaml"
    if not overrides.is_file():
        overrides.parent.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(OmegaConf.create(list(task_overrides)), overrides)
    (folder / DONE_FILE).unlink(missing_ok=True)
    _write_record(folder, {"status": "lost", "error": LOST_ERROR, "sweep_run": current_run(), "job_num": job_num,
                           "overrides": list(task_overrides), "finished": _now()})


def _write_record(folder: Path, record: dict) -> None:
    """Write job.json in one step, so a reader never sees half of it."""
    partial = folder / f".{JOB_FILE}.partial"
    partial.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    partial.replace(folder / JOB_FILE)


def is_done(folder: Path, digest: str) -> dict | None:
    """The record of a finished job made from the same configuration, else None."""
    record = read_record(folder)
    if (record and record.get("config_hash") == digest and record.get("status") in ("ok", "reused")
            and (folder / DONE_FILE).is_file()):
        return record
    return None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def error_message(exc: BaseException) -> str:
    """One line: ``KEY: problem`` for a bad setting, else the exception's type and first line."""
    from sim.errors import ConfigError

    if isinstance(exc, ConfigError):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def run_sweep_job(cfg: DictConfig, validate: Callable[[DictConfig], Any],
                  body: Callable[[DictConfig, Any, Path], None], folder: Path, hydra_cfg: Any) -> str:
    """Run one job of a sweep in ``folder`` and return its status: ``reused``, ``ok`` or ``failed``.

    Any exception (a bad setting included) is caught and recorded, so the other jobs and the
    sweep table are not lost. The job's own progress bar is off (the sweep has one for all jobs),
    and what it prints goes to output.txt. A job launched again by the same sweep run (after
    another job's worker died) and already finished in it returns its status without running.
    """
    run = current_run()
    finished = record_of_run(folder, run)
    if finished is not None:
        return finished["status"]
    digest = config_hash(cfg)
    record = {"status": "", "error": "", "config_hash": digest, "job_num": int(hydra_cfg.job.num),
              "overrides": list(hydra_cfg.overrides.task), "sweep_run": run, "started": _now(), "started_unix": time.time()}
    previous = None if cfg.redo else is_done(folder, digest)
    if previous is not None:
        computed = {k: previous.get(k) for k in ("finished", "seconds", "workers")}
        _write_record(folder, {**record, **computed, "status": "reused", "reused": _now()})
        return "reused"

    for stale in (DONE_FILE, ERROR_FILE, JOB_FILE):  # a folder never looks finished from an older run
        (folder / stale).unlink(missing_ok=True)
    workers = job_workers(int(cfg.workers), hydra_cfg.launcher)
    with read_write(cfg):
        cfg.workers = workers
        cfg.progress = False
    record["workers"] = workers
    start = time.perf_counter()
    try:
        from joblib import parallel_config

        # Inside a launcher's worker process joblib would run nested tasks in threads (one core
        # in effect); ask for processes explicitly.
        with open(folder / OUTPUT_FILE, "w") as out, contextlib.redirect_stdout(out), parallel_config(backend="loky"):
            body(cfg, validate(cfg), folder)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, the sweep goes on
        message = error_message(exc)
        (folder / ERROR_FILE).write_text(f"{message}\n\n{traceback.format_exc()}")
        record.update(status="failed", error=message)
    else:
        record["status"] = "ok"
    record.update(finished=_now(), finished_unix=time.time(), seconds=round(time.perf_counter() - start, 2))
    _write_record(folder, record)
    return record["status"]
