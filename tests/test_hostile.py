"""Hostile input: every kind of bad setting or unit table is refused before anything is simulated,
with one line naming the key (or file), exit status 2, no traceback and no results.

Most cases are checked in-process (the same validation the commands run first); a representative
subset of every class goes through the commands themselves."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sim.config.build import MAX_PERIOD_DAYS, build_scenario
from sim.errors import ConfigError
from sim.experiments.calibration import calibration_spec
from sim.experiments.comparison import variants
from sim.model.city import DATA_DIR
from tests.conftest import compose_config, run_module

ONE_UNIT = ("city.units=[ba_dinh]", "replications=1", "period.end=2025-07-05")
WEEK = "[{}]".format(",".join(["1"] * 7))


def refused(check, *overrides: str) -> ConfigError:
    """The ConfigError ``check`` raises on the composed config; it must be one line."""
    with pytest.raises(ConfigError) as caught:
        check(compose_config(*overrides))
    assert "\n" not in str(caught.value), str(caught.value)
    return caught.value


# --- numbers: finite, inside their range, bounded where memory or time grows ------------------
HOURS_WITH_INF = "[0,0,0,0,0,0,0,0,1,inf,1,1,0,1,1,1,1,1,0,0,0,0,0,0]"
HOURS_CLOSED_ONLY = "[1,1,1,1,1,1,1,1,0,0,0,0,1,0,0,0,0,0,1,1,1,1,1,1]"
NUMBERS = {
    # NaN and infinity, which pass a plain comparison
    "growth inf": ("scenario.demand.growth=inf", "scenario.demand.growth"),
    "growth nan": ("scenario.demand.growth=nan", "scenario.demand.growth"),
    "demand rate nan": ("scenario.demand.records_per_1000_residents_per_day=nan",
                        "scenario.demand.records_per_1000_residents_per_day"),
    "demand rate inf": ("scenario.demand.records_per_1000_residents_per_day=inf",
                        "scenario.demand.records_per_1000_residents_per_day"),
    "weekday weight nan": ("scenario.demand.weekday_weights=[1,1,1,1,1,nan,0]", "scenario.demand.weekday_weights[5]"),
    "hour weight inf": (f"scenario.demand.hour_weights={HOURS_WITH_INF}", "scenario.demand.hour_weights[9]"),
    "desk minutes inf": ("procedures.copy_certification.desk_minutes.mean=inf",
                         "procedures.copy_certification.desk_minutes.mean"),
    "desk minutes cv nan": ("procedures.copy_certification.desk_minutes.cv=nan",
                            "procedures.copy_certification.desk_minutes.cv"),
    "effort nan": ("procedures.land_transfer.effort_minutes.mean=nan", "procedures.land_transfer.effort_minutes.mean"),
    "external lag inf": ("procedures.land_transfer.external_lag_wd.mean=inf",
                         "procedures.land_transfer.external_lag_wd.mean"),
    "effort scale inf": ("scenario.effort_scale=inf", "scenario.effort_scale"),
    "effort scale nan": ("scenario.effort_scale=nan", "scenario.effort_scale"),
    "external lag scale nan": ("scenario.external_lag_scale=nan", "scenario.external_lag_scale"),
    "breadth penalty nan": ("staff.breadth_penalty=nan", "staff.breadth_penalty"),
    "wait target nan": ("desks.wait_target_minutes=nan", "desks.wait_target_minutes"),
    "return probability nan": ("desks.return_probability=nan", "desks.return_probability"),
    "patience inf": ("desks.patience_minutes.mean=inf", "desks.patience_minutes.mean"),
    "approval cv inf": ("staff.approval_minutes.cv=inf", "staff.approval_minutes.cv"),
    "supplement share nan": ("scenario.supplement_share=nan", "scenario.supplement_share"),
    "supplement wait nan": ("scenario.supplement_wait_wd.mean=nan", "scenario.supplement_wait_wd.mean"),
    "online share nan": ("scenario.demand.online_share=nan", "scenario.demand.online_share"),
    "procedure share nan": ("staff.procedure_share=nan", "staff.procedure_share"),
    "channel share nan": ("procedures.birth_registration.online=nan", "procedures.birth_registration.online"),
    "staff weight inf": ("structure.departments.office.staff_weight=inf", "structure.departments.office.staff_weight"),
    "structure limit nan": ("structure.max_average_units=nan", "structure.max_average_units"),
    # zero or negative where the model needs a positive or non-negative value
    "growth zero": ("scenario.demand.growth=0", "scenario.demand.growth"),
    "growth negative": ("scenario.demand.growth=-1", "scenario.demand.growth"),
    "effort scale zero": ("scenario.effort_scale=0", "scenario.effort_scale"),
    "breadth penalty negative": ("staff.breadth_penalty=-0.1", "staff.breadth_penalty"),
    "wait target negative": ("desks.wait_target_minutes=-1", "desks.wait_target_minutes"),
    "desk minutes negative": ("procedures.copy_certification.desk_minutes.mean=-1",
                              "procedures.copy_certification.desk_minutes.mean"),
    "patience zero": ("desks.patience_minutes.mean=0", "desks.patience_minutes.mean"),
    "procedure share zero": ("staff.procedure_share=0", "staff.procedure_share"),
    # so large that memory or time runs out
    "replications huge": ("replications=1000000", "replications"),
    "workers huge": ("workers=100000", "workers"),
    "fixed desks huge": (("desks.rule=fixed", "desks.fixed=100000000"), "desks.fixed"),
    "max desks huge": ("desks.max_desks=1000000", "desks.max_desks"),
    "one unit's desks huge": ("+desks.per_unit.ba_dinh=10000000", "desks.per_unit.ba_dinh"),
    "fixed staff huge": (("staff.rule=fixed", "staff.fixed=1000000000"), "staff.fixed"),
    "framework cap huge": ("staff.framework_cap_ward=1000000000", "staff.framework_cap_ward"),
    "one department's staff huge": ("+staff.per_unit.ba_dinh={office:1000000000}", "staff.per_unit.ba_dinh.office"),
    "deputies huge": ("staff.deputies_per_department=100000000", "staff.deputies_per_department"),
    "growth huge": ("scenario.demand.growth=1000", "scenario.demand.growth"),
    "demand rate huge": ("scenario.demand.records_per_1000_residents_per_day=1000000",
                         "scenario.demand.records_per_1000_residents_per_day"),
    "records per unit huge": (("scenario.demand.growth=50", "scenario.demand.records_per_1000_residents_per_day=100",
                               "period.end=2025-12-31"),
                              "scenario.demand"),
    "results too large": (("city.units=[]", "replications=1000", "period.end=2030-06-30", "calendar.covered_years=null"),
                          "replications"),
    "period too long": (f"period.end={2025 + MAX_PERIOD_DAYS // 365 + 1}-07-01", "period.end"),
    "deadline huge": ("procedures.land_transfer.deadline_wd=100000", "procedures.land_transfer.deadline_wd"),
    "desk minutes huge": ("procedures.copy_certification.desk_minutes.mean=1e9",
                          "procedures.copy_certification.desk_minutes.mean"),
    "cv huge": ("procedures.land_transfer.effort_minutes.cv=1e6", "procedures.land_transfer.effort_minutes.cv"),
    "effort scale huge": ("scenario.effort_scale=1e9", "scenario.effort_scale"),
    # the message names the setting that is wrong
    "weekday weights all zero": ("scenario.demand.weekday_weights=[0,0,0,0,0,0,0]", "scenario.demand.weekday_weights"),
    "open hours all zero": (f"scenario.demand.hour_weights={HOURS_CLOSED_ONLY}", "scenario.demand.hour_weights"),
    "six weekday weights": ("scenario.demand.weekday_weights=[1,1,1,1,1,1]", "scenario.demand.weekday_weights"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_a_number_out_of_range_is_refused_naming_its_key(case):
    overrides, key = NUMBERS[case]
    overrides = (overrides,) if isinstance(overrides, str) else overrides
    assert refused(build_scenario, *ONE_UNIT, *overrides).key == key


def test_the_bounds_leave_room_for_real_use():
    """The defaults, ten years, 1000 replications and a doubled demand are all accepted."""
    build_scenario(compose_config(*ONE_UNIT))
    build_scenario(compose_config("city.units=[ba_dinh]", "replications=1000", "period.end=2034-12-31", "calendar.covered_years=null",
                                  "scenario.demand.growth=2", "desks.rule=fixed", "desks.fixed=1000",
                                  "staff.desk_rota_share=0"))  # officers cannot cover 1,000 counters on a rota
    build_scenario(compose_config(f"scenario.demand.weekday_weights={WEEK}"))


# --- other settings: counts, shares, names, dates ------------------------------------------
SETTINGS = {
    "unknown engine": (("engine=turbo",), "engine"),
    "negative replications": (("replications=-1",), "replications"),
    "department with no staff": (("+staff.per_unit.ba_dinh={office:0}",), "staff.per_unit.ba_dinh.office"),
    "shares not summing to one": (("procedures.copy_certification.share_ward=0.5",), "procedures.*.share_ward"),
    "channel split not summing to one": (("procedures.birth_registration.online=0.9",),
                                         "procedures.birth_registration.in_person"),
    "unknown field": (("procedures.other.field=astrology",), "procedures.other.field"),
    "field no department owns": (("structure.departments.culture_society.fields=[culture]",),
                                 "procedures.social_assistance.field"),
    "unknown department": (("+staff.per_unit.ba_dinh={police:3}",), "staff.per_unit.ba_dinh.police"),
    "negative deadline": (("procedures.land_transfer.deadline_wd=-1",), "procedures.land_transfer.deadline_wd"),
    "end before start": (("period.end=2025-06-01",), "period.end"),
    "negative demand": (("scenario.demand.records_per_1000_residents_per_day=-1",),
                        "scenario.demand.records_per_1000_residents_per_day"),
    "unreachable online share": (("procedures=single_exponential", "scenario.demand.online_share=0.5"),
                                 "scenario.demand.online_share"),
    "session ending before it starts": (("calendar.sessions=[17:00-08:00]",), "calendar.sessions[0]"),
}


@pytest.mark.parametrize("case", sorted(SETTINGS))
def test_a_bad_setting_is_refused_naming_its_key(case):
    overrides, key = SETTINGS[case]
    assert refused(build_scenario, *ONE_UNIT, *overrides).key == key


# --- the unit table: file, line, column and slug named ---------------------------------------
SHIPPED = (DATA_DIR / "hanoi_units_2025.csv").read_text(encoding="utf-8")


def shipped_rows() -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(SHIPPED))
    return list(reader.fieldnames), list(reader)


def table_text(edit) -> str:
    """The shipped table after ``edit(columns, rows)`` changed it in place."""
    columns, rows = shipped_rows()
    edit(columns, rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def set_cell(row: int, column: str, value: str):
    def edit(columns, rows):
        rows[row][column] = value
    return edit


def drop_column(name: str):
    def edit(columns, rows):
        columns.remove(name)
    return edit


def flag_all_communes(columns, rows):
    for row in rows:
        if row["kind"] == "commune":
            row["population_suspect"] = "yes"


def duplicate_slug(columns, rows):
    rows[3]["slug"] = rows[0]["slug"]


def no_rows(columns, rows):
    rows.clear()


def with_a_second_population_column() -> str:
    """The shipped table with a second ``population`` column (every unit 1), which csv would use."""
    lines = SHIPPED.rstrip("\n").split("\n")
    return "\n".join([lines[0] + ",population"] + [line + ",1" for line in lines[1:]]) + "\n"


# case: (file text or bytes, words the one line must contain besides the file name)
TABLES = {
    "missing column": (table_text(drop_column("area_km2")), ["'area_km2'"]),
    "text in area": (table_text(set_cell(4, "area_km2", "abc")), ["line 6", "'area_km2'", "'abc'", "slug"]),
    "text in population": (table_text(set_cell(2, "population", "many")), ["'population'", "'many'"]),
    "fractional population": (table_text(set_cell(2, "population", "12.5")), ["'population'", "whole number"]),
    "zero area": (table_text(set_cell(0, "area_km2", "0")), ["line 2", "'area_km2'", "positive"]),
    "negative area": (table_text(set_cell(7, "area_km2", "-3")), ["'area_km2'", "positive"]),
    "nan area": (table_text(set_cell(7, "area_km2", "nan")), ["'area_km2'"]),
    "infinite area": (table_text(set_cell(7, "area_km2", "inf")), ["'area_km2'"]),
    "unknown kind": (table_text(set_cell(1, "kind", "district")), ["'kind'", "'district'"]),
    "empty kind": (table_text(set_cell(1, "kind", "")), ["'kind'", "empty"]),
    "negative population": (table_text(set_cell(5, "population", "-10")), ["'population'", "-10"]),
    "huge population": (table_text(set_cell(5, "population", "10000000000")), ["'population'"]),
    "suspect flag not yes or no": (table_text(set_cell(5, "population_suspect", "maybe")), ["'population_suspect'"]),
    "duplicated slug": (table_text(duplicate_slug), ["line 5", "'ba_dinh'", "line 2"]),
    "empty slug": (table_text(set_cell(3, "slug", "")), ["'slug'"]),
    "slug with a dot": (table_text(set_cell(3, "slug", "ba.dinh")), ["'slug'", "'ba.dinh'"]),
    "no rows": (table_text(no_rows), ["no units"]),
    "empty file": ("", ["empty"]),
    "row longer than the header": (SHIPPED.rstrip("\n") + "\nextra,Extra,ward,1,1,no,a,b,surplus\n", ["more fields"]),
    "row shorter than the header": (SHIPPED.rstrip("\n") + "\nshort,Short\n", ["empty"]),
    "not UTF-8": (SHIPPED.encode("utf-16"), ["UTF-8"]),
    "every commune flagged": (table_text(flag_all_communes), ["population_suspect", "suspect_population=keep"]),
    "duplicated column": (with_a_second_population_column(), ["'population'", "more than once"]),
}


@pytest.mark.parametrize("case", sorted(TABLES))
def test_a_bad_unit_table_is_refused_naming_file_and_column(case, tmp_path):
    content, words = TABLES[case]
    path = tmp_path / "units.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    error = refused(build_scenario, f"city.table={path}", "replications=1")
    assert error.key == "city.table"
    for word in (str(path), *words):
        assert word in error.problem, (word, error.problem)


def test_a_missing_or_unreadable_table_is_refused(tmp_path):
    for table in (tmp_path / "nowhere.csv", tmp_path):
        error = refused(build_scenario, f"city.table={table}")
        assert error.key == "city.table" and str(table) in error.problem


def test_a_valid_table_of_ones_own_is_used(tmp_path):
    """The checks accept a correct table: a copy of two rows of the shipped one."""
    lines = SHIPPED.splitlines()
    path = tmp_path / "two.csv"
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    scenario = build_scenario(compose_config(f"city.table={path}", "replications=1"))
    assert [p.unit.slug for p in scenario.units if p.unit.kind != "centre"] == ["ba_dinh", "bach_mai"]


# --- comparison settings -------------------------------------------------------------------
COMPARE = {
    "no structures": ("compare.structures=[]", "compare.structures"),
    "only the baseline": ("compare.structures=[three_departments]", "compare.structures"),
    "negative top units": ("compare.top_units=-1", "compare.top_units"),
    "unknown baseline": ("compare.baseline=nine_departments", "compare.baseline"),
    "unknown structure": ("compare.structures=[three_departments,atlantis]", "compare.structures[1]"),
    "structure twice": ("compare.structures=[four_departments_land,four_departments_land]", "compare.structures"),
    "no policies": ("compare.policies=[]", "compare.policies"),
    "policy twice": ("compare.policies=[extra_head,extra_head]", "compare.policies"),
    "unknown policy": ("compare.policies=[same_headcount,lottery]", "compare.policies[1]"),
}


@pytest.mark.parametrize("case", sorted(COMPARE))
def test_bad_comparison_settings_are_refused(case):
    override, key = COMPARE[case]
    assert refused(variants, *ONE_UNIT, override).key == key


def test_the_baseline_runs_first_wherever_it_is_listed():
    chosen = variants(compose_config(*ONE_UNIT, "compare.structures=[four_departments_land,three_departments]"))
    assert [v.name for v in chosen] == ["three_departments", "four_departments_land/same_headcount",
                                        "four_departments_land/extra_head"]


# --- calibration settings ------------------------------------------------------------------
CALIBRATION = {
    "unknown observation as a target": ("calibration.targets=[seed004_received,nowhere]", "calibration.targets[1]"),
    "target listed twice": ("calibration.targets=[seed004_received,seed004_received]", "calibration.targets[1]"),
    "unknown observation as a check": ("calibration.checks=[x]", "calibration.checks[0]"),
    "no targets": ("calibration.targets=[]", "calibration.targets"),
    "misspelt field of a new observation": (
        "+observations.extra={figure: received, scope: units, period: {start: 2025-07-01, end: 2025-07-31}, "
        "observed: 1, tolrance: 0.1}", "observations.extra.tolrance"),
    "observation not a mapping": ("+observations.extra=3", "observations.extra"),
    "tolerance inf": ("observations.seed004_received.tolerance=inf", "observations.seed004_received.tolerance"),
    "tolerance nan": ("observations.seed004_received.tolerance=nan", "observations.seed004_received.tolerance"),
    "tolerance zero": ("observations.seed004_received.tolerance=0", "observations.seed004_received.tolerance"),
    "observed nan": ("observations.seed004_received.observed=nan", "observations.seed004_received.observed"),
    "percentage above 100": ("observations.seed004_on_time.observed=101", "observations.seed004_on_time.observed"),
    "kept setting unknown": ("calibration.settings_kept=[stock.nowhere]", "calibration.settings_kept[0]"),
    "prior outside the bounds": ("calibration.parameters.demand_rate.prior_mean=9",
                                 "calibration.parameters.demand_rate.prior_mean"),
    "prior spread zero": ("calibration.parameters.demand_rate.prior_sd=0", "calibration.parameters.demand_rate.prior_sd"),
    "stop cost nan": ("calibration.stop_cost=nan", "calibration.stop_cost"),
    "diff step nan": ("calibration.diff_step=nan", "calibration.diff_step"),
    "replications huge": ("calibration.replications=100000", "calibration.replications"),
    "evaluations huge": ("calibration.max_evaluations=1000000000", "calibration.max_evaluations"),
    "parameter bound inf": ("calibration.parameters.demand_rate.high=inf", "calibration.parameters.demand_rate.high"),
    "parameter bound nan": ("calibration.parameters.demand_rate.low=nan", "calibration.parameters.demand_rate.low"),
    "parameter of text": ("+calibration.parameters.label={key: scenario.name, low: 0, high: 1}",
                          "calibration.parameters.label.key"),
}


@pytest.mark.parametrize("case", sorted(CALIBRATION))
def test_bad_calibration_settings_are_refused(case):
    override, key = CALIBRATION[case]
    assert refused(calibration_spec, "city.units=[ba_dinh]", override).key == key


def test_a_calibration_target_is_added_from_the_command_line():
    added = ("+observations.july={figure: received, scope: units, period: {start: 2025-07-01, end: 2025-07-31}, "
             "observed: 12, tolerance: 0.1}")
    spec = calibration_spec(compose_config(added, "calibration.targets=[seed004_received,july]"))
    july = {t.name: t for t in spec.targets}["july"]
    assert (july.observed, july.tolerance, july.relative) == (12, 0.1, True)  # relative: the schema default
    assert [t.name for t in spec.targets] == ["seed004_received", "july"]


# --- through the commands: exit 2, one line, no traceback, no results ------------------------
def write_bad_table(folder):
    (folder / "bad.csv").write_text(table_text(set_cell(4, "area_km2", "abc")), encoding="utf-8")
    return "city.table=bad.csv"


def broken_user_structure(tmp_path: Path) -> str:
    """A folder of one's own whose structure/broken.yaml is not YAML; its search-path override."""
    (tmp_path / "mine" / "structure").mkdir(parents=True)
    (tmp_path / "mine" / "structure" / "broken.yaml").write_text("name: broken\ndepartments: [a: 1\n")
    return f"hydra.searchpath=[file://{tmp_path / 'mine'}]"


