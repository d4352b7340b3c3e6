"""A run folder belongs to one run. A command (``python -m sim``, ``sim.recommend``, ``sim.compare``,
``sim.validate``, ``sim.calibrate``, ``sim.sensitivity``) refuses a folder that already holds
anything, before Hydra writes into it (:func:`refuse_taken`), and claims the folder it runs in with
a file created exclusively (:func:`claim`), so that two runs started into one folder at the same
moment cannot both write there. A run that stops on a fault (a full disk, a killed worker,
Ctrl-C) before its done file is written takes its partial files away again
(:func:`leave_unfinished`): the folder then holds only Hydra's snapshot and the claim, visibly
unfinished. Sweep jobs are not run folders of this kind: a sweep reuses its finished jobs
(:mod:`sim.experiments.sweep.job`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

from sim.errors import ConfigError

CLAIM_FILE = ".sim_run.json"  # the run that owns the folder: process id, command line, start
KEY = "hydra.run.dir"


def refuse_taken(folder: Path) -> None:
    """Refuse a run folder that exists and is not empty: its files belong to another run."""
    try:
        taken = folder.is_dir() and any(folder.iterdir())
    except OSError:
        return  # cannot be listed: writing into it fails later with one line naming it
    if taken:
        raise ConfigError(KEY, f"{folder}: already holds another run's files; a run folder belongs to one run: "
                               f"choose a new folder, or leave the default (a new folder per run)")


def claim(folder: Path) -> set[str]:
    """Make ``folder`` this run's own (the claim file is created exclusively); return the names it
    held then (Hydra's snapshot and log), which :func:`leave_unfinished` keeps."""
    before = {entry.name for entry in folder.iterdir()}
    record = {"pid": os.getpid(), "command": sys.argv, "started": dt.datetime.now().isoformat(timespec="seconds")}
    try:
        descriptor = os.open(folder / CLAIM_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ConfigError(KEY, f"{folder}: another run started into this folder at the same time; "
                               f"a run folder belongs to one run: choose a new folder") from None
    with os.fdopen(descriptor, "w") as handle:
        json.dump(record, handle)
    return before | {CLAIM_FILE}


def leave_unfinished(folder: Path, kept: set[str], done: tuple[str, ...]) -> None:
    """After a fault: unless a done file is there (the results are complete), remove every file the
    run wrote besides ``kept``, so nothing in the folder looks like a result."""
    if any((folder / name).is_file() for name in done):
        return
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name in kept:
                continue
            with contextlib.suppress(OSError):
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
