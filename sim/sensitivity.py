"""``python -m sim.sensitivity``: move each free parameter to the ends of its range, one at a
time, with common random numbers, and draw a tornado chart of the chosen outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.analysis import KPI_NAMES
from sim.calibration import free_parameters, one_at_a_time
from sim.cli import CONFIG_DIR, check_command_line, describe, fail
from sim.config import build_scenario
from sim.errors import ConfigError
from sim.schema import register

register()


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
    if s["replications"] < 1:
        raise ConfigError("sensitivity.replications", f"must be at least 1, got {s['replications']}")
    return parameters, list(s["outputs"]), int(s["replications"])


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run(cfg: DictConfig) -> None:
    try:
        parameters, outputs, replications = sensitivity_spec(cfg)
    except ConfigError as exc:
        fail(describe(exc))
    import pandas as pd
    from tqdm.auto import tqdm

    from sim.fit_report import plot_tornado

    bar = tqdm(total=2 * len(parameters), desc="sensitivity: runs", disable=not cfg.progress)
    rows = one_at_a_time(cfg, parameters, outputs, replications, progress=lambda _row: bar.update(1))
    bar.close()
    folder = Path(HydraConfig.get().runtime.output_dir)
    table = pd.DataFrame(rows)
    table.to_csv(folder / "sensitivity.csv", index=False)
    plot_tornado(folder / "tornado.png", rows, outputs)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(f"\nTornado chart: {folder / 'tornado.png'}")


def main() -> None:
    check_command_line("config", lambda cfg: sensitivity_spec(cfg), sys.argv[1:])
    run()


if __name__ == "__main__":
    main()
