"""The simulator's performance figures in one run, each next to its target, with PASS or FAIL.

    python benchmarks/bench.py                 # everything, a few minutes on two cores
    python benchmarks/bench.py --quick         # smoke run: one repeat, fewer customers, short sweep
    python benchmarks/bench.py --sections city,mmc --repeats 5

Sections
  city    one full-city replication (main job, 126 units) on one core: median wall time of the
          repeats, records per second, peak resident memory (RSS)
  mmc     an M/M/c queue (c = 4, load 0.9, exponential service of mean 10 min) simulated by the
          desk engine and by Ciw: customers per second, their ratio, and each mean wait with a
          95 % batch-means interval that should contain the Erlang C value
  memory  peak RSS of a full-city replication at three demand sizes, over the RSS of a process
          that only imports and builds the scenario: does memory grow at most linearly?
  front   the front office's cost: one full-city replication on one core at the commit before the
          front-office model (--front-before, default FRONT_BEFORE), at this commit with the minimal
          front office (front_office=submissions_only) and with the default one (as_it_works), run
          in turns; medians of CPU seconds and their ratios to the first, side by side. With
          --instructions, also the instructions each setting's replication executes (valgrind's
          callgrind, counted once the scenario is built): on one machine the same from run to
          run within a few tenths of a per cent, however busy it is, so they tell a real change
          from a slow spell of a shared machine (about five minutes a setting; not a target: the
          target is CPU time, and time per instruction differs between settings)
  compiled  the numba kernels (sim.engines.compiled, sim.engines.compiled_overtime,
          sim.engines.compiled_desks) against the Python loops they replace, in one process, in
          turns: the staff stage with overtime on the staff pools of a full-city replication,
          then full-city replications with every kernel on, with the desk loop in Python (the
          staff kernels on) and with every kernel off (as SIM_NO_COMPILE=1 runs); medians of CPU
          seconds and their ratios to the last, side by side (issue 22: 4x is the target for a
          whole replication; not judged here). The first replication is a warm-up that also
          says how long loading (or compiling) the kernels took
  recommend  python -m sim.recommend over the shipped ensemble's first --recommend-members members
          (3) on a subset of ten units (--recommend-units), with the code of --recommend-before (the
          commit before the warm start) and with this one, in turns: wall seconds and the
          unit-replications, candidates and rounds simulated (these do not depend on the machine),
          and every unit whose answer differs (the earlier commit's seconds can include compiling its
          numba kernels once in a fresh folder); with --recommend-city, also the whole city at the
          default settings against its 600 s target
  sweep   a planner's sweep, sixteen full-city jobs over the whole period (demand growth x
          residents per desk, one replication each) with the joblib launcher, one job at a time
          and two at a time (--sweep-rounds 2: twice each, in the order 1, 2, 2, 1): jobs per
          minute while jobs run, and the speed-up (also of the whole command, start-up and
          sweep table included)

Every measurement runs in a fresh child process (this file with --child), so its peak RSS is its
own; imports and config composition are not timed. The memory section reuses the first full-city
repeat for growth 1. "CPU share" is CPU time over wall time of the timed code: well under 100 %
(200 % for two parallel jobs) means other work on the machine slowed the measurement. The exit
status is 1 if any target is missed. Positional arguments are Hydra overrides for the full-city
runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("city", "mmc", "memory", "front", "sweep", "recommend", "compiled")

# Targets (README, "Benchmarks").
CITY_SECONDS = 5.0
PEAK_MB = 300.0
CIW_RATIO = 3.0
LINEAR_SLACK = 1.1
SWEEP_RATIO = 1.8
FRONT_RATIO = 1.5
RECOMMEND_SECONDS = 600.0  # python -m sim.recommend for all 126 units and the Centre on two cores (issue 12)
# Issues 20 and 22: the recommendation over the shipped ensemble, before the warm start and after,
# on a subset (the five largest wards, a small ward, three communes, the largest Centre branch) and
# the ensemble's first members; the counts simulated do not depend on the machine, the seconds do.
RECOMMEND_BEFORE = "a46194a"  # the last commit before issues 20 and 22
RECOMMEND_SUBSET = ("ha_dong", "tuong_mai", "bach_mai", "nghia_do", "hong_ha", "linh_nam", "dong_anh", "soc_son",
                    "yen_bai", "centre_branch_01")
RECOMMEND_MEMBERS = 3
RECOMMEND_ENSEMBLE_SECONDS = 900.0  # the city over the ensemble within 15 minutes on two cores (issue 22)

# The front-office section: the last commit before the front-office model (desk queue KPIs,
# counters by group and everything after); today's minimal front office; the default one.
FRONT_BEFORE = "bbe8e8b"
FRONT_MINIMAL = ["front_office=submissions_only"]

# The M/M/c comparison: both simulators get the same queue.
SERVERS, LOAD, SERVICE_MEAN = 4, 0.9, 10.0  # minutes, sim/conf/procedures/single_exponential.yaml
ARRIVAL_RATE = LOAD * SERVERS / SERVICE_MEAN  # per minute
MMC_UNIT = "ba_dinh"
BATCHES, WARMUP = 20, 0.05  # batch means: 20 batches after dropping the first 5 % of customers


# --- child side: one measurement, one JSON line on stdout -------------------------------------------
def _peak_mb() -> float:
    """Peak RSS of this process in MB; should the measured code ever start child processes, their
    largest peak is added (an upper bound of the combined peak)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # Linux reports KiB


