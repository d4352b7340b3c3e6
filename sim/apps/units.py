"""``python -m sim.units``: the 126 units and the City Centre's branches with the population, desks
and processing staff a run gives them, computed by the same build as a run (so every override of
the main job applies)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.apps.command import (compose_as_run, config_loader, fail, hydra_arguments, reported_as_one_line,
                              reporting_faults)
from sim.model.city import CENTRE_KIND, NODE_KINDS

COLUMNS = ("slug", "name", "kind", "population", "population_imputed", "desks", "staff", "structure")


def unit_rows(overrides: list[str], config_dir: str | None = None, config_name: str = "config") -> list[dict]:
    """One row per unit and Centre branch of the composed config (all unless ``city.units`` is
    set): staff are the processing officers of all its departments, as
    ``sim.config.build.build_scenario`` sets them; a branch has no population (None)."""
    from sim.config.build import build_scenario

    flags = (["--config-dir", config_dir] if config_dir else []) + ["--config-name", config_name]
    with config_loader(hydra_arguments([*flags, *overrides])) as loader:
        scenario = build_scenario(compose_as_run(loader, config_name, overrides))
    return [
        {
            "slug": plan.unit.slug,
            "name": plan.unit.name,
            "kind": plan.unit.kind,
            "population": None if plan.unit.kind == CENTRE_KIND else plan.unit.population,
            "population_imputed": plan.unit.population_imputed,
            "desks": plan.desks,
            "staff": sum(plan.staff),
            "structure": plan.organisation.structure.name,
        }
        for plan in scenario.units
    ]


@reporting_faults
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.units", description="The units with the population, desks and processing staff a run gives "
                                     "them; every override of python -m sim applies.",
                                     epilog="e.g. python -m sim.units --kind ward desks.residents_per_desk=15000")
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="Hydra overrides, as for python -m sim")
    parser.add_argument("--table", metavar="PATH", help="another unit table (city.table), same columns")
    parser.add_argument("--kind", choices=NODE_KINDS, help="only wards, only communes or only the Centre's branches")
    parser.add_argument("--csv", action="store_true", help="CSV on standard output instead of a table")
    parser.add_argument("--config-dir", metavar="DIR", help="a folder of your own configs, as for python -m sim")
    parser.add_argument("--config-name", "-cn", default="config", metavar="NAME", help="the main config")
    args = parser.parse_args(argv)
    if args.table and not Path(args.table).is_file():
        fail(f"--table: {args.table}: no such file")
    overrides = args.overrides + ([f"city.table={args.table}"] if args.table else [])

    with reported_as_one_line():
        rows = unit_rows(overrides, args.config_dir, args.config_name)
    rows = [r for r in rows if args.kind in (None, r["kind"])]
    if sys.stdout.encoding.lower().replace("-", "") != "utf8":  # names carry Vietnamese diacritics
        sys.stdout.reconfigure(encoding="utf-8")

    import pandas as pd

    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["population"] = table["population"].astype("Int64")  # empty for a branch
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    table["population_imputed"] = table["population_imputed"].map({True: "yes", False: ""})
    table["population"] = table["population"].astype(object).where(table["population"].notna(), "")
    print(table.rename(columns={"population_imputed": "imputed"}).to_string(index=False))
    wards, communes, branches = (int((table["kind"] == kind).sum()) for kind in NODE_KINDS)
    centre = f" and {branches} City Centre branches" if branches else ""
    print(f"\n{wards + communes} units ({wards} wards, {communes} communes){centre}: {table['desks'].sum()} desks, "
          f"{table['staff'].sum()} processing officers")


if __name__ == "__main__":
    main()
