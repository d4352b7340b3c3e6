"""The leaders' answer, first on the comparison's page and on the console: for each expanded
structure, in words, what it changes where (units, departments, positions), its paired effect on
the on-time share and on overtime in those units with 95 % intervals, how often it gains, its range
over the ensemble, and the settings the answer rests on with their sources."""

from __future__ import annotations

import math

from omegaconf import DictConfig, OmegaConf

from sim.experiments.comparison import Comparison, StructureAnswer
from sim.outputs.language import TEXTS, number, parameter_words, plain, text
from sim.outputs.verdict import basis_sentences

# The settings that decide whether a department pays, with the phrase key of their source (docs/structures.md,
# "Comparing structures")
STRUCTURE_BASIS = (("staff.breadth_penalty", "source_assumption"), ("staff.rework.per_extra_field", "source_assumption"),
                   ("staff.span.per_extra_field", "source_assumption"), ("staff.pooling", "source_assumption"),
                   ("staff.borrow.share", "source_assumption"),
                   ("staff.deputies_per_department", "source_resolution_332"))


def _interval(d: dict, language: str, digits: int) -> str:
    """'+0.12 [−0.05, +0.30]' (the interval left out when there is none)."""
    mean = number(d["mean"], language, digits, signed=True)
    if d.get("ci95_low") is None or math.isnan(d["ci95_low"]):
        return mean
    return f"{mean} [{number(d['ci95_low'], language, digits, signed=True)}, {number(d['ci95_high'], language, digits, signed=True)}]"


def _verdict_word(d: dict, language: str) -> str:
    low, high = d.get("ci95_low"), d.get("ci95_high")
    if low is not None and not math.isnan(low) and low > 0:
        return text("answer_gain", language)
    if high is not None and not math.isnan(high) and high < 0:
        return text("answer_loss", language)
    return text("answer_unclear", language)


def answer_sentence(answer: StructureAnswer, described: str, language: str, overtime: bool) -> str:
    """One variant's answer as a plain sentence (a report escapes it)."""
    if not answer.changes_anything:
        return text("answer_changes_nothing", language, structure=described)
    policy_key = f"policy_{answer.policy}"
    out = text("answer_lead", language, verdict=_verdict_word(answer.on_time, language), structure=described,
               policy=text(policy_key, language) if policy_key in TEXTS else answer.policy,
               wards=answer.units.get("ward", 0), communes=answer.units.get("commune", 0),
               departments=answer.departments_added, positions=number(answer.positions_added, language, 0, signed=True),
               on_time=_interval(answer.on_time, language, 2))
    if overtime:
        out += " " + text("answer_overtime", language, overtime=_interval(answer.overtime, language, 2))
    return out + " " + text("answer_chance", language, gains=answer.gains(), of=len(answer.on_time_changes))


def ensemble_sentence(summary: dict, variant: str, language: str) -> str | None:
    """The answer's range over the ensemble's members, and its chance of a gain over them all."""
    v = (summary or {}).get("variants", {}).get(variant)
    if not v:
        return None
    r = v["on_time_change"]
    driver = text("ensemble_driver", language, parameter=parameter_words(v["driver"], language)) if v.get("driver") and r["min"] != r["max"] else ""
    return text("answer_ensemble", language, members=summary["members"], name=summary["name"],
                low=number(r["min"], language, 2, signed=True), high=number(r["max"], language, 2, signed=True),
                gains=v["gains"], of=v["trials"], driver=driver)


def basis_sentence(cfg: DictConfig, language: str) -> str:
    """The settings a structure answer rests on, each with its value and source."""
    items = []
    for key, source in STRUCTURE_BASIS:
        value = OmegaConf.select(cfg, key)
        shown = (text("yes" if value else "no", language) if isinstance(value, bool)
                 else plain(float(value), language) if isinstance(value, (int, float)) else str(value))
        items.append(text(f"rests_{key}", language, value=shown) + f" ({text(source, language)})")
    return text("answer_rests_on", language, items="; ".join(items))


def answer_sentences(comparison: Comparison, language: str) -> list[str]:
    """The leaders' answer: a sentence per expanded structure (with its ensemble range when the
    comparison ran over one), then what it rests on (the structure's settings, then the load's).
    Plain text."""
    base = comparison.runs[0]
    overtime = bool(base.summary.summary.get("overtime_enabled"))
    structures = {r.variant.name: r.scenario.units for r in comparison.runs}
    out = []
    for answer in comparison.answers:
        words = described(structures[answer.variant], answer.structure, language)
        out.append(answer_sentence(answer, words, language, overtime))
        spread = ensemble_sentence(comparison.ensemble, answer.variant, language)
        if spread:
            out.append(spread)
    out.append(basis_sentence(base.variant.cfg, language))
    return out + basis_sentences(base.summary.summary, language, ensemble_shown=comparison.ensemble is not None)


def described(plans, name: str, language: str) -> str:
    """The structure ``name`` in words, from the first unit plan that works under it (or its name)."""
    for plan in plans:
        for s in plan.organisation.structure.chain():
            if s.name == name:
                return s.described(language)
    return name

