"""What an answer rests on: the settings that move the officers and the on-time share most, with
their values and whether each is published or an assumption, and where the count of officers
"today" comes from. Every report and the console show these beside the answer; their words, in
each language, are in :mod:`sim.outputs.language` (keys ``rests_<setting>``)."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

# The settings the staffing answer and the load rest on, most decisive first; none is published
# (docs/calibration.md, "The ensemble", says which the calibration pins down and which it leaves open).
DECISIVE = ("scenario.effort_scale", "staff.procedure_share", "staff.other_duties_share", "staff.desk_rota_share",
            "staff.framework_weight", "desks.residents_per_desk")


def rests_on(cfg: DictConfig) -> list[dict]:
    """Each decisive setting with its value in ``cfg`` (all assumptions: none is published)."""
    out = []
    for key in DECISIVE:
        value = OmegaConf.select(cfg, key, default=None)
        if value is not None:
            out.append({"key": key, "value": value, "source": "assumption"})
    return out


def officers_today(cfg: DictConfig, officers: int) -> dict:
    """Where the count of processing officers "today" comes from: ``modelled`` from the published
    positions and the assumed processing share, or ``configured`` (a rule or table of the user's)."""
    s = cfg.staff
    modelled = s.rule == "allocated" and not s.table and not s.per_unit
    return {"count": officers, "kind": "modelled" if modelled else "configured", "rule": str(s.rule),
            "positions": int(s.city_positions), "procedure_share": float(s.procedure_share)}


def basis(cfg: DictConfig, scenario) -> dict:
    """What every answer of ``cfg`` rests on, for a summary: the decisive settings (``rests_on``)
    and where today's officers come from (``officers_today``, the wards' and communes' of
    ``scenario``)."""
    officers = sum(sum(p.staff) for p in scenario.units if p.unit.kind != "centre")
    return {"rests_on": rests_on(cfg), "officers_today": officers_today(cfg, officers),
            "parameter_set": parameter_set(cfg)}


def parameter_set(cfg: DictConfig) -> dict | None:
    """Which shipped ensemble's central member ``cfg`` is (its values and settings, to 6 digits):
    ``{"ensemble": name, "member": k, "members": n}``; None when it is none of them (a set of the
    user's, or the configured values changed), or when ``ensemble.path`` is given (the range is shown)."""
    from sim.config.ensemble import load_ensemble, shipped
    from sim.errors import ConfigError

    if cfg.ensemble.path:
        return None
    for name in shipped():
        try:
            ensemble = load_ensemble(name, cfg)
        except ConfigError:  # a shipped file that does not fit this config (a custom config tree)
            continue
        k = ensemble.central()
        if is_member(cfg, ensemble, k):
            return {"ensemble": ensemble.name, "member": k, "members": len(ensemble.members)}
    return None


def is_member(cfg: DictConfig, ensemble, k: int) -> bool:
    """Whether ``cfg`` runs member ``k`` of ``ensemble``: its values (to 6 digits, as files keep
    them) and the ensemble's settings."""
    import math

    same_values = all(math.isclose(float(OmegaConf.select(cfg, key)), value, rel_tol=1e-5)
                      for key, value in ensemble.overrides(k).items())
    return same_values and all(OmegaConf.select(cfg, key, default=None) == value
                               for key, value in ensemble.settings.items())
