"""One full-city replication on one core at an earlier commit and at this checkout, in turns, with
benchmarks/bench.py's own child (``city``): the medians of CPU seconds side by side. Written for
the compiled staff stage (sim.engines.compiled); any two commits compare the same way.

    python benchmarks/staff_stage.py 1adab3e 3     # COMMIT ROUNDS (the history must be there)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def main(commit: str, rounds: int) -> None:
    before = bench._export(commit)
    bench.measure("city", tree=bench.ROOT, overrides=["city.units=[ba_dinh]"])  # warm-up: numba's cache written
    cpu: dict[str, list[float]] = {"before": [], "after": []}
    for k in range(rounds):
        for name, tree in (("before", before), ("after", bench.ROOT)):
            r = bench.measure("city", tree=tree, overrides=[])
            cpu[name].append(r["cpu"])
            print(f"{k} {name:6} CPU {r['cpu']:.2f} s, wall {r['seconds']:.2f} s, {r['records']:,} records", flush=True)
    b, a = statistics.median(cpu["before"]), statistics.median(cpu["after"])
    print(f"median CPU: {commit} {b:.2f} s, this checkout {a:.2f} s, ratio {b / a:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
