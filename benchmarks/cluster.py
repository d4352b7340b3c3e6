"""Wall time of one run on the local backend and on a local Dask cluster, with 1 and 2 workers,
side by side in one process, and whether their results are equal (they must be, bit for bit).

    python benchmarks/cluster.py                       # the 16 largest units, 2 replications
    python benchmarks/cluster.py --rounds 2 city.units=[ba_dinh,hoan_kiem] replications=4

Positional arguments are Hydra overrides of the main job. Each setting runs ``--rounds`` times,
in turns; the Dask cluster is started once per worker count (its start-up is printed apart) and
stopped at the end. On a shared machine wall times vary: compare the settings of one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hydra import compose, initialize_config_dir  # noqa: E402

from sim.analysis.summary import summarise  # noqa: E402
from sim.config.build import build_scenario  # noqa: E402
from sim.config.paths import CONFIG_DIR  # noqa: E402
from sim.config.schema import register  # noqa: E402
from sim.experiments import cluster  # noqa: E402
from sim.experiments.runner import run_scenario  # noqa: E402


def fingerprint(scenario, results) -> str:
    run = summarise(scenario, results)
    text = "".join(table.to_csv() for table in (run.units, run.departments, run.daily)) + run.waits.tobytes().hex()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    register()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=["replications=2", "progress=false", *args.overrides])
    scenario = build_scenario(cfg)
    if not any(o.startswith("city.units=") for o in args.overrides):  # the 16 largest units
        largest = sorted(scenario.units, key=lambda plan: -plan.records_per_day)[:16]
        scenario = dataclasses.replace(scenario, units=tuple(largest))
    tasks = len(scenario.units) * scenario.replications
    print(f"{len(scenario.units)} units x {scenario.replications} replications = {tasks} tasks, "
          f"{scenario.start} to {scenario.end}")
    settings = [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]
    seconds: dict = {s: [] for s in settings}
    prints: dict = {}
    try:
        for _ in range(args.rounds):
            for backend, workers in settings:
                chosen = dataclasses.replace(scenario, backend=backend, workers=workers)
                if backend == "dask":
                    started = time.perf_counter()
                    cluster.client_for("", workers)  # started apart: a command starts it once
                    startup = time.perf_counter() - started
                    if startup > 0.05:
                        print(f"  dask cluster of {workers} started in {startup:.1f} s")
                started = time.perf_counter()
                results = run_scenario(chosen, progress=False)
                seconds[(backend, workers)].append(time.perf_counter() - started)
                prints[(backend, workers)] = fingerprint(scenario, results)
    finally:
        cluster.close()
    base = statistics.median(seconds[("local", 1)])
    print(f"{'backend':8} {'workers':>7} {'median s':>9} {'speed-up':>9}  results")
    for setting in settings:
        median = statistics.median(seconds[setting])
        print(f"{setting[0]:8} {setting[1]:>7} {median:>9.1f} {base / median:>9.2f}  {prints[setting]}")
    print("results equal:", len(set(prints.values())) == 1)


if __name__ == "__main__":
    main()
