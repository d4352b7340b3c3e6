"""``python -m sim.compare``: the three-department structure against expanded ones, side by side
(see docs/structures.md, "Comparing structures")."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.apps.command import hydra_command


@hydra_command("sim.experiments.comparison:variants", done=("report.html",),  # imported when used
               sections=("compare",))
def main(cfg: DictConfig, chosen: list, folder: Path) -> None:
    from tqdm.auto import tqdm

    from sim.experiments.comparison import compare
    from sim.outputs.comparison_report import headline_table, readable, write_comparison
    from sim.outputs.structure_verdict import answer_sentences

    bar = tqdm(total=len(chosen), desc="compare: structures", disable=not cfg.progress)
    comparison = compare(cfg, progress=lambda _variant: bar.update(1))
    bar.close()
    if cfg.ensemble.path:  # every member's answers: their range and chance of a gain, beside the point answer
        _over_ensemble(cfg, comparison, folder)
    problems = write_comparison(folder, comparison)
    language = comparison.runs[0].scenario.report_language  # the console speaks the report's language
    print(readable(comparison, headline_table(comparison, "city", language), language).T.to_string(header=False))
    print()
    for sentence in answer_sentences(comparison, language):
        print(f"- {sentence}")
    print(f"\nReport: {folder / 'report.html'}")
    if problems:  # the results are written; what is missing is said in one line, and the exit says it too
        from sim.errors import OutputMissing

        raise OutputMissing("; ".join(problems))


def _over_ensemble(cfg: DictConfig, comparison, folder: Path) -> None:
    """comparison_ensemble.csv (each member's answer per variant) and the range on the comparison."""
    import pandas as pd

    from sim.experiments.over_ensemble import compare_over_ensemble
    from sim.outputs.csv_files import write_csv

    def show(done: int, total: int) -> None:
        if cfg.progress:
            print(f"compare: ensemble member {done} of {total} done", flush=True)

    over = compare_over_ensemble(cfg, progress=show)
    write_csv(pd.DataFrame(over.table()), folder / "comparison_ensemble.csv")
    comparison.ensemble = over.summary()


if __name__ == "__main__":
    main()