def _scenario(overrides: list[str]):
    from hydra import compose, initialize_config_dir
    from hydra.core.config_store import ConfigStore

    from sim.config.build import build_scenario
    from sim.config.paths import CONFIG_DIR
    from sim.config.schema import register

    if "schema.yaml" not in ConfigStore.instance().list("/"):
        register()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        return build_scenario(compose("config", overrides=overrides))


def child_city(overrides: list[str], run: bool = True) -> dict:
    """One replication of the main job on one core; with ``run`` false only imports and builds it."""
    from sim.analysis.unit_counts import COUNTS
    from sim.experiments.runner import run_scenario

    scenario = _scenario(["replications=1", "workers=1", *overrides])
    if not run:
        return {"peak_mb": _peak_mb(), "units": len(scenario.units)}
    start, cpu = time.perf_counter(), time.process_time()
    results = run_scenario(scenario, workers=1, progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    records = sum(r.counts[COUNTS.index("received")] for r in results[0])
    return {"seconds": seconds, "cpu": cpu, "records": int(records), "peak_mb": _peak_mb(),
            "units": len(scenario.units)}


def child_engine_mmc(customers: int, seed: int) -> dict:
    """The desk engine as an M/M/c queue through the config pipeline (+experiment=erlang_check)."""
    import numpy as np

    from sim.analysis.intervals import batch_means_ci
    from sim.analysis.queueing import erlang_c_wait
    from sim.engines.fast import simulate_unit
    from sim.experiments.runner import calendar_for, unit_streams
    from sim.engines.workload import draw_workload

    days = max(1, round(customers / (ARRIVAL_RATE * 1440)))
    end = (dt.date(2025, 7, 1) + dt.timedelta(days=days - 1)).isoformat()
    base = ["+experiment=erlang_check", f"city.units=[{MMC_UNIT}]", f"desks.fixed={SERVERS}",
            "period.start=2025-07-01", f"period.end={end}", f"seed={seed}"]
    population = _scenario(base).units[0].unit.population
    per_1000_per_day = ARRIVAL_RATE * 1440 * 1000 / population
    scenario = _scenario([*base, f"scenario.demand.records_per_1000_residents_per_day={per_1000_per_day!r}"])
    plan = scenario.units[0]
    rate = plan.records_per_day / 1440
    if not math.isclose(rate, ARRIVAL_RATE, rel_tol=1e-9):
        raise RuntimeError(f"configured arrival rate {rate}/min is not {ARRIVAL_RATE}/min")
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)

    start, cpu = time.perf_counter(), time.process_time()
    workload = draw_workload(scenario, plan, calendar, unit_streams(scenario.seed, 0, plan.unit.index))
    outcome = simulate_unit(workload, calendar, plan.desks, plan.organisation, scenario.desk_policy,
                            scenario.back_office)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu

    served = ~np.isnan(outcome.desk_start)
    order = np.argsort(workload.arrival[served], kind="stable")
    waits = outcome.desk_wait[served][order]
    return {"customers": len(workload), "seconds": seconds, "cpu": cpu, "desks": plan.desks,
            "ci": batch_means_ci(waits, BATCHES, WARMUP), "erlang_c": erlang_c_wait(rate, SERVICE_MEAN, plan.desks)}


def child_ciw_mmc(customers: int, seed: int) -> dict:
    """The same M/M/c queue in Ciw; its time includes its own sampling."""
    import ciw
    import numpy as np

    from sim.analysis.intervals import batch_means_ci

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(ARRIVAL_RATE)],
                                 service_distributions=[ciw.dists.Exponential(1 / SERVICE_MEAN)],
                                 number_of_servers=[SERVERS])
    ciw.seed(seed)
    start, cpu = time.perf_counter(), time.process_time()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(customers, method="Finish")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    records = sorted(simulation.get_all_records(), key=lambda r: r.arrival_date)
    waits = np.array([r.waiting_time for r in records])
    return {"customers": len(records), "seconds": seconds, "cpu": cpu, "version": ciw.__version__,
            "ci": batch_means_ci(waits, BATCHES, WARMUP)}


def child_recommend(overrides: list[str]) -> dict:
    """The recommendation for every unit and branch on two workers: screening and simulation times."""
    from sim.api import load_config
    from sim.experiments.recommendation import recommend

    cfg = load_config(*overrides)
    started = time.perf_counter()
    rec = recommend(cfg, workers=2)
    return {"seconds": time.perf_counter() - started, "units": len(rec.searches), "rounds": rec.rounds,
            "unit_replications": rec.simulated, **rec.timing,
            "settled": sum(s.outcome in ("minimal", "out of reach") for s in rec.searches)}


