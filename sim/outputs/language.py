"""The words of report.html, its verdict and its maps in English and Vietnamese (``report.language``).

One table, ``TEXTS``: a key per phrase, its English and Vietnamese forms (``str.format`` fields in
braces). Unit names are not translated: they are the official Vietnamese names in both languages.
The glossary (``GLOSSARY``) defines every term the reports use, once.
"""

from __future__ import annotations

from sim.config.schema import REPORT_LANGUAGES

LANGUAGES = REPORT_LANGUAGES

TEXTS: dict[str, dict[str, str]] = {
    # KPI labels, with their units (axis and colour-bar labels)
    "on_time_of_received_pct": {"en": "on time (% of records received)",
                                "vi": "đúng hạn (% hồ sơ tiếp nhận)"},
    "desk_wait_p90_min": {"en": "90th-percentile desk wait (minutes)",
                          "vi": "thời gian chờ tại quầy, phân vị 90 (phút)"},
    "overtime_hours_per_officer_week": {"en": "overtime (hours per officer and week)",
                                        "vi": "làm thêm giờ (giờ mỗi cán bộ mỗi tuần)"},
    "change_of": {"en": "change of {label}", "vi": "thay đổi của {label}"},
    "change_points": {"en": "change of on time (percentage points)",
                      "vi": "thay đổi tỷ lệ đúng hạn (điểm phần trăm)"},
    # map
    "longitude": {"en": "longitude (°E)", "vi": "kinh độ (°Đ)"},
    "latitude": {"en": "latitude (°N)", "vi": "vĩ độ (°B)"},
    "no_value": {"en": "no value (unit not in this run)", "vi": "không có số liệu (đơn vị không có trong lần chạy)"},
    "branch": {"en": "Centre branch (marker at the centroid of its former district's units)",
               "vi": "chi nhánh Trung tâm (điểm ở tâm các đơn vị thuộc quận cũ)"},
    "branch_no_value": {"en": "Centre branch, no value", "vi": "chi nhánh Trung tâm, không có số liệu"},
    "branch_none": {"en": "Centre branch, not in this run (marker at the centroid of its former district's units)",
                    "vi": "chi nhánh Trung tâm, không có trong lần chạy (điểm ở tâm các đơn vị thuộc quận cũ)"},
    "target_line": {"en": "target {target}", "vi": "mục tiêu {target}"},
    "map_title_kpi": {"en": "{label} by unit", "vi": "{label} theo đơn vị"},
    "map_title_change": {"en": "{label}: {variant} against {baseline}", "vi": "{label}: {variant} so với {baseline}"},
    "km": {"en": "{n} km", "vi": "{n} km"},
    # report headings
    "verdict": {"en": "Verdict", "vi": "Kết luận"},
    "map": {"en": "Map", "vi": "Bản đồ"},
    "glossary": {"en": "Terms used", "vi": "Thuật ngữ"},
    "detail": {"en": "Detail", "vi": "Chi tiết"},
    "run_title": {"en": "Simulation run: {scenario}", "vi": "Kết quả mô phỏng: {scenario}"},
    "compare_title": {"en": "Structures compared: {variants}", "vi": "So sánh cơ cấu tổ chức: {variants}"},
    "run_intro": {"en": "{units} units{branches}, {start} to {end}, {reps} replications, seed {seed}.",
                  "vi": "{units} đơn vị{branches}, từ {start} đến {end}, {reps} lần chạy lặp, hạt giống {seed}."},
    "and_branches": {"en": " and {n} Centre branches", "vi": " và {n} chi nhánh Trung tâm"},
    "city_kpis": {"en": "City totals (mean [95 % interval])", "vi": "Toàn thành phố (trung bình [khoảng tin cậy 95 %])"},
    "charts": {"en": "Charts", "vi": "Biểu đồ"},
    "unit_table": {"en": "Every unit, lowest on-time share first", "vi": "Tất cả đơn vị, tỷ lệ đúng hạn thấp nhất trước"},
    "units_missing": {"en": "Units that miss or may miss a target", "vi": "Đơn vị không đạt hoặc có thể không đạt mục tiêu"},
    "column_unit": {"en": "unit", "vi": "đơn vị"},
    "column_kind": {"en": "kind", "vi": "loại"},
    "column_status": {"en": "status", "vi": "tình trạng"},
    "column_low": {"en": "95 % low", "vi": "cận dưới 95 %"},
    "column_high": {"en": "95 % high", "vi": "cận trên 95 %"},
    "ward": {"en": "ward", "vi": "phường"},
    "commune": {"en": "commune", "vi": "xã"},
    "centre": {"en": "Centre branch", "vi": "chi nhánh Trung tâm"},
    "misses": {"en": "misses", "vi": "không đạt"},
    "uncertain": {"en": "cannot be told from the target", "vi": "chưa phân định được"},
    "meets": {"en": "meets", "vi": "đạt"},
    "no_data": {"en": "no data", "vi": "không có số liệu"},
    # verdict sentences
    "v_today": {"en": "Today {misses} of {total} units miss the on-time target of {target} % "
                      "(the whole 95 % interval below it){uncertain}.",
                "vi": "Hiện nay {misses}/{total} đơn vị không đạt mục tiêu {target} % hồ sơ đúng hạn "
                      "(cả khoảng tin cậy 95 % nằm dưới mục tiêu){uncertain}."},
    "v_today_uncertain": {"en": ", and {n} more cannot be told from it (the interval straddles the target)",
                          "vi": ", thêm {n} đơn vị chưa phân định được (khoảng tin cậy chứa mục tiêu)"},
    "v_none": {"en": "Today no unit clearly misses the on-time target of {target} %{uncertain}.",
               "vi": "Hiện nay không có đơn vị nào chắc chắn không đạt mục tiêu {target} % hồ sơ đúng hạn{uncertain}."},
    "v_none_uncertain": {"en": "; {n} cannot be told from it (the interval straddles the target)",
                         "vi": "; {n} đơn vị chưa phân định được (khoảng tin cậy chứa mục tiêu)"},
    "v_which": {"en": "Lowest: {names}.", "vi": "Thấp nhất: {names}."},
    "v_and_more": {"en": " and {n} more", "vi": " và {n} đơn vị khác"},
    "v_wait": {"en": "{n} of {total} have a 90th-percentile desk wait over the {target} min target "
                     "(mean over replications).",
               "vi": "{n}/{total} đơn vị có thời gian chờ tại quầy phân vị 90 vượt mục tiêu {target} phút "
                     "(trung bình các lần chạy lặp)."},
    "v_fix": {"en": "What it takes: under <b>{variant}</b>, {fixed} of these {of} units meet the target "
                    "(the whole interval above it); the city's on-time share changes by {change} percentage points "
                    "[95 % interval {low}, {high}].",
              "vi": "Cần gì: với <b>{variant}</b>, {fixed}/{of} đơn vị này đạt mục tiêu (cả khoảng tin cậy nằm "
                    "trên mục tiêu); tỷ lệ đúng hạn toàn thành phố thay đổi {change} điểm phần trăm "
                    "[khoảng tin cậy 95 % {low}, {high}]."},
    "v_fix_none": {"en": "What it takes: no variant compared here brings any of them clearly above the target.",
                   "vi": "Cần gì: không phương án nào được so sánh ở đây đưa được đơn vị nào lên chắc chắn trên mục tiêu."},
    "v_fix_nothing_to_fix": {"en": "Nothing to fix: every unit meets the target or cannot be told from it.",
                             "vi": "Không có gì cần khắc phục: mọi đơn vị đều đạt hoặc chưa phân định được."},
    "v_fix_not_searched": {"en": "What it takes is not searched by this run, which evaluates the staffing it is "
                                 "given; the busiest department of each unit that misses: {busiest}.",
                           "vi": "Lần chạy này chỉ đánh giá phương án nhân sự được cho, không tìm cách khắc phục; "
                                 "bộ phận bận nhất của mỗi đơn vị không đạt: {busiest}."},
    "v_overtime": {"en": "Overtime: {value} hours per officer and week [95 % interval {low}, {high}]{after}.",
                   "vi": "Làm thêm giờ: {value} giờ mỗi cán bộ mỗi tuần [khoảng tin cậy 95 % {low}, {high}]{after}."},
    "v_overtime_after": {"en": "; under {variant}: {value} [{low}, {high}]",
                         "vi": "; với {variant}: {value} [{low}, {high}]"},
    "v_overtime_off": {"en": "Overtime is off in this run (staff.overtime.enabled=false): officers leave at "
                             "closing time.",
                       "vi": "Lần chạy này không tính làm thêm giờ (staff.overtime.enabled=false): cán bộ về đúng giờ."},
    "v_uncertainty": {"en": "Uncertainty: every figure is a mean over {reps} replications with its 95 % interval; "
                            "a unit counts as missing only if its whole interval is below the target.",
                      "vi": "Độ bất định: mỗi con số là trung bình của {reps} lần chạy lặp kèm khoảng tin cậy 95 %; "
                            "một đơn vị chỉ bị tính là không đạt khi cả khoảng tin cậy nằm dưới mục tiêu."},
    "v_centre": {"en": "Centre branches: {misses} of {total} miss the on-time target{uncertain}.",
                 "vi": "Chi nhánh Trung tâm: {misses}/{total} không đạt mục tiêu đúng hạn{uncertain}."},
    "map_caption_kpi": {"en": "Each unit coloured by its {label}, mean over replications; hatched grey: no value. "
                              "Squares: the Centre's branches, coloured the same way.",
                        "vi": "Mỗi đơn vị tô màu theo {label}, trung bình các lần chạy lặp; gạch chéo màu xám: không "
                              "có số liệu. Ô vuông: các chi nhánh Trung tâm, tô màu cùng thang."},
    "map_caption_change": {"en": "Each unit coloured by the paired change of its {label} under {variant} (blue: better, "
                                 "red: worse, white: no change); hatched grey: no value.",
                           "vi": "Mỗi đơn vị tô màu theo chênh lệch ghép cặp của {label} với {variant} (xanh: tốt hơn, "
                                 "đỏ: kém hơn, trắng: không đổi); gạch chéo màu xám: không có số liệu."},
}

