"""The web page of ``python -m sim.app`` (Streamlit): a leader or planner picks units and a change,
runs it against today on the same random numbers, and reads the verdict with its 95 % intervals,
the map, the tables and the reports; the whole city comes from a stored run.

Only the page lives here; what is computed is in :mod:`sim.apps.webapp_runs`, the words in
:mod:`sim.apps.webapp_texts`. Text from users or data reaches the page escaped, never as markup.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import sim
from sim.apps import webapp_runs as runs
from sim.apps.webapp_texts import t
from sim.outputs.language import number
from sim.outputs.verdict import ON_TIME

LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}

st.set_page_config(page_title="Hanoi service points", layout="wide")
# On a phone the headings shrink, so the verdict starts on the first screen.
PHONE_CSS = "<style>@media (max-width: 640px) {h1 {font-size: 1.7rem !important} h2 {font-size: 1.35rem !important}}</style>"


@st.cache_resource
def unit_names() -> dict[str, str]:
    table = runs.unit_table()
    return dict(zip(table["slug"], table["name"]))


@st.cache_data(show_spinner=False)
def structure_label(name: str) -> str:
    return runs.structure_label(name)


@st.cache_resource
def online_share_today() -> float:
    return float(runs.composed(runs.Choice().structure).scenario.demand.online_share)


@st.cache_resource
def city() -> dict | None:
    return runs.load_city_summary()


@st.cache_data(show_spinner=False, max_entries=32)
def map_png(values: tuple[tuple[str, float], ...], labelled: tuple[str, ...], title: str, language: str,
            target: float) -> bytes:
    """The map of the units, coloured by ``values`` (slug, on-time share), as a PNG."""
    series = pd.Series(dict(values), dtype=float)
    figure = sim.plot_unit_map(series, label=t(ON_TIME, language), title=title, language=language,
                               labelled=list(labelled), target=target, branches=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)  # about 610 px: a phone scales it down
    return buffer.getvalue()


def lines_html(lines: list[str], css_class: str) -> None:
    """Sentences that are already HTML-safe (every field from a user or the data escaped) as a list."""
    items = "".join(f"<li>{line}</li>" for line in lines)
    st.markdown(f"<ul class='{css_class}'>{items}</ul>", unsafe_allow_html=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")  # Excel reads the Vietnamese names right


def controls(language: str) -> tuple[runs.Choice, bool]:
    """The sidebar form: the units and the change; nothing runs until Run is pressed."""
    names = unit_names()
    with st.sidebar.form("change"):
        st.subheader(t("your_change", language))
        name = st.text_input(t("name", language), key="name", max_chars=runs.MAX_NAME)
        units = st.multiselect(t("units", language), options=list(names), default=["ba_dinh", "soc_son"],
                               format_func=names.get, key="units", max_selections=runs.MAX_UNITS)
        structure = st.selectbox(t("structure", language), runs.structures(), format_func=structure_label,
                                 key="structure")
        counters = st.number_input(t("counters_change", language), min_value=runs.BOUNDS["counters"][0],
                                   max_value=runs.BOUNDS["counters"][1], value=0, step=1, key="counters")
        officers = st.slider(t("officers_times", language), 0.5, 2.0, 1.0, 0.05, key="officers")
        growth = st.number_input(t("growth", language), min_value=runs.BOUNDS["growth"][0],
                                 max_value=runs.BOUNDS["growth"][1], value=1.0, step=0.1, format="%.2f", key="growth")
        today = online_share_today()
        online = st.slider(t("online", language), 0.0, 1.0, round(today, 2), 0.01, key="online")
        weeks = st.slider(t("weeks", language), 1, runs.BOUNDS["weeks"][1], 2, key="weeks")
        replications = st.slider(t("replications", language), runs.BOUNDS["replications"][0],
                                 runs.BOUNDS["replications"][1], 3, key="replications")
        seed = st.number_input(t("seed", language), min_value=0, max_value=runs.BOUNDS["seed"][1], value=20250701,
                               step=1, key="seed")
        pressed = st.form_submit_button(t("run", language), type="primary", use_container_width=True)
    choice = runs.Choice(units=tuple(units), structure=structure, counters=int(counters), officers=float(officers),
                         growth=float(growth), online_share=None if abs(online - today) < 0.005 else float(online),
                         weeks=int(weeks), replications=int(replications), seed=int(seed), name=name.strip())
    return choice, pressed


def simulate(choice: runs.Choice, language: str) -> None:
    """Run the choice with a progress bar; keep the result, or say plainly what is wrong."""
    wrong = runs.problems(choice, language)
    for message in wrong:
        st.error(message)
    if wrong:
        return
    total = 2 * len(choice.units) * choice.replications
    bar = st.progress(0.0, text=t("running", language, done=0, total=total))
    try:
        pair = runs.run_pair(choice, progress=lambda done, n: bar.progress(
            done / n, text=t("running", language, done=done, total=n)))
    except sim.ConfigError as exc:
        st.error(t("e_config", language, setting=exc.key, problem=exc.problem))
        return
    finally:
        bar.empty()
    st.session_state["pair"] = pair
    st.session_state.pop("reports", None)


def show_result(pair: runs.Pair, language: str) -> None:
    st.header(t("result", language))
    lines_html(runs.verdict_lines(pair, language), "app-verdict")
    if pair.kept_one:
        names = unit_names()
        st.warning(t("kept_one", language, names=", ".join(names.get(s, s) for s in pair.kept_one)))
    st.caption(t("took", language, seconds=number(pair.seconds, language, 1)))
    units = pair.changed.units
    values = tuple((s, float(v)) for s, v in zip(units["slug"], units[ON_TIME]))
    st.image(map_png(values, tuple(units["slug"]), t("map_chosen", language), language,
                     pair.today.run_summary.on_time_target_pct), caption=t("map_chosen", language))
    st.subheader(t("kpis", language))
    kpis = runs.kpi_table(pair, language)
    st.dataframe(kpis.round(2), hide_index=True, use_container_width=True)
    rows = runs.unit_rows(pair, language)
    st.subheader(t("per_unit", language))
    st.dataframe(rows.round(2), hide_index=True, use_container_width=True)
    st.subheader(t("downloads", language))
    left, right = st.columns(2)
    left.download_button(t("dl_kpis", language), csv_bytes(kpis), "kpis.csv", "text/csv", key="dl_kpis")
    right.download_button(t("dl_units", language), csv_bytes(rows), "units.csv", "text/csv", key="dl_units")
    reports = st.session_state.get("reports")
    if reports is None or reports[0] != language:
        if st.button(t("make_reports", language), key="make_reports"):
            with st.spinner(t("make_reports", language)), tempfile.TemporaryDirectory() as folder:
                reports = (language, runs.save_report(pair.today, Path(folder) / "today", language),
                           runs.save_report(pair.changed, Path(folder) / "change", language))
            st.session_state["reports"] = reports
    if reports is not None and reports[0] == language:
        left, right = st.columns(2)
        left.download_button(t("dl_report_base", language), reports[1], "report_today.html", "text/html", key="dl_rb")
        right.download_button(t("dl_report", language), reports[2], "report_change.html", "text/html", key="dl_rc")


def show_city(choice: runs.Choice, language: str, with_map: bool) -> None:
    """The whole city from the stored run: the verdict with its interval and what it rests on."""
    stored = city()
    st.header(t("city", language))
    if stored is None:
        st.info(t("city_missing", language))
        return
    units, target = stored["units"], stored["on_time_target_pct"]
    lines_html(runs.city_lines(stored, language), "app-city")
    if with_map and choice.units:
        chosen = units[units["slug"].isin(choice.units)]
        values = tuple((s, float(v)) for s, v in zip(chosen["slug"], chosen[ON_TIME]))
        st.image(map_png(values, tuple(chosen["slug"]), t("map_selected", language), language, target),
                 caption=t("map_selected", language))
    st.download_button(t("dl_city", language), csv_bytes(units), "city_units.csv", "text/csv", key="dl_city")


def main() -> None:
    st.markdown(PHONE_CSS, unsafe_allow_html=True)
    language = st.radio(t("language", st.session_state.get("language", "en")), list(LANGUAGES),
                        format_func=LANGUAGES.get, horizontal=True, key="language")
    st.title(t("title", language))
    st.write(t("intro", language))
    st.caption(t("menu_hint", language))
    choice, pressed = controls(language)
    if pressed:
        simulate(choice, language)
    pair = st.session_state.get("pair")
    if pair is not None:
        show_result(pair, language)
    else:
        st.info(t("press_run", language))
    show_city(choice, language, with_map=pair is None)


main()