def child_recommend_members(overrides: list[str]) -> dict:
    """The recommendation over the ensemble's members (``overrides`` choose it and the units) on two
    workers, with whatever code is on PYTHONPATH: per member the unit-replications, candidates and
    rounds, and each unit's answer, so two trees can be compared answer by answer."""
    from sim.api import load_config
    from sim.experiments.over_ensemble import recommend_over_ensemble

    cfg = load_config(*overrides)
    started = time.perf_counter()
    over = recommend_over_ensemble(cfg, workers=2)
    members = [{"unit_replications": rec.simulated, "candidates": len(rec.results), "rounds": rec.rounds,
                "answers": {rec.scenario.units[s.position].unit.slug: [list(s.x), s.outcome] for s in rec.searches}}
               for rec in over.members]
    return {"seconds": time.perf_counter() - started, "members": members}


def child_compiled(overrides: list[str], repeats: int) -> dict:
    """The compiled kernels against the Python loops in this one process, in turns (see the
    section): CPU seconds of each repeat, by setting."""
    from sim.engines import compiled, compiled_desks, compiled_overtime, fast
    from sim.engines.rules import OvertimeDays
    from sim.experiments.runner import run_scenario

    scenario = _scenario(["replications=1", "workers=1", *overrides])
    pools, serve = [], fast.serve_with_overtime

    def keep(arrival, priority, work, servers, overtime):  # each staff pool's inputs, as given
        pools.append((arrival.copy(), priority.copy(), work.copy(), servers, overtime.plan))
        return serve(arrival, priority, work, servers, overtime)

    fast.serve_with_overtime = keep
    warm_up = time.process_time()
    run_scenario(scenario, workers=1, progress=False)  # also a warm-up: kernels compiled or loaded
    warm_up = time.process_time() - warm_up
    fast.serve_with_overtime = serve
    kernels = compiled._make_kernel(), compiled_overtime._make_kernel(), compiled_desks._make_kernel()
    if not all(kernels):
        return {"compiled": False}

    def stage(run) -> float:
        cpu = time.process_time()
        for arrival, priority, work, servers, plan in pools:
            run(arrival, priority, work, servers, OvertimeDays(plan, servers))
        return time.process_time() - cpu

    def city(staff: bool, overtime: bool, desks: bool) -> float:
        compiled._kernel = kernels[0] if staff else False
        compiled_overtime._kernel = kernels[1] if overtime else False
        compiled_desks._kernel = kernels[2] if desks else False
        cpu = time.process_time()
        run_scenario(scenario, workers=1, progress=False)
        return time.process_time() - cpu

    stages = {"python": fast.serve_with_overtime_python, "compiled": compiled_overtime.serve}
    cities = {"every kernel": (True, True, True), "desks in Python": (True, True, False),
              "all in Python": (False, False, False)}
    out: dict = {"compiled": True, "pools": len(pools), "items": int(sum(len(p[0]) for p in pools)), "warm_up": warm_up,
                 "stage": {name: [] for name in stages}, "city": {name: [] for name in cities}}
    for k in range(repeats):
        for name in (list(stages) if k % 2 == 0 else list(stages)[::-1]):
            out["stage"][name].append(stage(stages[name]))
        for name in (list(cities) if k % 2 == 0 else list(cities)[::-1]):
            out["city"][name].append(city(*cities[name]))
    return out


CHILDREN = {"city": child_city, "engine_mmc": child_engine_mmc, "ciw_mmc": child_ciw_mmc, "recommend": child_recommend,
            "recommend_members": child_recommend_members, "compiled": child_compiled}


# --- parent side --------------------------------------------------------------------------------
WARNINGS: set[str] = set()  # distinct warning lines the children printed, reported at the end


def measure(kind: str, tree: Path = ROOT, script: Path | None = None, **kwargs) -> dict:
    """Run one measurement in a fresh Python process, with the code of ``tree`` (this checkout, or
    an exported earlier commit), and return its JSON result; ``script``: the bench.py whose child
    runs (default the tree's own; this one, for a child the earlier commit's bench.py lacks)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    script = script or tree / "benchmarks" / "bench.py"
    done = subprocess.run([sys.executable, str(script), "--child", kind, json.dumps(kwargs)],
                          capture_output=True, text=True, cwd=tree, env=env)
    _keep_warnings(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} {kwargs} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _keep_warnings(stderr: str) -> None:
    WARNINGS.update(line.strip() for line in stderr.splitlines() if "Warning:" in line)


def _children_cpu() -> float:
    """User + system CPU seconds of all finished child processes (and theirs) so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mb(x: float) -> str:
    return f"{x:,.0f} MB"