GLOSSARY: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "unit": ("unit", "one of Hanoi's 126 commune-level units since 1 July 2025: a ward (phường, urban) or a "
                         "commune (xã, rural)"),
        "branch": ("Centre branch", "one of the 12 branches of the City Public Administration Service Centre, "
                                    "which handles city-level procedures (mostly land)"),
        "on_time": ("on time (% of records received)", "records finished by their legal due date, as a share of the "
                    "records received whose outcome is known at the end of the period (finished, abandoned at the "
                    "desk, or in process past the due date)"),
        "target": ("target", "the on-time share a unit should reach (report.on_time_target_pct) and the desk wait "
                             "most citizens should stay under (desks.wait_target_minutes); both are settings"),
        "wait": ("90th-percentile desk wait", "the wait at the reception desk that 9 in 10 citizens served do not "
                                              "exceed, in minutes"),
        "replication": ("replication", "one simulated run of the whole period with its own random citizens and "
                                       "records; the figures are means over replications"),
        "interval": ("95 % interval", "the range that holds the true mean with 95 % confidence given the "
                                      "replications (Student t), cut to what the figure can take"),
        "misses": ("misses / cannot be told", "a unit misses a target when its whole 95 % interval is on the wrong "
                   "side; it cannot be told from it when the interval holds the target"),
        "paired": ("paired change", "the difference to the baseline, replication by replication, with the same "
                                    "simulated citizens and records (common random numbers)"),
        "overtime": ("overtime", "hours officers stay after the last session when their backlog is large "
                                 "(staff.overtime), per processing officer and week"),
        "utilisation": ("staff utilisation", "the share of their session time officers spend working on records"),
        "percentage_point": ("percentage point", "the unit of a difference of two shares: 95 % to 97 % is +2 "
                                                 "percentage points"),
    },
    "vi": {
        "unit": ("đơn vị", "một trong 126 đơn vị hành chính cấp xã của Hà Nội từ ngày 1/7/2025: phường (đô thị) "
                           "hoặc xã (nông thôn)"),
        "branch": ("chi nhánh Trung tâm", "một trong 12 chi nhánh của Trung tâm Phục vụ hành chính công thành phố, "
                                          "giải quyết thủ tục cấp thành phố (chủ yếu đất đai)"),
        "on_time": ("đúng hạn (% hồ sơ tiếp nhận)", "hồ sơ giải quyết xong trong thời hạn luật định, tính trên số "
                    "hồ sơ tiếp nhận đã biết kết quả cuối kỳ (đã giải quyết, bỏ về tại quầy, hoặc đang giải quyết "
                    "nhưng đã quá hạn)"),
        "target": ("mục tiêu", "tỷ lệ đúng hạn một đơn vị cần đạt (report.on_time_target_pct) và thời gian chờ tại "
                               "quầy mà phần lớn người dân không vượt quá (desks.wait_target_minutes); cả hai là "
                               "tham số cấu hình"),
        "wait": ("thời gian chờ tại quầy, phân vị 90", "thời gian chờ tại quầy tiếp nhận mà 9/10 người dân được "
                                                      "phục vụ không vượt quá, tính bằng phút"),
        "replication": ("lần chạy lặp", "một lần mô phỏng cả kỳ với người dân và hồ sơ ngẫu nhiên riêng; các con "
                                        "số là trung bình của các lần chạy lặp"),
        "interval": ("khoảng tin cậy 95 %", "khoảng chứa giá trị trung bình thực với độ tin cậy 95 % theo các lần "
                                            "chạy lặp (phân phối Student t), giới hạn trong miền giá trị có thể"),
        "misses": ("không đạt / chưa phân định được", "một đơn vị không đạt mục tiêu khi cả khoảng tin cậy 95 % nằm "
                   "ở phía sai; chưa phân định được khi khoảng tin cậy chứa mục tiêu"),
        "paired": ("chênh lệch ghép cặp", "chênh lệch so với phương án gốc theo từng lần chạy lặp, với cùng người "
                                          "dân và hồ sơ mô phỏng (cùng chuỗi số ngẫu nhiên)"),
        "overtime": ("làm thêm giờ", "số giờ cán bộ ở lại sau buổi làm việc cuối khi hồ sơ tồn nhiều "
                                     "(staff.overtime), tính cho mỗi cán bộ xử lý mỗi tuần"),
        "utilisation": ("mức sử dụng cán bộ", "phần thời gian làm việc cán bộ dành để xử lý hồ sơ"),
        "percentage_point": ("điểm phần trăm", "đơn vị của chênh lệch hai tỷ lệ: từ 95 % lên 97 % là +2 điểm "
                                               "phần trăm"),
    },
}


def text(key: str, language: str, **fields) -> str:
    """The phrase ``key`` in ``language`` (English where a phrase has no translation), fields filled in."""
    forms = TEXTS[key]
    return forms.get(language, forms["en"]).format(**fields)


def number(value: float, language: str, digits: int = 1, signed: bool = False) -> str:
    """A number as the language writes it: 1,234.5 in English, 1.234,5 in Vietnamese."""
    written = f"{value:{'+' if signed else ''},.{digits}f}"
    if language == "vi":
        written = written.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return written


def plain(value: float, language: str) -> str:
    """A setting as written, without trailing zeros (95, 99.9), with the language's decimal mark."""
    written = f"{value:g}"
    return written.replace(".", ",") if language == "vi" else written
