"""``python -m sim.breakeven``: per unit, the value of an uncertain parameter (default
``staff.breadth_penalty``) above which an alternative structure (default a fourth department)
improves the on-time share (see docs/structures.md, "Break-even: where a fourth department pays")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command


@hydra_command("sim.experiments.break_even:settings", sections=("break_even",))  # imported when used
def main(cfg: DictConfig, setting, folder: Path) -> None:
    from tqdm.auto import tqdm

    from sim.experiments.break_even import break_even
    from sim.outputs.break_even_report import answer_sentences, headline, write_break_even

    bar = tqdm(total=2 + len(setting.units), desc="break-even: ends, then units", disable=not cfg.progress)
    result = break_even(cfg, progress=lambda _step: bar.update(1), setting=setting)
    bar.close()
    over = _over_ensemble(cfg, folder) if cfg.ensemble.path else None
    write_break_even(folder, result, cfg, over)
    print(headline(result).to_string(index=False))
    if over is not None:
        print(f"\nOver the {len(over.members)} members of ensemble {over.ensemble.name}:")
        print(over.per_unit().to_string(index=False))
    print()
    for sentence in answer_sentences(result, str(cfg.report.language), over):
        print(f"- {sentence}")
    print(f"\nReport: {folder / 'report.html'}; files: {folder / 'break_even.csv'}, {folder / 'break_even_map.png'}")


def _over_ensemble(cfg: DictConfig, folder: Path):
    """break_even_ensemble.csv: every member's break-even per unit (the summary gives their spread)."""
    from sim.experiments.over_ensemble import break_even_over_ensemble
    from sim.outputs.csv_files import write_csv

    def show(done: int, total: int) -> None:
        if cfg.progress:
            print(f"break-even: ensemble member {done} of {total} done", flush=True)

    over = break_even_over_ensemble(cfg, progress=show)
    write_csv(over.table(), folder / "break_even_ensemble.csv")
    return over


if __name__ == "__main__":
    main()
