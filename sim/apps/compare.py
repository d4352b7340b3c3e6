"""``python -m sim.compare``: the three-department structure against expanded ones, side by side
(see README, "Comparing structures")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command


@hydra_command("sim.experiments.comparison:variants", done=("report.html",))  # imported when used
def main(cfg: DictConfig, chosen: list, folder: Path) -> None:
    from tqdm.auto import tqdm

    from sim.outputs.comparison_report import headline_table, write_comparison
    from sim.experiments.comparison import compare

    bar = tqdm(total=len(chosen), desc="compare: structures", disable=not cfg.progress)
    comparison = compare(cfg, progress=lambda _variant: bar.update(1))
    bar.close()
    write_comparison(folder, comparison)
    print(headline_table(comparison, "city").T.to_string(header=False))
    print(f"\nReport: {folder / 'report.html'}")


if __name__ == "__main__":
    main()
