"""The web app's own words in English and Vietnamese, one key per phrase (``str.format`` fields in
braces). Words the reports also use (KPI labels, kinds of unit, interval columns) come from the
reports' table, :mod:`sim.outputs.language`: each string lives in one place."""

from __future__ import annotations

from sim.outputs.language import TEXTS as REPORT_TEXTS
from sim.outputs.language import text as report_text

APP_TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "Hanoi service points: try a change", "vi": "Bộ phận một cửa Hà Nội: thử một thay đổi"},
    "intro": {"en": "Pick units and a change (counters, officers, structure, demand), press Run: the simulator "
                    "compares your change with the same units as they are today, on the same random days.",
              "vi": "Chọn đơn vị và một thay đổi (quầy, cán bộ, cơ cấu, nhu cầu), bấm Chạy: mô phỏng so sánh "
                    "thay đổi của bạn với chính các đơn vị đó như hiện nay, trên cùng những ngày ngẫu nhiên."},
    "language": {"en": "Language / Ngôn ngữ", "vi": "Ngôn ngữ / Language"},
    "your_change": {"en": "Your change", "vi": "Thay đổi của bạn"},
    "name": {"en": "Name of your change", "vi": "Tên thay đổi"},
    "default_name": {"en": "my change", "vi": "thay đổi của tôi"},
    "units": {"en": "Units (wards and communes)", "vi": "Đơn vị (phường, xã)"},
    "structure": {"en": "Structure", "vi": "Cơ cấu tổ chức"},
    "counters_change": {"en": "Counters per unit: more (+) or fewer (−) than today",
                 "vi": "Số quầy mỗi đơn vị: thêm (+) hoặc bớt (−) so với hiện nay"},
    "officers_times": {"en": "Processing officers, times today's", "vi": "Cán bộ xử lý hồ sơ, gấp bao nhiêu lần hiện nay"},
    "growth": {"en": "Demand, times today's (1.2 = 20 % more records)",
               "vi": "Nhu cầu, gấp bao nhiêu lần hiện nay (1,2 = thêm 20 % hồ sơ)"},
    "online": {"en": "Share of records filed online", "vi": "Tỷ lệ hồ sơ nộp trực tuyến"},
    "weeks": {"en": "Weeks simulated (from 1 July 2025)", "vi": "Số tuần mô phỏng (từ 1/7/2025)"},
    "replications": {"en": "Replications (more: narrower intervals, slower)",
                     "vi": "Số lần chạy lặp (nhiều hơn: khoảng tin cậy hẹp hơn, chậm hơn)"},
    "seed": {"en": "Seed (same seed, same random days)", "vi": "Hạt giống (cùng hạt giống, cùng ngày ngẫu nhiên)"},
    "run": {"en": "Run", "vi": "Chạy"},
    "running": {"en": "Simulating: {done} of {total} unit-replications (today's set-up, then your change)",
                "vi": "Đang mô phỏng: {done}/{total} lượt đơn vị × lần chạy lặp (hiện nay, rồi thay đổi của bạn)"},
    "took": {"en": "Simulated in {seconds} s.", "vi": "Mô phỏng mất {seconds} giây."},
    "press_run": {"en": "Choose units and a change, then press Run. Below: the whole city from a stored run.",
                  "vi": "Chọn đơn vị và thay đổi, rồi bấm Chạy. Bên dưới: toàn thành phố theo một lần chạy đã lưu."},
    "result": {"en": "Your change against today", "vi": "Thay đổi của bạn so với hiện nay"},
    "rests_on": {"en": "Rests on: {units} units, {start} to {end}, {reps} replications, seed {seed}, structure "
                       "{structure}; both runs on the same random days (common random numbers). Simulator {version}.",
                 "vi": "Dựa trên: {units} đơn vị, từ {start} đến {end}, {reps} lần chạy lặp, hạt giống {seed}, cơ cấu "
                       "{structure}; hai lần chạy trên cùng những ngày ngẫu nhiên. Phiên bản mô phỏng {version}."},
    "v_on_time": {"en": "On time (% of records received): today {base} [95 % interval {base_low}, {base_high}]; "
                        "with “{name}” {var} [{var_low}, {var_high}]; change {diff} points [{diff_low}, {diff_high}]{told}.",
                  "vi": "Đúng hạn (% hồ sơ tiếp nhận): hiện nay {base} [khoảng tin cậy 95 % {base_low}, {base_high}]; "
                        "với “{name}” {var} [{var_low}, {var_high}]; thay đổi {diff} điểm [{diff_low}, {diff_high}]{told}."},
    "v_wait_change": {"en": "90th-percentile desk wait: today {base} min [{base_low}, {base_high}]; with “{name}” {var} min "
                     "[{var_low}, {var_high}]; change {diff} min [{diff_low}, {diff_high}]{told}.",
               "vi": "Thời gian chờ tại quầy, phân vị 90: hiện nay {base} phút [{base_low}, {base_high}]; với “{name}” "
                     "{var} phút [{var_low}, {var_high}]; thay đổi {diff} phút [{diff_low}, {diff_high}]{told}."},
    "told_apart": {"en": " (a real change: the interval leaves out 0)", "vi": " (thay đổi thật: khoảng không chứa 0)"},
    "not_told": {"en": " (cannot be told from no change: the interval holds 0)",
                 "vi": " (chưa phân biệt được với không đổi: khoảng chứa 0)"},
    "v_units": {"en": "Units that miss the on-time target of {target} % (whole interval below it): today {base}, "
                      "with “{name}” {var}, of {total}.",
                "vi": "Số đơn vị không đạt mục tiêu {target} % đúng hạn (cả khoảng tin cậy nằm dưới): hiện nay "
                      "{base}, với “{name}” {var}, trên {total}."},
    "v_rough": {"en": "With fewer than 5 replications the intervals are rough; use more before deciding.",
                "vi": "Với dưới 5 lần chạy lặp, khoảng tin cậy còn thô; hãy chạy nhiều hơn trước khi quyết định."},
    "kpis": {"en": "KPIs of the units chosen (mean [95 % interval])", "vi": "Chỉ số của các đơn vị đã chọn (trung bình [khoảng tin cậy 95 %])"},
    "col_kpi": {"en": "KPI", "vi": "chỉ số"},
    "col_today": {"en": "today", "vi": "hiện nay"},
    "col_change": {"en": "your change", "vi": "thay đổi của bạn"},
    "col_difference": {"en": "difference (paired)", "vi": "chênh lệch (ghép cặp)"},
    "per_unit": {"en": "Each unit: on time (% of records received), today and with your change",
                 "vi": "Từng đơn vị: đúng hạn (% hồ sơ tiếp nhận), hiện nay và với thay đổi của bạn"},
    "col_counters": {"en": "counters", "vi": "quầy"},
    "col_officers": {"en": "processing officers", "vi": "cán bộ xử lý"},
    "map_chosen": {"en": "The units chosen, coloured by on time with your change",
                   "vi": "Các đơn vị đã chọn, tô màu theo tỷ lệ đúng hạn với thay đổi của bạn"},
    "map_selected": {"en": "The units chosen (coloured by the stored city run)",
                     "vi": "Các đơn vị đã chọn (tô màu theo lần chạy toàn thành phố đã lưu)"},
    "downloads": {"en": "Download", "vi": "Tải về"},
    "dl_kpis": {"en": "KPI table (CSV)", "vi": "Bảng chỉ số (CSV)"},
    "dl_units": {"en": "Units table (CSV)", "vi": "Bảng đơn vị (CSV)"},
    "dl_report": {"en": "Report of your change (report.html)", "vi": "Báo cáo thay đổi của bạn (report.html)"},
    "dl_report_base": {"en": "Report of today (report.html)", "vi": "Báo cáo hiện nay (report.html)"},
    "make_reports": {"en": "Make the reports (a few seconds)", "vi": "Tạo báo cáo (vài giây)"},
    "city": {"en": "The whole city (stored run)", "vi": "Toàn thành phố (lần chạy đã lưu)"},
    "city_made": {"en": "Made with {command} on {date}: {units} units and {branches} Centre branches, {start} to "
                        "{end}, {reps} replications, seed {seed}, simulator {version}.",
                  "vi": "Tạo bằng {command} ngày {date}: {units} đơn vị và {branches} chi nhánh Trung tâm, từ {start} "
                        "đến {end}, {reps} lần chạy lặp, hạt giống {seed}, phiên bản mô phỏng {version}."},
    "city_missing": {"en": "No stored city run in this installation: make one with python -m sim.app --build-city-summary.",
                     "vi": "Bản cài đặt này chưa có lần chạy toàn thành phố: tạo bằng python -m sim.app --build-city-summary."},
    "city_on_time": {"en": "City on time (% of records received): {mean} [95 % interval {low}, {high}].",
                     "vi": "Toàn thành phố đúng hạn (% hồ sơ tiếp nhận): {mean} [khoảng tin cậy 95 % {low}, {high}]."},
    "dl_city": {"en": "City units table (CSV)", "vi": "Bảng đơn vị toàn thành phố (CSV)"},
    # KPI labels the reports do not have
    # bad input: what is wrong and what to do, never a traceback
    "e_no_units": {"en": "Choose at least one unit.", "vi": "Hãy chọn ít nhất một đơn vị."},
    "e_too_many": {"en": "At most {n} units at a time here (the app runs on this computer); for more, use "
                         "python -m sim.compare or the stored city run.",
                   "vi": "Ở đây tối đa {n} đơn vị mỗi lần (ứng dụng chạy trên máy này); nhiều hơn, hãy dùng "
                         "python -m sim.compare hoặc lần chạy toàn thành phố đã lưu."},
    "e_range": {"en": "{what}: {value} is outside {low} to {high}.", "vi": "{what}: {value} nằm ngoài khoảng {low} đến {high}."},
    "e_config": {"en": "The simulator refused this set-up: {setting}: {problem}",
                 "vi": "Mô phỏng không chấp nhận thiết lập này: {setting}: {problem}"},
    "kept_one": {"en": "Fewer counters would leave {names} with none: they keep one.",
                 "vi": "Bớt quầy sẽ khiến {names} không còn quầy nào: giữ lại một quầy."},
    "e_name": {"en": "The name may hold at most {n} characters.", "vi": "Tên tối đa {n} ký tự."},
    "menu_hint": {"en": "On a phone, the controls open with the arrow button at the top left.",
                  "vi": "Trên điện thoại, các lựa chọn mở bằng nút mũi tên ở góc trên bên trái."},
}


def t(key: str, language: str, **fields) -> str:
    """The app's phrase ``key`` in ``language`` (English if it has no such form), or the reports'
    phrase of that key (KPI labels, kinds of unit), with ``fields`` filled in."""
    forms = APP_TEXTS.get(key)
    if forms is None:
        return report_text(key, language, **fields)
    phrase = forms.get(language, forms["en"])
    return phrase.format(**fields) if fields else phrase


def duplicates() -> set[str]:
    """Keys in both tables (must be none: one place per string)."""
    return set(APP_TEXTS) & set(REPORT_TEXTS)