class Table:
    """The final summary: measure | value | target | pass."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, measure: str, value: str, target: str, ok: bool | None) -> None:
        self.rows.append((measure, value, target, {True: "PASS", False: "FAIL", None: "skip"}[ok]))

    @property
    def failed(self) -> bool:
        return any(r[3] == "FAIL" for r in self.rows)

    def print(self) -> None:
        head = ("measure", "value", "target", "pass")
        widths = [max(len(r[k]) for r in [head, *self.rows]) for k in range(4)]
        line = lambda r: " | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
        print(line(head))
        print("-+-".join("-" * w for w in widths))
        for r in self.rows:
            print(line(r))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def section_city(args, table: Table) -> list[dict]:
    print(f"\n== 1. Full-city replication on one core ({args.repeats} repeats, replications=1, workers=1)")
    runs = []
    print(f"{'run':>4} {'units':>6} {'records':>9} {'seconds':>8} {'CPU share':>9} {'records/s':>10} {'peak RSS':>9}")
    for k in range(1, args.repeats + 1):
        r = measure("city", overrides=args.overrides)
        runs.append(r)
        print(f"{k:>4} {r['units']:>6} {r['records']:>9,} {r['seconds']:>8.2f} {r['cpu'] / r['seconds']:>9.0%} "
              f"{r['records'] / r['seconds']:>10,.0f} {r['peak_mb']:>6.0f} MB")
    median = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    print(f"median {median:.2f} s (target <= {CITY_SECONDS:g} s: {verdict(median <= CITY_SECONDS)}), "
          f"{runs[0]['records'] / median:,.0f} records/s; "
          f"peak RSS {mb(peak)} (target <= {mb(PEAK_MB)}: {verdict(peak <= PEAK_MB)})")
    table.add("city replication, median wall time", f"{median:.2f} s", f"<= {CITY_SECONDS:g} s", median <= CITY_SECONDS)
    table.add("city replication, records/s", f"{runs[0]['records'] / median:,.0f}", "", None)
    table.add("city replication, peak RSS", mb(peak), f"<= {mb(PEAK_MB)}", peak <= PEAK_MB)
    return runs


def _ci_text(ci: dict) -> str:
    return f"{ci['mean']:.2f} [{ci['ci95_low']:.2f}, {ci['ci95_high']:.2f}] min"


def section_mmc(args, table: Table) -> None:
    print(f"\n== 2. M/M/c: desk engine versus Ciw (c = {SERVERS}, load {LOAD:g}, mean service "
          f"{SERVICE_MEAN:g} min, {args.customers:,} customers; mean wait with a 95 % batch-means CI, "
          f"{BATCHES} batches after a {WARMUP:.0%} warm-up)")
    engine = measure("engine_mmc", customers=args.customers, seed=args.seed)
    erlang = engine["erlang_c"]
    have_ciw = importlib.util.find_spec("ciw") is not None
    ciw = measure("ciw_mmc", customers=args.customers, seed=args.seed) if have_ciw else None
    print(f"Erlang C mean wait: {erlang:.2f} min")
    print(f"{'simulator':<22} {'customers':>9} {'seconds':>8} {'CPU share':>9} {'customers/s':>12}  "
          "mean wait [95 % CI]")
    rows = [("desk engine (sim)", "engine", engine)] + ([(f"Ciw {ciw['version']}", "Ciw", ciw)] if ciw else [])
    for name, short, r in rows:
        inside = r["ci"]["ci95_low"] <= erlang <= r["ci"]["ci95_high"]
        print(f"{name:<22} {r['customers']:>9,} {r['seconds']:>8.2f} {r['cpu'] / r['seconds']:>9.0%} "
              f"{r['customers'] / r['seconds']:>12,.0f}  "
              f"{_ci_text(r['ci'])}  Erlang C inside CI: {'yes' if inside else 'NO'}")
        table.add(f"M/M/c mean wait, {short}", _ci_text(r["ci"]), f"Erlang C {erlang:.2f} inside CI", inside)
    if ciw is None:
        print("Ciw is not installed, so the comparison is skipped: pip install -e '.[bench]' (or pip install ciw)")
        table.add("M/M/c customers/s, engine / Ciw", "ciw not installed", f">= {CIW_RATIO:g}", None)
        return
    ratio = (engine["customers"] / engine["seconds"]) / (ciw["customers"] / ciw["seconds"])
    print(f"speed ratio engine / Ciw: {ratio:.2f} (target >= {CIW_RATIO:g}: {verdict(ratio >= CIW_RATIO)})")
    table.add("M/M/c customers/s, engine / Ciw", f"{ratio:.2f}", f">= {CIW_RATIO:g}", ratio >= CIW_RATIO)


def section_memory(args, table: Table, city_runs: list[dict]) -> None:
    print(f"\n== 3. Memory versus records (scenario.demand.growth = {', '.join(map(str, args.growths))}; "
          "one child each)")
    base = measure("city", overrides=args.overrides, run=False)
    print(f"baseline (imports and builds the scenario, simulates nothing): peak RSS {mb(base['peak_mb'])}")
    print(f"{'growth':>6} {'records':>9} {'peak RSS':>9} {'over baseline':>14} {'MB per 100k records':>20}")
    sizes = []
    for growth in args.growths:
        if growth == 1 and city_runs:  # section 1 already measured exactly this run
            r = city_runs[0]
        else:
            r = measure("city", overrides=[*args.overrides, f"scenario.demand.growth={growth}"])
        extra = r["peak_mb"] - base["peak_mb"]
        sizes.append((growth, r, extra / r["records"] * 1e5))
        print(f"{growth:>6g} {r['records']:>9,} {r['peak_mb']:>6.0f} MB {extra:>11.1f} MB {sizes[-1][2]:>20.2f}")
    at_one = next((r["peak_mb"] for g, r, _ in sizes if g == 1), None)
    if at_one is not None:
        table.add("peak RSS at growth 1", mb(at_one), f"<= {mb(PEAK_MB)}", at_one <= PEAK_MB)
    smallest, largest = sizes[0][2], sizes[-1][2]
    ratio = largest / smallest if smallest > 0 else math.nan
    ok = ratio <= LINEAR_SLACK  # False for nan
    print(f"MB per 100k records, largest / smallest size: {ratio:.2f} "
          f"(target <= {LINEAR_SLACK:g}, no faster than linear: {verdict(ok)})")
    table.add(f"memory per record, growth {args.growths[-1]:g} / {args.growths[0]:g}", f"{ratio:.2f}",
              f"<= {LINEAR_SLACK:g} (linear)", ok)


# The child that counts a replication's instructions: it builds the scenario with ``tree``'s code,
# says so, and simulates once told to (callgrind counts only from then on).
INSTRUCTIONS_CHILD = r"""
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/benchmarks"]
import bench
from sim.experiments.runner import run_scenario
scenario = bench._scenario(["replications=1", "workers=1", *json.loads(sys.argv[2])])
print("ready", flush=True)
sys.stdin.readline()
run_scenario(scenario, workers=1, progress=False)
"""


def count_instructions(tree: Path, overrides: list[str]) -> int:
    """Instructions one full-city replication executes with ``tree``'s code, counted by callgrind
    with instrumentation switched on once the scenario is built (imports and composition are not
    counted; Python's hash seed fixed, so that set orders repeat)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    child = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
                              sys.executable, "-c", INSTRUCTIONS_CHILD, str(tree), json.dumps(overrides)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tree, env=env)
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise RuntimeError(f"the instruction-count child failed:\n{child.communicate()[1][-3000:]}")
    subprocess.run(["callgrind_control", "--instr=on", str(child.pid)], capture_output=True, check=True)
    _, err = child.communicate("go\n")
    found = re.search(r"Collected : (\d+)", err)
    if child.returncode != 0 or found is None:
        raise RuntimeError(f"the instruction-count child failed:\n{err[-3000:]}")
    return int(found.group(1))


