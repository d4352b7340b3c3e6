"""``python -m sim.collect DIR``: rebuild a sweep's table (sweep.csv, sweep.parquet) and plots from
its job folders, e.g. after a sweep was stopped, or when its jobs ran on a cluster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    print(f"sim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.collect", description=__doc__.splitlines()[0])
    parser.add_argument("folder", metavar="DIR", help="a sweep folder, e.g. results/sweeps/desks.fixed")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        _fail(f"{folder}: no such folder")

    from sim.experiments.sweep.table import TABLE_CSV, job_folders, status_counts, write_table

    if not job_folders(folder):
        _fail(f"{folder}: no sweep jobs in it (folders holding .hydra/overrides.yaml)")
    table = write_table(folder)
    print(f"Sweep table ({len(table)} jobs: {status_counts(table)}): {folder / TABLE_CSV}")


if __name__ == "__main__":
    main()
