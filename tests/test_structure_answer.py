"""The leaders' answer of a structure comparison: what an added department does in the units it
changes, known where the answer is known (no breadth effect: a split can only lose its pooling; a
strong one: it gains), first on the report's page in the report's language, and over an ensemble."""

import json

import pandas as pd
import pytest

from sim.experiments.comparison import compare
from tests.conftest import compose_config, run_module

# two busy wards under a heavy load (effort x 2.6), six weeks: where a department's breadth can matter
BUSY = ("city.units=[bach_mai,bo_de]", "centre.enabled=false", "scenario.effort_scale=2.6", "period.end=2025-08-15",
        "compare.structures=[three_departments,four_departments_land]", "compare.policies=[same_headcount]",
        "progress=false")


def _answer(*overrides: str):
    (answer,) = compare(compose_config(*BUSY, *overrides), workers=2).answers
    return answer


def test_without_a_breadth_effect_a_split_at_the_same_headcount_cannot_gain():
    answer = _answer("replications=4", "staff.breadth_penalty=0")
    assert answer.units == {"ward": 2, "commune": 0} and answer.departments_added == 2 and answer.positions_added == 0
    assert answer.on_time["ci95_low"] <= 0, answer.on_time  # never clearly above 0
    assert answer.overtime["ci95_high"] >= 0, answer.overtime  # nor clearly less overtime


def test_with_a_strong_breadth_effect_the_fourth_department_gains():
    answer = _answer("replications=4", "staff.breadth_penalty=0.3")
    assert answer.on_time["ci95_low"] > 0, answer.on_time
    assert answer.gains() == len(answer.on_time_changes) == 4


def test_the_answer_comes_first_in_words_in_the_reports_language_with_its_range_over_the_ensemble(tmp_path):
    folder = tmp_path / "run"
    done = run_module("sim.compare", *BUSY, "replications=2", "staff.breadth_penalty=0.3", "report.language=vi",
                      "ensemble.path=hanoi_2025", "ensemble.members=2", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (folder / "report.html").read_text()
    answer = page[page.index("id='answer'"):page.index("id='verdict'")]
    assert page.index("id='answer'") < page.index("id='verdict'") < page.index("id='detail'")
    assert "Có lợi" in answer and "Phòng Đất đai và Môi trường" in answer  # the verdict and the structure in words
    assert "four_departments_land" not in answer and "same_headcount" not in answer  # no slugs
    assert "Trên 2 bộ tham số hợp lý" in answer and "giả định" in answer  # the range, and what it rests on
    assert "là số mô hình hóa, không phải số đếm" in answer  # today's officers: modelled, not counted
    members = pd.read_csv(folder / "comparison_ensemble.csv")
    assert sorted(members["member"]) == [0, 1] and set(members["variant"]) == {"four_departments_land/same_headcount"}
    stored = json.loads((folder / "structure_answer.json").read_text())
    spread = stored["ensemble"]["variants"]["four_departments_land/same_headcount"]
    assert spread["on_time_change"]["min"] == pytest.approx(members["on_time_change_mean"].min())
    assert spread["trials"] == 4 and 0 <= spread["gains"] <= 4
    assert "Có lợi" in done.stdout  # the console says it too
