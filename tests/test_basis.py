"""What an answer rests on, as the first screen says it: the range over the ensemble with the
parameter that drives it in words, where today's officers come from, the decisive assumptions."""

from sim.outputs.verdict import basis_sentences

SUMMARY = {
    "ensemble": {"members": 23, "name": "hanoi_2025", "ranges": {"units": {
        "on_time_of_received_pct": {"min": 97.01, "max": 98.49, "driver": "effort_scale"},
        "staff_utilisation": {"min": 0.7, "max": 0.7, "driver": "procedure_share"}}}},
    "officers_today": {"kind": "modelled", "count": 2887, "positions": 9622, "procedure_share": 0.3, "rule": "allocated"},
    "rests_on": [{"key": "scenario.effort_scale", "value": 1.113, "source": "assumption"}],
}


def test_the_range_names_its_driver_in_words_in_each_language():
    english, vietnamese = basis_sentences(SUMMARY, "en"), basis_sentences(SUMMARY, "vi")
    assert "Over 23 plausible parameter sets" in english[0] and "97.0 to 98.5" in english[0]
    assert "comes mostly from the officer minutes per record" in english[0] and "effort_scale" not in english[0]
    assert "số phút cán bộ cho mỗi hồ sơ" in vietnamese[0] and "97,0 đến 98,5" in vietnamese[0]
    assert "comes mostly" not in english[1]  # a range too small to show at the digits printed names no driver


def test_today_is_labelled_modelled_and_the_assumptions_carry_their_values():
    said = " ".join(basis_sentences(SUMMARY, "en"))
    assert "2,887 is modelled, not counted: 9,622 published positions x 0.3" in said
    assert "officer minutes per record, as a multiple of the catalogue's: 1.113" in said


def test_one_parameter_set_says_so_and_where_the_range_is():
    said = basis_sentences({k: v for k, v in SUMMARY.items() if k != "ensemble"}, "en")
    assert said[0].startswith("One parameter set only, as configured") and "ensemble.path=hanoi_2025" in said[0]


def test_the_default_says_it_is_the_ensembles_central_member_and_a_changed_value_is_not():
    from sim.analysis.assumptions import parameter_set
    from tests.conftest import compose_config

    central = parameter_set(compose_config())
    assert central == {"ensemble": "hanoi_2025", "member": central["member"], "members": 23}
    said = basis_sentences({**{k: v for k, v in SUMMARY.items() if k != "ensemble"}, "parameter_set": central}, "vi")
    assert said[0].startswith("Một bộ tham số: bộ ở giữa trong 23 bộ") and "ensemble.path=hanoi_2025" in said[0]
    assert parameter_set(compose_config("scenario.effort_scale=2")) is None  # another effort: not the member
    assert parameter_set(compose_config("staff.order=fifo")) is None  # the ensemble's settings belong to it
    assert parameter_set(compose_config("scenario.demand.growth=1.2")) == central  # a scenario, same parameter set
