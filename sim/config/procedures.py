"""``procedures`` and the demand's channel mix: the catalogue checked against the structure, the
scenario's effort and external-lag multipliers applied (:mod:`sim.config.build`)."""

from __future__ import annotations

import dataclasses

from sim.model.catalogue import Procedure, channel_mix, with_online_share
from sim.model.city import CENTRE_KIND, KINDS
from sim.errors import ConfigError
from sim.model.structures import Structure
from sim.config.checks import (MAX_MINUTES, MAX_SCALE, MAX_WORKING_DAYS, _at_least, _distribution, _positive,
                               _shares_sum_to_one, check_range)


def _procedures(c: dict, structure: Structure) -> tuple:
    if not c:
        raise ConfigError("procedures", "the catalogue has no procedures")
    procedures = []
    for name, p in c.items():
        key = f"procedures.{name}"
        for s in structure.chain():
            owned = s.owner_of()
            if p["field"] not in owned:
                raise ConfigError(
                    f"{key}.field",
                    f"field {p['field']!r} is owned by no department of structure {s.name!r} "
                    f"(owned fields: {', '.join(sorted(owned))})",
                )
        for share_key in ("share_ward", "share_commune", "share_centre", "obligation_share", "collect_share",
                          *("in_person", "online", "post")):
            check_range(p[share_key], f"{key}.{share_key}", 0.0, 1.0)
        channels = (float(p["in_person"]), float(p["online"]), float(p["post"]))
        _shares_sum_to_one(list(channels), f"{key}.in_person", "in_person + online + post")
        _at_least(p, "deadline_wd", 0, key + ".", MAX_WORKING_DAYS)
        procedures.append(
            Procedure(
                name=name,
                label=p["label"] or name,
                field=p["field"],
                share={"ward": float(p["share_ward"]), "commune": float(p["share_commune"]),
                       CENTRE_KIND: float(p["share_centre"])},
                channels=channels,
                desk_minutes=_distribution(p["desk_minutes"], f"{key}.desk_minutes", MAX_MINUTES,
                                           positive=channels[0] > 0),
                effort_minutes=_distribution(p["effort_minutes"], f"{key}.effort_minutes", MAX_MINUTES),
                external_lag_wd=_distribution(p["external_lag_wd"], f"{key}.external_lag_wd", MAX_WORKING_DAYS),
                deadline_wd=int(p["deadline_wd"]),
                obligation_share=float(p["obligation_share"]),
                obligation_wd=_distribution(p["obligation_wd"], f"{key}.obligation_wd", MAX_WORKING_DAYS),
                source=str(p["source"]),
                collect_share=float(p["collect_share"]),
            )
        )
    for kind in KINDS:
        _shares_sum_to_one([p.share[kind] for p in procedures], f"procedures.*.share_{kind}", f"share_{kind} over procedures")
    return tuple(procedures)


def _scaled(procedures: tuple, scenario: dict) -> tuple:
    """Apply the scenario's effort and external-lag multipliers to every procedure."""
    for key in ("effort_scale", "external_lag_scale"):
        _positive(scenario, key, "scenario.", MAX_SCALE)
    effort, lag = float(scenario["effort_scale"]), float(scenario["external_lag_scale"])
    return tuple(
        dataclasses.replace(
            p,
            effort_minutes=dataclasses.replace(p.effort_minutes, mean=p.effort_minutes.mean * effort),
            external_lag_wd=dataclasses.replace(p.external_lag_wd, mean=p.external_lag_wd.mean * lag),
        )
        for p in procedures
    )


def _mixes(procedures: tuple, online_share: float | None, kinds: tuple[str, ...]) -> dict:
    mixes = {kind: channel_mix(procedures, kind) for kind in kinds}
    if online_share is None:
        return mixes
    check_range(online_share, "scenario.demand.online_share", 0.0, 1.0)
    try:
        return {kind: with_online_share(mix, float(online_share)) for kind, mix in mixes.items()}
    except ValueError as exc:
        raise ConfigError("scenario.demand.online_share", str(exc)) from None
