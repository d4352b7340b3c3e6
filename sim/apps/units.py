"""``python -m sim.units``: the 126 units and the City Centre's branches with the population, desks
and processing staff a run gives them, computed by the same build as a run (so every override of the main job applies), and
each department's expected offered load (:mod:`sim.analysis.offered_load`), flagged above 1."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.apps.command import (OneLineParser, compose_as_run, config_loader, fail, hydra_arguments,
                              reported_as_one_line, reporting_faults)
from sim.model.city import CENTRE_KIND, NODE_KINDS

COLUMNS = ("slug", "name", "kind", "population", "population_imputed", "desks", "staff", "structure",
           "staff_by_department", "max_load", "busiest_department")
LOAD_COLUMNS = ("slug", "name", "kind", "structure", "department", "staff", "work_min_per_day",
                "capacity_min_per_day", "load", "overloaded")


def _scenario(overrides: list[str], config_dir: str | None, config_name: str):
    from sim.config.build import build_scenario

    flags = (["--config-dir", config_dir] if config_dir else []) + ["--config-name", config_name]
    with config_loader(hydra_arguments([*flags, *overrides])) as loader:
        return build_scenario(compose_as_run(loader, config_name, overrides))


def unit_rows(overrides: list[str], config_dir: str | None = None, config_name: str = "config") -> list[dict]:
    """One row per unit and Centre branch of the composed config (all unless ``city.units`` is set;
    a branch has no population: None): staff are
    the processing officers of all its departments, as ``sim.config.build.build_scenario`` sets them,
    then per department; the largest expected offered load and the department it falls on."""
    rows, _ = unit_and_department_rows(overrides, config_dir, config_name)
    return rows


def unit_and_department_rows(overrides: list[str], config_dir: str | None = None,
                             config_name: str = "config") -> tuple[list[dict], list[dict]]:
    """The rows of :func:`unit_rows`, and one row per department of each unit with its expected
    offered load."""
    from sim.analysis.offered_load import session_minutes_per_day, unit_loads

    scenario = _scenario(overrides, config_dir, config_name)
    minutes = session_minutes_per_day(scenario)
    units, departments = [], []
    for plan in scenario.units:
        loads = unit_loads(scenario, plan, minutes)
        busiest = max(loads, key=lambda load: load.load)
        structure = plan.organisation.structure.name
        units.append({
            "slug": plan.unit.slug,
            "name": plan.unit.name,
            "kind": plan.unit.kind,
            "population": None if plan.unit.kind == CENTRE_KIND else plan.unit.population,
            "population_imputed": plan.unit.population_imputed,
            "desks": plan.desks,
            "staff": sum(plan.staff),
            "structure": structure,
            "staff_by_department": " ".join(f"{load.department}={load.staff}" for load in loads),
            "max_load": round(busiest.load, 3),
            "busiest_department": busiest.department,
        })
        departments += [{
            "slug": plan.unit.slug, "name": plan.unit.name, "kind": plan.unit.kind, "structure": structure,
            "department": load.department, "staff": load.staff,
            "work_min_per_day": round(load.work_minutes_per_day, 1),
            "capacity_min_per_day": round(load.capacity_minutes_per_day, 1),
            "load": round(load.load, 3), "overloaded": load.overloaded,
        } for load in loads]
    return units, departments


@reporting_faults
def main(argv: list[str] | None = None) -> None:
    """``python -m sim.units``. Why one function: a command's flags, its one-line errors and its
    three outputs (table, loads, CSV) read best in the order a user meets them."""
    parser = OneLineParser(prog="python -m sim.units", description="The units with the population, desks and processing staff a run gives "
                                     "them; every override of python -m sim applies.",
                                     epilog="e.g. python -m sim.units --kind ward desks.residents_per_desk=15000")
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="Hydra overrides, as for python -m sim")
    parser.add_argument("--table", metavar="PATH", help="another unit table (city.table), same columns")
    parser.add_argument("--kind", choices=NODE_KINDS, help="only wards, only communes or only the Centre's branches")
    parser.add_argument("--csv", action="store_true", help="CSV on standard output instead of a table")
    parser.add_argument("--loads", action="store_true",
                        help="one row per department: staff, expected work and capacity (minutes a day) "
                             "and the expected offered load, flagged above 1")
    parser.add_argument("--config-dir", metavar="DIR", help="a folder of your own configs, as for python -m sim")
    parser.add_argument("--config-name", "-cn", default="config", metavar="NAME", help="the main config")
    args = parser.parse_args(argv)
    if args.table and not Path(args.table).is_file():
        fail(f"--table: {args.table}: no such file")
    overrides = args.overrides + ([f"city.table={args.table}"] if args.table else [])

    with reported_as_one_line():
        units, departments = unit_and_department_rows(overrides, args.config_dir, args.config_name)
    units = [r for r in units if args.kind in (None, r["kind"])]
    departments = [r for r in departments if args.kind in (None, r["kind"])]
    if sys.stdout.encoding.lower().replace("-", "") != "utf8":  # names carry Vietnamese diacritics
        sys.stdout.reconfigure(encoding="utf-8")

    import pandas as pd

    table = pd.DataFrame(departments if args.loads else units, columns=list(LOAD_COLUMNS if args.loads else COLUMNS))
    if not args.loads:
        table["population"] = table["population"].astype("Int64")  # empty for a branch
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    if args.loads:
        table["overloaded"] = table["overloaded"].map({True: "ABOVE 1", False: ""})
        print(table.drop(columns="name").to_string(index=False))
    else:
        table["population"] = table["population"].astype(object).where(table["population"].notna(), "")
        table["population_imputed"] = table["population_imputed"].map({True: "yes", False: ""})
        print(table.rename(columns={"population_imputed": "imputed"}).to_string(index=False))
    frame = pd.DataFrame(units, columns=list(COLUMNS))
    wards, communes, branches = (int((frame["kind"] == kind).sum()) for kind in NODE_KINDS)
    centre = f" and {branches} City Centre branches" if branches else ""
    print(f"\n{wards + communes} units ({wards} wards, {communes} communes){centre}: {frame['desks'].sum()} desks, "
          f"{frame['staff'].sum()} processing officers")
    over = [r for r in departments if r["overloaded"]]
    if over:
        named = ", ".join(f"{r['slug']} {r['department']} {r['load']:.2f}" for r in over)
        print(f"{len(over)} of {len(departments)} departments have an expected offered load above 1 "
              f"(their backlog grows without end): {named}")
    else:
        print(f"no department has an expected offered load above 1 "
              f"(largest {max((r['load'] for r in departments), default=0):.2f})")


if __name__ == "__main__":
    main()