def _instruction_counts(settings: list[tuple[str, Path, list[str]]]) -> None:
    """Print each setting's instruction count and its ratio to the first (see count_instructions)."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind is not installed, so the instruction counts are skipped (apt-get install valgrind)")
        return
    counts = [(name, count_instructions(tree, overrides)) for name, tree, overrides in settings]
    print(f"{'setting':<28} {'instructions':>15} {'ratio to before':>16}")
    for name, count in counts:
        print(f"{name:<28} {count:>15,} {count / counts[0][1]:>16.2f}")


def _export(commit: str) -> Path:
    """The files of ``commit`` in a fresh temporary folder (git archive), to run its own code."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench_{commit}_"))
    archive = subprocess.run(["git", "archive", "--format=tar", commit], capture_output=True, cwd=ROOT)
    if archive.returncode != 0:
        raise RuntimeError(f"git archive {commit} failed (is the history there?): {archive.stderr.decode()[-500:]}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def section_front(args, table: Table) -> None:
    print(f"\n== 4. Front office: one full-city replication on one core, before it ({args.front_before}), "
          f"now with the minimal front office ({' '.join(FRONT_MINIMAL)}), and now with the default one "
          f"(front_office=as_it_works) ({args.repeats} rounds, in turns)")
    before = _export(args.front_before)
    try:
        settings = [(f"before ({args.front_before})", before, args.overrides),
                    ("now, submissions only", ROOT, [*FRONT_MINIMAL, *args.overrides]),
                    ("now, the default front office", ROOT, args.overrides)]
        cpu: dict[str, list[float]] = {name: [] for name, _, _ in settings}
        print(f"{'round':>5} {'setting':<28} {'records':>9} {'wall s':>7} {'CPU s':>6} {'CPU share':>9}")
        for k in range(1, args.repeats + 1):
            for name, tree, overrides in settings if k % 2 else settings[::-1]:
                r = measure("city", tree=tree, overrides=overrides)
                cpu[name].append(r["cpu"])
                print(f"{k:>5} {name:<28} {r['records']:>9,} {r['seconds']:>7.2f} {r['cpu']:>6.2f} "
                      f"{r['cpu'] / r['seconds']:>9.0%}")
        if args.instructions:
            _instruction_counts(settings)
    finally:
        shutil.rmtree(before, ignore_errors=True)
    # CPU seconds, not wall seconds: a single-threaded replication's time on one core, less
    # disturbed by other work on the machine than its wall time.
    medians = {name: statistics.median(v) for name, v in cpu.items()}
    first = medians[settings[0][0]]
    print(f"{'setting':<28} {'median CPU s':>12} {'ratio to before':>16}")
    for name, median in medians.items():
        print(f"{name:<28} {median:>12.2f} {median / first:>16.2f}")
    for name, median in list(medians.items())[1:]:
        ratio = median / first
        table.add(f"front office: CPU s of a city replication, {name} / before",
                  f"{ratio:.2f} ({median:.2f} / {first:.2f} s)", f"<= {FRONT_RATIO:g}", ratio <= FRONT_RATIO)


def _sweep(n_jobs: int, args) -> tuple[float, float, float, int]:
    """Wall seconds of the whole multirun command, seconds of its jobs phase (first job's start to
    last job's end, from the jobs' job.json), CPU seconds of all its processes, and the number of
    jobs that finished (wrote summary.json)."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench_sweep_{n_jobs}_"))
    try:
        end = (dt.date(2025, 7, 1) + dt.timedelta(days=args.sweep_days - 1)).isoformat()
        command = [sys.executable, "-m", "sim", "-m", f"scenario.demand.growth={','.join(map(str, args.sweep_growths))}",
                   f"desks.residents_per_desk={','.join(map(str, args.sweep_desks))}",
                   "period.start=2025-07-01", f"period.end={end}", f"replications={args.sweep_replications}",
                   "workers=1", "progress=false",
                   "hydra/launcher=joblib", f"hydra.launcher.n_jobs={n_jobs}", f"hydra.sweep.dir={folder}"]
        start, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        _keep_warnings(done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"sweep with n_jobs={n_jobs} failed:\n{done.stderr[-3000:]}")
        records = [json.loads(p.read_text()) for p in folder.rglob("job.json")]
        phase = max(r["finished_unix"] for r in records) - min(r["started_unix"] for r in records)
        return seconds, phase, cpu, len(list(folder.rglob("summary.json")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def section_sweep(args, table: Table) -> None:
    jobs = len(args.sweep_growths) * len(args.sweep_desks)
    print(f"\n== 5. Sweep scaling: Hydra multirun of {jobs} jobs (scenario.demand.growth="
          f"{','.join(map(str, args.sweep_growths))} x desks.residents_per_desk={','.join(map(str, args.sweep_desks))}, "
          f"{args.sweep_days} days, 126 units, replications={args.sweep_replications}, workers=1), joblib launcher")
    if importlib.util.find_spec("hydra_plugins.hydra_joblib_launcher") is None:
        print("hydra-joblib-launcher is not installed, so the sweep is skipped: pip install hydra-joblib-launcher")
        table.add("sweep jobs/min, 2 / 1 parallel jobs", "launcher not installed", f">= {SWEEP_RATIO:g}", None)
        return
    # Order 1, 2, 2, 1 (and so on): a machine that speeds up or slows down over the run affects
    # both settings alike.
    order = [n for k in range(args.sweep_rounds) for n in ((1, 2) if k % 2 == 0 else (2, 1))]
    phases, commands = {1: 0.0, 2: 0.0}, {1: 0.0, 2: 0.0}
    print(f"{'n_jobs':>6} {'jobs done':>9} {'command s':>10} {'jobs phase s':>13} {'CPU s':>7} {'jobs/min':>9}")
    for n_jobs in order:
        seconds, phase, cpu, finished = _sweep(n_jobs, args)
        if finished != jobs:
            raise RuntimeError(f"sweep with n_jobs={n_jobs}: {finished} of {jobs} jobs wrote summary.json")
        phases[n_jobs] += phase
        commands[n_jobs] += seconds
        print(f"{n_jobs:>6} {finished:>9} {seconds:>10.1f} {phase:>13.1f} {cpu:>7.1f} {jobs / phase * 60:>9.2f}")
    rate = {n: jobs * args.sweep_rounds / phases[n] * 60 for n in (1, 2)}
    ratio, whole_ratio = phases[1] / phases[2], commands[1] / commands[2]
    print(f"throughput with 2 jobs at a time over 1, while jobs run: {ratio:.2f} "
          f"(target >= {SWEEP_RATIO:g}: {verdict(ratio >= SWEEP_RATIO)}); whole command, with Hydra's start-up, "
          f"the workers' imports and the sweep table: {whole_ratio:.2f}")
    table.add("sweep jobs/min, n_jobs=1", f"{rate[1]:.2f}", "", None)
    table.add("sweep jobs/min, n_jobs=2", f"{rate[2]:.2f}", "", None)
    table.add("sweep throughput, 2 / 1 parallel jobs", f"{ratio:.2f}", f">= {SWEEP_RATIO:g}", ratio >= SWEEP_RATIO)
    table.add("sweep whole command, 2 / 1", f"{whole_ratio:.2f}", "", None)


def section_recommend(args, table: Table) -> None:
    section_recommend_ensemble(args, table)
    if not args.recommend_city:
        return
    print("\n== 6. python -m sim.recommend for every unit and branch, workers=2")
    cpu = _children_cpu()
    r = measure("recommend", overrides=args.overrides)
    cpu = _children_cpu() - cpu
    ok = r["seconds"] <= RECOMMEND_SECONDS
    print(f"{r['units']} units, {r['settled']} settled, {r['rounds']} rounds, {r['unit_replications']:,} unit-replications: "
          f"{r['seconds']:.0f} s (screening {r['screening_s']:.1f} s, simulation {r['simulation_s']:.0f} s; "
          f"CPU {cpu:.0f} s) (target <= {RECOMMEND_SECONDS:g} s: {verdict(ok)})")
    table.add("recommendation, all units, wall time", f"{r['seconds']:.0f} s", f"<= {RECOMMEND_SECONDS:g} s", ok)
    table.add("recommendation, screening / simulation", f"{r['screening_s']:.1f} s / {r['simulation_s']:.0f} s", "", None)


def section_recommend_ensemble(args, table: Table) -> None:
    """The recommendation over the ensemble's first members on the subset, before (RECOMMEND_BEFORE,
    every member from its screen) and now (each member from the previous member's answer), in that
    order: seconds, and the counts simulated, which do not depend on the machine; and the units
    whose answer differs."""
    units = ",".join(args.recommend_units)
    overrides = ["ensemble.path=hanoi_2025", f"ensemble.members={args.recommend_members}", f"city.units=[{units}]",
                 "progress=false", *args.overrides]
    print(f"\n== 6. python -m sim.recommend over the ensemble's first {args.recommend_members} members, "
          f"{len(args.recommend_units)} units ({units}), workers=2: before ({args.recommend_before}) and now")
    before_tree = _export(args.recommend_before)
    try:
        runs = {"before": measure("recommend_members", tree=before_tree, script=Path(__file__).resolve(),
                                  overrides=overrides),
                "now": measure("recommend_members", overrides=overrides)}
    finally:
        shutil.rmtree(before_tree, ignore_errors=True)
    print(f"{'':<7} {'seconds':>8} {'unit-replications by member':>30} {'candidates':>12} {'rounds':>8}")
    for name, r in runs.items():
        m = r["members"]
        print(f"{name:<7} {r['seconds']:>8.0f} {' + '.join(str(x['unit_replications']) for x in m):>30} "
              f"{sum(x['candidates'] for x in m):>12} {' + '.join(str(x['rounds']) for x in m):>8}")
    reps = [sum(x["unit_replications"] for x in r["members"]) for r in runs.values()]
    differ = [(k, slug, b[slug], n[slug]) for k, (b, n) in enumerate(zip(*(
              [x["answers"] for x in r["members"]] for r in runs.values()))) for slug in b if b[slug] != n[slug]]
    print("(the seconds before can include compiling the earlier commit's numba kernels in a fresh folder: compare the counts)")
    print(f"unit-replications now / before: {reps[1] / reps[0]:.2f}; answers that differ: {len(differ)} of "
          f"{sum(len(x['answers']) for x in runs['now']['members'])}")
    for k, slug, b, n in differ:
        print(f"  member {k} {slug}: before {b[0]} ({b[1]}), now {n[0]} ({n[1]})")
    seconds = runs["now"]["seconds"]
    table.add(f"recommendation over {args.recommend_members} members, subset, unit-replications now / before",
              f"{reps[1] / reps[0]:.2f}", "", None)
    table.add("recommendation over the members, subset, wall time now / before",
              f"{seconds:.0f} s / {runs['before']['seconds']:.0f} s", "", None)
    table.add("recommendation over the members, subset, answers that differ", str(len(differ)), "", None)


def section_compiled(args, table: Table) -> None:
    print(f"\n== 7. Compiled kernels against the Python loops, one process, in turns ({args.repeats} rounds)")
    r = measure("compiled", overrides=args.overrides, repeats=args.repeats)
    if not r["compiled"]:
        print("numba is not installed: nothing to compare")
        table.add("compiled: overtime staff stage, Python / compiled", "no numba", "", None)
        return
    stage = {name: statistics.median(v) for name, v in r["stage"].items()}
    print(f"overtime staff stage, {r['pools']} pools, {r['items']:,} items of a full-city replication: "
          f"Python {stage['python']:.3f} CPU s, compiled {stage['compiled']:.3f} CPU s, "
          f"ratio {stage['python'] / stage['compiled']:.1f}")
    print(f"warm-up replication (kernels loaded from numba's cache, or compiled): {r['warm_up']:.2f} CPU s")
    city = {name: statistics.median(v) for name, v in r["city"].items()}
    print(f"{'full-city replication':<22} {'median CPU s':>12} {'Python / this':>14}   repeats")
    slowest = city["all in Python"]
    for name, median in city.items():
        print(f"{name:<22} {median:>12.2f} {slowest / median:>14.2f}   "
              + " ".join(f"{x:.2f}" for x in r["city"][name]))
    print(f"compiled {city['every kernel']:.2f} CPU s, SIM_NO_COMPILE=1 {slowest:.2f} CPU s: "
          f"ratio {slowest / city['every kernel']:.2f}")
    table.add("compiled: overtime staff stage, Python / compiled", f"{stage['python'] / stage['compiled']:.1f}",
              "", None)
    table.add("compiled: city replication, all in Python / every kernel",
              f"{slowest / city['every kernel']:.2f} ({slowest:.2f} / {city['every kernel']:.2f} s)", "", None)
    table.add("compiled: city replication, desks in Python / every kernel",
              f"{city['desks in Python'] / city['every kernel']:.2f}", "", None)


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 repeat, 50,000 customers, growths 0.25,0.5,1, a 2-job 7-day sweep")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--repeats", type=int, help="full-city repeats (default 3)")
    parser.add_argument("--customers", type=int, help="M/M/c customers (default 200,000)")
    parser.add_argument("--growths", type=_floats, help="demand sizes of the memory section (default 0.5,1,2)")
    parser.add_argument("--sweep-days", type=int, help="days simulated per sweep job (default 61: 1 July - 30 August)")
    parser.add_argument("--sweep-replications", type=int, help="replications per sweep job (default 1)")
    parser.add_argument("--sweep-rounds", type=int, help="sweeps run with each n_jobs, in the order 1,2,2,1,... (default 1)")
    parser.add_argument("--sweep-growths", type=_floats, help="demand growths swept (default 0.8,0.9,...,1.5)")
    parser.add_argument("--sweep-desks", type=lambda t: [int(x) for x in t.split(",")],
                        help="residents per desk swept (default 20000,25000)")
    parser.add_argument("--instructions", action="store_true",
                        help="front section: also count each setting's instructions with valgrind (slow)")
    parser.add_argument("--front-before", default=FRONT_BEFORE,
                        help=f"commit the front-office section compares with (default {FRONT_BEFORE})")
    parser.add_argument("--seed", type=int, default=20250701, help="seed of the M/M/c runs")
    parser.add_argument("--recommend-before", default=RECOMMEND_BEFORE,
                        help=f"commit the recommend section compares with (default {RECOMMEND_BEFORE})")
    parser.add_argument("--recommend-units", type=lambda t: [u.strip() for u in t.split(",") if u.strip()],
                        default=list(RECOMMEND_SUBSET), help="units of the recommend section's subset")
    parser.add_argument("--recommend-members", type=int, default=RECOMMEND_MEMBERS,
                        help=f"ensemble members of the recommend section (default {RECOMMEND_MEMBERS})")
    parser.add_argument("--recommend-city", action="store_true",
                        help="recommend section: also the whole city at the default settings (several minutes)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for the full-city runs, as for python -m sim")
    args = parser.parse_args(argv)
    quick = {"repeats": 1, "customers": 50_000, "growths": [0.25, 0.5, 1.0], "sweep_days": 7,
             "sweep_replications": 1, "sweep_growths": [0.9, 1.0], "sweep_desks": [25000], "sweep_rounds": 1}
    full = {"repeats": 3, "customers": 200_000, "growths": [0.5, 1.0, 2.0], "sweep_days": 61,
            "sweep_replications": 1, "sweep_growths": [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
            "sweep_desks": [20000, 25000], "sweep_rounds": 1}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.growths = sorted(args.growths)  # the linearity check compares the largest with the smallest
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return args


def header() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    print(f"benchmarks/bench.py  {dt.datetime.now():%Y-%m-%d %H:%M}  commit {commit.stdout.strip() or '?'}  "
          f"Python {sys.version.split()[0]}  {os.cpu_count()} cores  load average {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(CHILDREN[argv[1]](**json.loads(argv[2]))))
        return 0
    args = parse(argv)
    started = time.perf_counter()
    header()
    table = Table()
    city_runs = section_city(args, table) if "city" in args.sections else []
    if "mmc" in args.sections:
        section_mmc(args, table)
    if "memory" in args.sections:
        section_memory(args, table, city_runs)
    if "front" in args.sections:
        section_front(args, table)
    if "sweep" in args.sections:
        section_sweep(args, table)
    if "recommend" in args.sections:
        section_recommend(args, table)
    if "compiled" in args.sections:
        section_compiled(args, table)
    print(f"\n== Summary ({time.perf_counter() - started:.0f} s; load average at the end {_load()})")
    table.print()
    if WARNINGS:
        print("\nWarnings printed by the measured processes:")
        for line in sorted(WARNINGS):
            print(f"  {line}")
    return 1 if table.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
