"""A sweep's files at its root: the table (CSV and Parquet, column types kept) and its plots."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.experiments.sweep.table import swept_keys, sweep_table
from sim.outputs.csv_files import write_csv
from sim.outputs.atomic import replacing

TABLE_CSV = "sweep.csv"
TABLE_PARQUET = "sweep.parquet"


def write_table(sweep_dir: Path) -> pd.DataFrame:
    """Write sweep.csv, sweep.parquet and the plots at the sweep's root; return the table."""
    from sim.outputs.sweep_plots import write_plots

    table = sweep_table(sweep_dir)
    write_csv(table, sweep_dir / TABLE_CSV)
    with replacing(sweep_dir / TABLE_PARQUET) as partial:
        table.to_parquet(partial, index=False)
    write_plots(sweep_dir, table, swept_keys(table))
    return table