def output_below_a_file(tmp_path: Path) -> str:
    """A calibration output that could never be written: its folder is a regular file."""
    (tmp_path / "a_file.csv").write_text("x\n")
    return f"calibration.output={tmp_path / 'a_file.csv' / 'fitted.yaml'}"


ENSEMBLE = ("ensemble:\n  parameters:\n    effort_scale: {key: scenario.effort_scale, low: 0.5, high: 3.0}\n"
            "  members:\n    - {MEMBER}\n")


def truncated_ensemble(tmp_path: Path) -> str:
    (tmp_path / "cut.yaml").write_text(ENSEMBLE.replace("MEMBER", "effort_scale: 1.0")[:70])
    return "ensemble.path=cut.yaml"


def ensemble_with(member: str):
    """An ensemble file of one member written as given; its override."""
    def write(tmp_path: Path) -> str:
        (tmp_path / "bad.yaml").write_text(ENSEMBLE.replace("MEMBER", member))
        return "ensemble.path=bad.yaml"
    return write


COMMANDS = {
    # settings the schema refuses while composing
    "misspelt key": ("sim", ("desks.fixd=3",), "desks.fixd"),
    "string where a number belongs": ("sim", ("replications=many",), "replications"),
    "unknown structure file": ("sim", ("structure=five_departments",), "structure/five_departments"),
    # counts, names and dates (the others of their kind are checked in-process above)
    "zero desks": ("sim", ("desks.rule=fixed", "desks.fixed=0"), "desks.fixed"),
    "unknown unit": ("sim", ("city.units=[ba_dinh,atlantis]",), "city.units[1]"),
    "impossible date": ("sim", ("period.start=2025-02-30",), "period.start"),
    # non-finite numbers, sizes and the arrival profile
    "growth inf": ("sim", ("scenario.demand.growth=inf",), "scenario.demand.growth"),
    "desk minutes nan": ("sim", ("procedures.copy_certification.desk_minutes.mean=nan",),
                         "procedures.copy_certification.desk_minutes.mean"),
    "wait target nan": ("sim", ("desks.wait_target_minutes=nan",), "desks.wait_target_minutes"),
    "replications huge": ("sim", ("replications=100000000",), "replications"),
    "workers huge": ("sim", ("workers=1000000",), "workers"),
    "staff huge": ("sim", ("staff.rule=fixed", "staff.fixed=1000000000"), "staff.fixed"),
    "weekday weights all zero": ("sim", ("scenario.demand.weekday_weights=[0,0,0,0,0,0,0]",),
                                 "scenario.demand.weekday_weights"),
    # a new entry of a mapping of typed entries: the error gives the form that works
    "department added key by key": ("sim", ("+structure.departments.land={fields: [land]}",),
                                    "structure.departments.land: a new entry of structure.departments is added as "
                                    "'+structure.departments={land: {fields: [land]}}'"),
    "procedure added field by field": ("sim", ("+procedures.extra.field=other",),
                                       "'+procedures={extra: {field: other}}'"),
    # keys Hydra's + would add unchecked, and files of one's own met by --help, --cfg and --info
    "misspelt key added with +": ("sim", ("+desks.fixd=3",), "desks.fixd: unknown key"),
    "unknown key added at the top": ("sim", ("+foo=3",), "foo: unknown key"),
    "help with a broken file of one's own": ("sim", (broken_user_structure, "structure=broken", "--help"),
                                             "broken.yaml:3: not valid YAML"),
    "cfg with a broken file of one's own": ("sim", (broken_user_structure, "structure=broken", "--cfg", "job"),
                                            "broken.yaml:3: not valid YAML"),
    "help with an unknown option": ("sim", ("structure=nope", "--help"), "structure: Could not find"),
    # unit tables
    "missing table": ("sim", ("city.table=nowhere.csv",), "city.table: nowhere.csv"),
    "text in a number column": ("sim", (write_bad_table,), "city.table: bad.csv: line 6"),
    # comparison and calibration
    "compare without structures": ("sim.compare", ("compare.structures=[]",), "compare.structures"),
    "compare unknown baseline": ("sim.compare", ("compare.baseline=nine",), "compare.baseline"),
    "compare negative top units": ("sim.compare", ("compare.top_units=-1",), "compare.top_units"),
    "calibrate unknown target": ("sim.calibrate", ("calibration.targets=[x]",), "calibration.targets[0]"),
    "calibrate tolerance nan": ("sim.calibrate", ("observations.seed004_received.tolerance=nan",),
                                "observations.seed004_received.tolerance"),
    "calibrate output below a file": ("sim.calibrate", (output_below_a_file,), "calibration.output: "),
    # the ensemble: its file, wherever it enters, and the settings of the officers' time
    "ensemble missing": ("sim", ("ensemble.path=nowhere.yaml",), "ensemble.path: nowhere.yaml: no such file"),
    "ensemble truncated": ("sim", (truncated_ensemble,), "ensemble.path: cut.yaml: not valid YAML"),
    "ensemble with nan": ("sim", (ensemble_with("effort_scale: .nan"),), "not a finite number"),
    "ensemble out of bounds": ("sim", (ensemble_with("effort_scale: 7.5"),), "outside its range"),
    "ensemble unknown parameter": ("sim", (ensemble_with("effort_scale: 1.0, typo: 2"),), "unknown parameter 'typo'"),
    "recommend with a bad ensemble": ("sim.recommend", (ensemble_with("effort_scale: .inf"),), "ensemble.path: "),
    "compare with a bad ensemble": ("sim.compare", ("ensemble.path=nowhere.yaml",), "ensemble.path: "),
    "calibrate ensemble unknown pattern": ("sim.calibrate", ("calibration.method=ensemble",
                                                             "calibration.ensemble.patterns=[nope]"),
                                           "calibration.ensemble.patterns[0]"),
    "calibrate unknown method": ("sim.calibrate", ("calibration.method=magic",), "calibration.method"),
    "other duties nan": ("sim", ("staff.other_duties_share=nan",), "staff.other_duties_share"),
    "other duties all": ("sim", ("staff.other_duties_share=1",), "staff.other_duties_share"),
    "desk rota negative": ("sim", ("staff.desk_rota_share=-0.1",), "staff.desk_rota_share"),
    "desk rota beyond the officers": ("sim", ("staff.desk_rota_share=1", "desks.rule=fixed", "desks.fixed=40"),
                                      "staff.desk_rota_share"),
    "framework weight above one": ("sim", ("staff.framework_weight=2",), "staff.framework_weight"),
    "unknown overtime trigger": ("sim", ("staff.overtime.trigger=mood",), "staff.overtime.trigger"),
    "threshold days inf": ("sim", ("staff.overtime.threshold_days=inf",), "staff.overtime.threshold_days"),
    # names that become folder names, and flags among the overrides
    "scenario name leaving results/": ("sim", ("scenario.name=../../escape",), "scenario.name: '../../escape'"),
    "swept scenario name with a separator": ("sim", ("-m", "scenario.name=a,b/c"), "scenario.name: 'b/c'"),
    "sweep name '..'": ("sim", ("-m", "sweep_name=..", "desks.fixed=2,3"), "sweep_name: '..'"),
    "scenario name with a control character": ("sim", ("scenario.name=a\tb",), "scenario.name: 'a\\tb'"),
    "override before -m, then a misspelt key": ("sim", ("-m", "desks.fixd=3"), "desks.fixd"),
    "unknown flag": ("sim", ("--bogus",), "unrecognized arguments: --bogus"),
    "recommend unknown flag": ("sim.recommend", ("--bogus",), "unrecognized arguments: --bogus"),
    "recommend budget out of reach (below)": ("sim.recommend", ("recommend.budget.enabled=true",
                                                                "recommend.budget.officers=1"), "recommend.budget.officers"),
    "recommend budget out of reach (above)": ("sim.recommend", ("recommend.budget.enabled=true",
                                                                "recommend.budget.officers=9000000"),
                                              "recommend.budget.officers"),
}


@pytest.mark.parametrize("case", sorted(COMMANDS))
def test_a_command_stops_bad_input_with_one_line(case, tmp_path):
    module, args, key = COMMANDS[case]
    args = [a(tmp_path) if callable(a) else a for a in args]
    done = run_module(module, "city.units=[ba_dinh]", "replications=1", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sim: error: ") and key in lines[0], lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "results").exists()
    assert not list(tmp_path.rglob("summary.json"))
