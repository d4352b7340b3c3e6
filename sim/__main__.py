"""``python -m sim``: simulate a scenario and write one run folder (see README)."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli import CONFIG_DIR, check_command_line, describe, fail
from sim.config import build_scenario
from sim.errors import ConfigError
from sim.schema import register

register()


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run(cfg: DictConfig) -> None:
    try:
        scenario = build_scenario(cfg)
    except ConfigError as exc:
        fail(describe(exc))
    # Imported here so that a bad command line is refused without loading plotting and statistics.
    from sim.report import format_summary, write_run
    from sim.runner import run_scenario
    from sim.summary import summarise

    results = run_scenario(scenario, progress=cfg.progress)
    summary = summarise(scenario, results)
    folder = Path(HydraConfig.get().runtime.output_dir)
    write_run(folder, summary)
    print(format_summary(summary, cfg.top_units))
    print(f"\nRun folder: {folder}")


def main() -> None:
    check_command_line("config", build_scenario, sys.argv[1:])
    run()


if __name__ == "__main__":
    main()
