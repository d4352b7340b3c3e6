"""``python -m sim.sensitivity``: move each free parameter to the ends of its range, one at a
time, with common random numbers, and draw a tornado chart of the chosen outputs."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command


@hydra_command("sim.experiments.sensitivity:sensitivity_spec", done=("sensitivity.csv",),  # imported when used
               sections=("sensitivity",))
def main(cfg: DictConfig, spec: tuple, folder: Path) -> None:
    from tqdm.auto import tqdm

    from sim.experiments.sensitivity import run_one_at_a_time
    from sim.outputs.csv_files import write_csv
    from sim.outputs.figures import save
    from sim.outputs.fit_report import plot_tornado

    parameters, _outputs, _replications = spec
    bar = tqdm(total=2 * len(parameters), desc="sensitivity: runs", disable=not cfg.progress)
    result = run_one_at_a_time(cfg, spec, progress=lambda _row: bar.update(1))
    bar.close()
    table = result.table
    save(plot_tornado(result.rows, result.outputs), folder / "tornado.png")
    write_csv(table, folder / "sensitivity.csv")  # written last: the folder is complete
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(f"\nTornado chart: {folder / 'tornado.png'}")


if __name__ == "__main__":
    main()
