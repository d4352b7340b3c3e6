"""Time one full-city replication (126 units, 1 July - 30 August 2025) on one core.

Each measurement runs in a fresh child process so that its peak resident memory is its own.
Prints one row per repeat (wall seconds, records, records per second, peak RSS) and the median.

    python benchmarks/bench_city.py            # 3 repeats of the main job's configuration
    python benchmarks/bench_city.py --repeats 1 scenario.demand.growth=2
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from hydra import compose, initialize_config_dir
from sim.analysis import COUNTS
from sim.paths import CONFIG_DIR
from sim.config import build_scenario
from sim.runner import run_scenario
from sim.schema import register

register()
with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
    cfg = compose("config", overrides=["replications=1", *sys.argv[1:]])
scenario = build_scenario(cfg)
start = time.perf_counter()
results = run_scenario(scenario, workers=1, progress=False)
seconds = time.perf_counter() - start
records = sum(r.counts[COUNTS.index("received")] for r in results[0])
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "records": records, "peak_mb": peak_mb, "units": len(scenario.units)}))
"""


def measure(overrides: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *overrides], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for python -m sim")
    args = parser.parse_args()
    rows = [measure(args.overrides) for _ in range(args.repeats)]
    print(f"{'run':>4} {'units':>6} {'records':>9} {'seconds':>9} {'records/s':>10} {'peak MB':>8}")
    for k, r in enumerate(rows, 1):
        print(f"{k:>4} {r['units']:>6} {r['records']:>9,.0f} {r['seconds']:>9.2f} "
              f"{r['records'] / r['seconds']:>10,.0f} {r['peak_mb']:>8.0f}")
    med = statistics.median(r["seconds"] for r in rows)
    print(f"median {med:.2f} s, {rows[0]['records'] / med:,.0f} records/s, "
          f"peak {max(r['peak_mb'] for r in rows):.0f} MB (one core, one replication)")


if __name__ == "__main__":
    main()
