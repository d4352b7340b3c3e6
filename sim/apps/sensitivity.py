"""``python -m sim.sensitivity``: move each free parameter to the ends of its range, one at a
time, with common random numbers, and draw a tornado chart of the chosen outputs."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from sim.analysis.kpis import KPI_NAMES
from sim.experiments.calibration import free_parameters, one_at_a_time
from sim.apps.command import hydra_command
from sim.config.build import MAX_REPLICATIONS, _in_range, build_scenario
from sim.errors import ConfigError


def sensitivity_spec(cfg: DictConfig):
    """Validate the ``sensitivity`` section: parameters, outputs, replications."""
    build_scenario(cfg)
    s = OmegaConf.to_container(cfg.sensitivity, resolve=True)
    parameters = free_parameters(s["parameters"], "sensitivity.parameters", cfg, scenario_only=False)
    for k, output in enumerate(s["outputs"]):
        if output not in KPI_NAMES:
            raise ConfigError(f"sensitivity.outputs[{k}]", f"unknown KPI {output!r} (KPIs: {', '.join(KPI_NAMES)})")
    if not s["outputs"]:
        raise ConfigError("sensitivity.outputs", "no outputs to show")
    _in_range(s["replications"], "sensitivity.replications", 1, MAX_REPLICATIONS)
    return parameters, list(s["outputs"]), int(s["replications"])


@hydra_command(sensitivity_spec)
def main(cfg: DictConfig, spec: tuple, folder: Path) -> None:
    import pandas as pd
    from tqdm.auto import tqdm

    from sim.outputs.fit_report import plot_tornado

    parameters, outputs, replications = spec
    bar = tqdm(total=2 * len(parameters), desc="sensitivity: runs", disable=not cfg.progress)
    rows = one_at_a_time(cfg, parameters, outputs, replications, progress=lambda _row: bar.update(1))
    bar.close()
    table = pd.DataFrame(rows)
    table.to_csv(folder / "sensitivity.csv", index=False)
    plot_tornado(folder / "tornado.png", rows, outputs)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(f"\nTornado chart: {folder / 'tornado.png'}")


if __name__ == "__main__":
    main()
