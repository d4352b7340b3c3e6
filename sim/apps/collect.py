"""``python -m sim.collect DIR``: rebuild a sweep's table (sweep.csv, sweep.parquet) and plots from
its job folders, e.g. after a sweep was stopped, or when its jobs ran on a cluster.

A job whose files are damaged is listed with status ``damaged``; the table is written for all
jobs, then one error line per damaged job and exit status 1. A folder that cannot be written
gives one line naming it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_FAULT = 1  # some jobs' files could not be read (the table is written), or the table could not be written
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
USAGE = "python -m sim.collect DIR"


def _fail(message: str, status: int = EXIT_BAD_INPUT) -> None:
    print(f"sim: error: {message}", file=sys.stderr)
    raise SystemExit(status)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        _fail(f"{message} (usage: {USAGE})")


def main(argv: list[str] | None = None) -> None:
    try:
        _collect(argv)
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None


def _collect(argv: list[str] | None) -> None:
    parser = _Parser(prog=USAGE.rsplit(" ", 1)[0], description=__doc__.splitlines()[0])
    parser.add_argument("folder", metavar="DIR", help="a sweep folder, e.g. results/sweeps/desks.fixed")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        _fail(f"{folder}: no such folder")

    from sim.experiments.sweep.table import job_folders, status_counts
    from sim.outputs.sweep_files import TABLE_CSV, write_table

    if not job_folders(folder):
        _fail(f"{folder}: no sweep jobs in it (folders holding .hydra/overrides.yaml)")
    try:
        table = write_table(folder)
    except OSError as exc:
        _fail(f"{exc.filename or folder}: cannot write the sweep table: {exc.strerror or exc}", EXIT_FAULT)
    print(f"Sweep table ({len(table)} jobs: {status_counts(table)}): {folder / TABLE_CSV}")
    damaged = table[table["status"] == "damaged"]
    for error in damaged["error"]:
        print(f"sim: error: {error}", file=sys.stderr)
    if len(damaged):
        raise SystemExit(EXIT_FAULT)


if __name__ == "__main__":
    main()
