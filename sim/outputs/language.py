"""The words of report.html, its verdict and its maps in English and Vietnamese (``report.language``).

One table, ``TEXTS``: a key per phrase, its English and Vietnamese forms (``str.format`` fields in
braces; a phrase that counts units holds its CLDR plural forms). Numbers and plurals follow the
language through Babel (``number``, ``plain``, ``_form``), so that no page mixes 40.53 with 17,44. Unit names are not translated: they are the official Vietnamese names in both languages.
The glossary (``GLOSSARY``) defines every term the reports use, once.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal
from markupsafe import Markup

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
    "compare_title": {"en": "Structures compared: {baseline} against {others} alternatives",
                      "vi": "So sánh cơ cấu tổ chức: {baseline} so với {others} phương án khác"},
    "run_intro": {"en": {"one": "{units} unit{branches}, {start} to {end}, {reps} replications, seed {seed}.",
                   "other": "{units} units{branches}, {start} to {end}, {reps} replications, seed {seed}."}, "count": "units",
                  "vi": "{units} đơn vị{branches}, từ {start} đến {end}, {reps} lần chạy lặp, hạt giống {seed}."},
    "and_branches": {"en": " and {n} Centre branches", "vi": " và {n} chi nhánh Trung tâm"},
    "city_kpis": {"en": "City totals (mean [95 % interval])", "vi": "Toàn thành phố (trung bình [khoảng tin cậy 95 %])"},
    "charts": {"en": "Charts", "vi": "Biểu đồ"},
    "unit_table": {"en": "Every unit, lowest on-time share first", "vi": "Tất cả đơn vị, tỷ lệ đúng hạn thấp nhất trước"},
    "units_missing": {"en": "Units that miss or may miss a target", "vi": "Đơn vị không đạt hoặc có thể không đạt mục tiêu"},
    "column_unit": {"en": "unit", "vi": "đơn vị"},
    "column_kpi": {"en": "measure", "vi": "chỉ số"},
    "column_measured_in": {"en": "in", "vi": "đơn vị đo"},
    "column_mean": {"en": "mean", "vi": "trung bình"},
    "column_busiest_utilisation": {"en": "busiest department's utilisation", "vi": "mức sử dụng của phòng bận nhất"},
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
    # what an answer rests on (sim.analysis.assumptions)
    "rests_on_intro": {"en": "What this answer rests on (none of these is published; each is an assumption of the model):",
                 "vi": "Kết quả này dựa trên (không giá trị nào được công bố; mỗi giá trị là một giả định của mô hình):"},
    "rests_scenario.effort_scale": {"en": "officer minutes per record, as a multiple of the catalogue's: {value}",
                                    "vi": "số phút cán bộ cho mỗi hồ sơ, bội số của danh mục: {value}"},
    "rests_staff.procedure_share": {"en": "share of the city's 9,622 positions who process records: {value}",
                                    "vi": "tỷ lệ trong 9.622 vị trí của thành phố trực tiếp xử lý hồ sơ: {value}"},
    "rests_staff.other_duties_share": {"en": "share of an officer's time spent on other duties: {value}",
                                       "vi": "tỷ lệ thời gian cán bộ dành cho nhiệm vụ kiêm nhiệm khác: {value}"},
    "rests_staff.desk_rota_share": {"en": "share of the counters' time covered by the departments' officers: {value}",
                                    "vi": "tỷ lệ thời gian tại quầy do cán bộ các phòng trực luân phiên: {value}"},
    "rests_staff.framework_weight": {"en": "share of the positions spread like the capped national framework: {value}",
                                     "vi": "tỷ lệ vị trí phân bổ theo khung biên chế quốc gia (có trần): {value}"},
    "rests_desks.residents_per_desk": {"en": "residents per reception counter: {value}",
                                       "vi": "số dân cho mỗi quầy tiếp nhận: {value}"},
    # the leaders' answer of a structure comparison (sim.outputs.structure_verdict)
    "answer_title": {"en": "The answer: more departments?", "vi": "Trả lời: có nên thêm phòng chuyên môn?"},
    "answer_gain": {"en": "Gain", "vi": "Có lợi"},
    "answer_loss": {"en": "Loss", "vi": "Bất lợi"},
    "answer_unclear": {"en": "No clear change", "vi": "Không thấy thay đổi rõ"},
    "answer_lead": {"en": "{verdict}: {structure} ({policy}). In the units it changes (wards {wards}, communes "
                          "{communes}; {departments} departments and {positions} positions added) the on-time share "
                          "changes by {on_time} percentage points (mean [95 % interval]).",
                    "vi": "{verdict}: {structure} ({policy}). Tại các đơn vị thay đổi (phường {wards}, xã {communes}; "
                          "thêm {departments} phòng và {positions} biên chế), tỷ lệ đúng hạn thay đổi {on_time} điểm "
                          "phần trăm (trung bình [khoảng tin cậy 95 %])."},
    "answer_overtime": {"en": "Overtime changes by {overtime} hours per officer a week.",
                        "vi": "Làm thêm giờ thay đổi {overtime} giờ mỗi cán bộ mỗi tuần."},
    "answer_chance": {"en": "The on-time share rises in {gains} of {of} replications.",
                      "vi": "Tỷ lệ đúng hạn tăng trong {gains}/{of} lần chạy lặp."},
    "answer_changes_nothing": {"en": "{structure}: changes no unit of this run.",
                               "vi": "{structure}: không thay đổi đơn vị nào trong lần chạy này."},
    "answer_ensemble": {"en": "Over {members} plausible parameter sets (ensemble {name}): on time {low} to {high} "
                              "points{driver}; it rises in {gains} of {of} (parameter set, replication) pairs.",
                        "vi": "Trên {members} bộ tham số hợp lý (tập {name}): đúng hạn thay đổi từ {low} đến {high} "
                              "điểm{driver}; tăng trong {gains}/{of} cặp (bộ tham số, lần chạy lặp)."},
    "answer_rests_on": {"en": "What this answer rests on: {items}.", "vi": "Kết quả này dựa trên: {items}."},
    "source_assumption": {"en": "assumption", "vi": "giả định"},
    "source_resolution_332": {"en": "Resolution 332/NQ-CP", "vi": "Nghị quyết 332/NQ-CP"},
    "policy_same_headcount": {"en": "same headcount: the new head comes from the officers",
                              "vi": "giữ nguyên biên chế: trưởng phòng mới lấy từ cán bộ"},
    "policy_extra_head": {"en": "one more position per new department, its head",
                          "vi": "thêm một biên chế trưởng phòng cho mỗi phòng mới"},
    # the comparison report's detail (sim.outputs.comparison_report)
    "short_three_departments": {"en": "3 departments", "vi": "3 phòng"},
    "short_four_departments_land": {"en": "4 departments in wards", "vi": "4 phòng ở phường"},
    "short_four_departments_land_communes": {"en": "4 departments in communes", "vi": "4 phòng ở xã"},
    "short_five_departments_urban": {"en": "5 departments in large wards", "vi": "5 phòng ở phường lớn"},
    "short_policy_same_headcount": {"en": "same headcount", "vi": "giữ nguyên biên chế"},
    "short_policy_extra_head": {"en": "extra head", "vi": "thêm trưởng phòng"},
    "cmp_intro": {"en": {"one": "{units} unit, {start} to {end}, {reps} replications, seed {seed}. Every variant runs the same simulated citizens and records (common random numbers); differences are paired by replication, with 95 % confidence intervals. Baseline: <b>{baseline}</b>.",
                   "other": "{units} units, {start} to {end}, {reps} replications, seed {seed}. Every variant runs the same simulated citizens and records (common random numbers); differences are paired by replication, with 95 % confidence intervals. Baseline: <b>{baseline}</b>."}, "count": "units",
                  "vi": "{units} đơn vị, từ {start} đến {end}, {reps} lần chạy lặp, hạt giống {seed}. Mọi phương án "
                        "được mô phỏng với cùng người dân và hồ sơ (cùng chuỗi số ngẫu nhiên); chênh lệch được ghép cặp "
                        "theo lần chạy lặp, kèm khoảng tin cậy 95 %. Phương án gốc: <b>{baseline}</b>."},
    "cmp_variants": {"en": "The variants:", "vi": "Các phương án:"},
    "cmp_per_unit": {"en": "Departments and service point per unit, city-wide average (Decree 370/2025 limit 4.7 "
                           "for Hanoi): {items}",
                     "vi": "Số phòng chuyên môn và điểm phục vụ mỗi đơn vị, bình quân toàn thành phố (giới hạn của "
                           "Nghị định 370/2025 cho Hà Nội: 4,7): {items}"},
    "cmp_in_short": {"en": "Each variant in short", "vi": "Tóm tắt từng phương án"},
    "cmp_group_city": {"en": "All units", "vi": "Tất cả đơn vị"},
    "cmp_group_ward": {"en": "Wards", "vi": "Phường"},
    "cmp_group_commune": {"en": "Communes", "vi": "Xã"},
    "cmp_group_centre": {"en": "Centre branches", "vi": "Chi nhánh Trung tâm"},
    "cmp_levels": {"en": "Levels (mean [95 % CI])", "vi": "Mức (trung bình [khoảng tin cậy 95 %])"},
    "cmp_differences": {"en": "Paired difference to {baseline} [95 % CI]",
                        "vi": "Chênh lệch ghép cặp so với {baseline} [khoảng tin cậy 95 %]"},
    "cmp_movers": {"en": "Units that gain and lose most: {variant}", "vi": "Đơn vị được lợi và bị thiệt nhiều nhất: {variant}"},
    "cmp_movers_intro": {"en": "Paired change of {label} (percentage points) against the baseline, mean over "
                               "replications with its 95 % interval. A unit is listed as gaining only if the whole "
                               "interval is above 0 and as losing only if it is below 0; units whose change cannot be "
                               "told from 0, and units run exactly as in the baseline, are in neither list.",
                         "vi": "Thay đổi ghép cặp của {label} (điểm phần trăm) so với phương án gốc, trung bình các lần "
                               "chạy lặp kèm khoảng tin cậy 95 %. Một đơn vị chỉ được coi là được lợi khi cả khoảng tin "
                               "cậy nằm trên 0 và bị thiệt khi cả khoảng nằm dưới 0; đơn vị có thay đổi không phân biệt "
                               "được với 0, và đơn vị giữ nguyên như phương án gốc, không có trong danh sách nào."},
    "cmp_movers_none": {"en": "No unit gains or loses clearly.", "vi": "Không đơn vị nào được lợi hay bị thiệt rõ rệt."},
    "cmp_col_variant": {"en": "variant", "vi": "phương án"},
    "cmp_col_variant_words": {"en": "variant in words", "vi": "phương án"},
    "cmp_col_mean": {"en": "mean", "vi": "trung bình"},
    "cmp_col_low95": {"en": "95% low", "vi": "cận dưới 95 %"},
    "cmp_col_high95": {"en": "95% high", "vi": "cận trên 95 %"},
    "cmp_col_change": {"en": "change (points)", "vi": "thay đổi (điểm)"},
    "cmp_col_direction": {"en": "gains or loses", "vi": "được lợi hay bị thiệt"},
    "cmp_gains": {"en": "gains", "vi": "được lợi"},
    "cmp_loses": {"en": "loses", "vi": "bị thiệt"},
    "cmp_not_clear": {"en": "not distinguishable from 0", "vi": "không phân biệt được với 0"},
    "cmp_unchanged": {"en": "unchanged", "vi": "không đổi"},
    "cmp_group_said": {"en": "{group}: {said}", "vi": "{group}: {said}"},
    "cmp_not_available": {"en": "n/a", "vi": "không có"},
    "cmp_unit_pt": {"en": "pt", "vi": "điểm"},
    "cmp_unit_wd": {"en": "wd", "vi": "ngày làm việc"},
    "cmp_chart_title": {"en": "{label} by structure, 95 % confidence intervals",
                        "vi": "{label} theo cơ cấu, khoảng tin cậy 95 %"},
    "cmp_chart_difference_axis": {"en": "difference to the baseline ({unit})", "vi": "chênh lệch so với phương án gốc ({unit})"},
    "cmp_chart_differences": {"en": "paired differences to {baseline} (95 % CI)",
                              "vi": "chênh lệch ghép cặp so với {baseline} (khoảng tin cậy 95 %)"},
    # KPI names, as the report tables and the app's tables give them (a KPI without words here keeps its key)
    "on_time_pct": {"en": "on time (% of records processed)", "vi": "đúng hạn (% hồ sơ đã giải quyết)"},
    "abandoned_of_received_pct": {"en": "gave up at the desk (% of records received)",
                                  "vi": "bỏ về tại quầy (% hồ sơ tiếp nhận)"},
    "desk_wait_mean_min": {"en": "mean desk wait (minutes)", "vi": "thời gian chờ tại quầy trung bình (phút)"},
    "lead_time_mean_wd": {"en": "lead time, receipt to result (working days)",
                          "vi": "thời gian giải quyết, từ tiếp nhận đến trả kết quả (ngày làm việc)"},
    "in_process": {"en": "in process at the end (records)", "vi": "đang giải quyết cuối kỳ (hồ sơ)"},
    "overdue": {"en": "records late (finished late or in process past due)",
                "vi": "hồ sơ trễ hạn (giải quyết trễ hoặc đang xử lý quá hạn)"},
    "received": {"en": "records received", "vi": "hồ sơ tiếp nhận"},
    "kpi_unit_%": {"en": "%", "vi": "%"},
    "kpi_unit_records": {"en": "records", "vi": "hồ sơ"},
    "kpi_unit_working days": {"en": "working days", "vi": "ngày làm việc"},
    "kpi_unit_min": {"en": "min", "vi": "phút"},
    "kpi_unit_hours": {"en": "hours", "vi": "giờ"},
    "kpi_unit_share of session time": {"en": "share of session time", "vi": "tỷ lệ thời gian làm việc"},
    "axis_broken": {"en": "(axis broken: starts at {start}, not 0)", "vi": "(trục bị cắt: bắt đầu từ {start}, không từ 0)"},
    "cmp_page_title": {"en": "Structures compared", "vi": "So sánh cơ cấu tổ chức"},
    # short KPI labels of the comparison's tables and charts
    "cmp_on_time_of_received_pct": {"en": "on time (% of received)", "vi": "đúng hạn (% tiếp nhận)"},
    "cmp_abandoned_of_received_pct": {"en": "abandoned (% of received)", "vi": "bỏ dở (% tiếp nhận)"},
    "cmp_on_time_pct": {"en": "on time (% of processed)", "vi": "đúng hạn (% đã xử lý)"},
    "cmp_overdue": {"en": "overdue records", "vi": "hồ sơ quá hạn"},
    "cmp_desk_wait_mean_min": {"en": "mean desk wait (min)", "vi": "chờ tại quầy trung bình (phút)"},
    "cmp_desk_wait_p90_min": {"en": "90th pct desk wait (min)", "vi": "chờ tại quầy phân vị 90 (phút)"},
    "cmp_lead_time_mean_wd": {"en": "lead time (working days)", "vi": "thời gian giải quyết (ngày làm việc)"},
    "cmp_in_process": {"en": "backlog on the last day", "vi": "hồ sơ tồn ngày cuối"},
    "cmp_staff_utilisation": {"en": "staff utilisation", "vi": "mức sử dụng cán bộ"},
    "cmp_approver_utilisation": {"en": "head utilisation", "vi": "mức sử dụng lãnh đạo phòng"},
    "rests_staff.breadth_penalty": {"en": "extra officer effort per record for each further field a department "
                                          "covers: {value}",
                                    "vi": "công sức tăng thêm mỗi hồ sơ cho mỗi lĩnh vực thêm mà phòng phụ trách: {value}"},
    "rests_staff.rework.per_extra_field": {"en": "added chance a record is returned for correction, per further field "
                                                 "a department covers: {value}",
                                           "vi": "xác suất hồ sơ bị trả lại để sửa tăng thêm cho mỗi lĩnh vực thêm mà "
                                                 "phòng phụ trách: {value}"},
    "rests_staff.span.per_extra_field": {"en": "added approval time per further field a head oversees: {value}",
                                         "vi": "thời gian phê duyệt tăng thêm cho mỗi lĩnh vực thêm mà lãnh đạo phòng "
                                               "phụ trách: {value}"},
    "rests_staff.pooling": {"en": "a department's officers take any record of its fields: {value}",
                            "vi": "cán bộ của phòng xử lý mọi hồ sơ thuộc các lĩnh vực của phòng: {value}"},
    "rests_staff.borrow.share": {"en": "most of a department's officer time that may go to other departments' "
                                       "records: {value}",
                                 "vi": "tỷ lệ tối đa thời gian cán bộ của phòng dành cho hồ sơ của phòng khác: {value}"},
    "rests_staff.deputies_per_department": {"en": "deputy heads per department: {value}",
                                            "vi": "số phó trưởng phòng mỗi phòng: {value}"},
    "officers_modelled": {"en": "Processing officers today: {count} is modelled, not counted: {positions} published "
                                "positions x {share} assumed to process records.",
                          "vi": "Cán bộ xử lý hồ sơ hiện nay: {count} là số mô hình hóa, không phải số đếm: {positions} "
                                "vị trí đã công bố x {share} giả định trực tiếp xử lý hồ sơ."},
    "officers_configured": {"en": "Processing officers today: {count}, as configured (staff.rule={rule}).",
                            "vi": "Cán bộ xử lý hồ sơ hiện nay: {count}, theo cấu hình (staff.rule={rule})."},
    "ensemble_range": {"en": "Over {members} plausible parameter sets (ensemble {name}): {label} {low} to {high}"
                             "{driver}.",
                       "vi": "Trên {members} bộ tham số hợp lý (tập {name}): {label} từ {low} đến {high}{driver}."},
    # the break-even report (sim.outputs.break_even_report)
    "be_title": {"en": "Where a new department pays", "vi": "Thêm phòng có lợi ở đâu"},
    "be_intro": {"en": "{structure} ({policy}), against {baseline}, in {units} units; {parameter} from {low} to {high} "
                       "(the range is an assumption: no observation pins it).",
                 "vi": "{structure} ({policy}), so với {baseline}, tại {units} đơn vị; {parameter} từ {low} đến {high} "
                       "(khoảng này là giả định: chưa có số liệu quan sát nào xác định)."},
    "be_gains_everywhere": {"en": {"one": "Pays for every value in the range: {n} unit{names}.",
                   "other": "Pays for every value in the range: {n} units{names}."}, "count": "n",
                            "vi": "Có lợi với mọi giá trị trong khoảng: {n} đơn vị{names}."},
    "be_gains_above": {"en": {"one": "Pays above a break-even: {n} unit; break-even from {low} to {high} (median {median}){names}.",
                   "other": "Pays above a break-even: {n} units; break-even from {low} to {high} (median {median}){names}."}, "count": "n",
                       "vi": "Có lợi khi vượt ngưỡng hòa vốn: {n} đơn vị; ngưỡng từ {low} đến {high} (trung vị "
                             "{median}){names}."},
    "be_gains_below": {"en": {"one": "Pays below a break-even: {n} unit{names}.",
                   "other": "Pays below a break-even: {n} units{names}."}, "count": "n",
                       "vi": "Có lợi khi dưới ngưỡng hòa vốn: {n} đơn vị{names}."},
    "be_no_gain": {"en": {"one": "No gain anywhere in the range: {n} unit.",
                   "other": "No gain anywhere in the range: {n} units."}, "count": "n", "vi": "Không có lợi trong cả khoảng: {n} đơn vị."},
    "be_ensemble_pays": {"en": "Over {members} plausible parameter sets (ensemble {name}): {n} of {units} units pay in "
                               "at least one set, above break-evens from {low} to {high} (lowest first: {names}); "
                               "{none} pay in none.",
                         "vi": "Trên {members} bộ tham số hợp lý (tập {name}): {n}/{units} đơn vị có lợi với ít nhất "
                               "một bộ, khi vượt ngưỡng từ {low} đến {high} (thấp nhất trước: {names}); {none} đơn vị "
                               "không có lợi với bộ nào."},
    "be_ensemble_none": {"en": "Over {members} plausible parameter sets (ensemble {name}): none of the {units} units "
                               "pays in any set.",
                         "vi": "Trên {members} bộ tham số hợp lý (tập {name}): không đơn vị nào trong {units} đơn vị "
                               "có lợi với bất kỳ bộ nào."},
    "be_ensemble": {"en": "{same} of {units} units get the same verdict from every set; for {differ} it depends on "
                          "the set{names}.",
                    "vi": "{same}/{units} đơn vị có cùng kết luận với mọi bộ; {differ} đơn vị phụ thuộc vào bộ tham "
                          "số{names}."},
    "be_uncertainty": {"en": "A unit pays only where the whole 95 % interval of its paired gain over {reps} "
                             "replications is above {min_gain} {what}; each break-even's interval is in the table.",
                       "vi": "Một đơn vị chỉ được coi là có lợi khi cả khoảng tin cậy 95 % của mức lợi ghép cặp qua "
                             "{reps} lần chạy lặp lớn hơn {min_gain} {what}; khoảng của từng ngưỡng có trong bảng."},
    "be_gain_on_time": {"en": "points of on-time share", "vi": "điểm tỷ lệ đúng hạn"},
    "be_gain_overtime": {"en": "hours of overtime saved per officer a week",
                         "vi": "giờ làm thêm tiết kiệm mỗi cán bộ mỗi tuần"},
    "be_col_unit": {"en": "unit", "vi": "đơn vị"},
    "be_col_verdict": {"en": "verdict", "vi": "kết luận"},
    "be_col_theta": {"en": "break-even [interval]", "vi": "ngưỡng hòa vốn [khoảng]"},
    "be_col_change": {"en": "gain at {high} ({what})", "vi": "mức lợi tại {high} ({what})"},
    "be_verdict_gains_everywhere": {"en": "pays for every value", "vi": "có lợi với mọi giá trị"},
    "be_verdict_gains_above": {"en": "pays above the break-even", "vi": "có lợi khi vượt ngưỡng"},
    "be_verdict_gains_below": {"en": "pays below the break-even", "vi": "có lợi khi dưới ngưỡng"},
    "be_verdict_no_gain": {"en": "no gain in the range", "vi": "không có lợi trong khoảng"},
    "be_param_staff.breadth_penalty": {"en": "the breadth effect (extra officer effort per record for each further "
                                             "field a department covers)",
                                       "vi": "hiệu ứng phạm vi (công sức tăng thêm mỗi hồ sơ cho mỗi lĩnh vực thêm "
                                             "mà phòng phụ trách)"},
    "be_param_staff.rework.per_extra_field": {"en": "the added chance of a return for correction per further field",
                                              "vi": "xác suất hồ sơ bị trả lại tăng thêm cho mỗi lĩnh vực thêm"},
    "be_param_staff.borrow.share": {"en": "the share of a department's officer time that may go to other departments",
                                    "vi": "tỷ lệ thời gian cán bộ của phòng được dành hỗ trợ phòng khác"},
    # an ensemble's parameters in words (by their name in the shipped ensemble; others show their name)
    "param_effort_scale": {"en": "the officer minutes per record", "vi": "số phút cán bộ cho mỗi hồ sơ"},
    "param_other_duties": {"en": "the share of officers' time on other duties",
                           "vi": "tỷ lệ thời gian cán bộ dành cho việc khác"},
    "param_desk_rota": {"en": "the share of counter time the departments cover",
                        "vi": "tỷ lệ thời gian trực quầy do các phòng đảm nhiệm"},
    "param_procedure_share": {"en": "the share of positions who process records",
                              "vi": "tỷ lệ biên chế xử lý hồ sơ"},
    "param_framework_weight": {"en": "how far positions follow the national framework",
                               "vi": "mức biên chế phân bổ theo khung quốc gia"},
    "param_centre_design_load": {"en": "the load the Centre's branches are staffed for",
                                 "vi": "mức tải mà các chi nhánh Trung tâm được bố trí nhân sự"},
    "ensemble_driver": {"en": "; the range comes mostly from {parameter}",
                        "vi": "; khoảng này chủ yếu do {parameter}"},
    "ensemble_none": {"en": "One parameter set only, as configured (not one the evidence was checked against): "
                            "ensemble.path={name} gives the range over the shipped ensemble of plausible parameter sets.",
                      "vi": "Chỉ một bộ tham số theo cấu hình (chưa được đối chiếu với bằng chứng): ensemble.path={name} "
                            "cho khoảng giá trị trên tập bộ tham số hợp lý đi kèm."},
    "ensemble_central": {"en": "One parameter set: the central one of the {members} plausible sets of ensemble {name} "
                               "(each fits the city's reports and the staff-side evidence); ensemble.path={name} gives "
                               "the range over all of them.",
                         "vi": "Một bộ tham số: bộ ở giữa trong {members} bộ tham số hợp lý của tập {name} (mỗi bộ khớp "
                               "báo cáo của thành phố và bằng chứng về cán bộ); ensemble.path={name} cho khoảng giá trị "
                               "trên tất cả các bộ."},
    "ensemble_unknown": {"en": "One parameter set only, and its range is not known: no parameter set tried fits both the "
                               "city's reports and the staff-side evidence (docs/calibration.md, \"The ensemble\"), so the officers' "
                               "load rests on the assumptions below.",
                         "vi": "Chỉ một bộ tham số và chưa biết khoảng giá trị: chưa bộ tham số nào thử nghiệm khớp cả báo "
                               "cáo của thành phố lẫn bằng chứng về cán bộ (docs/calibration.md, \"The ensemble\"), nên tải của cán "
                               "bộ dựa trên các giả định dưới đây."},
    "r_ensemble_officers": {"en": "Over {members} plausible parameter sets (ensemble {name}) the wards and communes need "
                                  "{low} to {high} processing officers{driver}; {plan} meet the targets in every one "
                                  "(recommended_overrides_ensemble.txt).",
                            "vi": "Trên {members} bộ tham số hợp lý (tập {name}), các phường, xã cần từ {low} đến {high} "
                                  "cán bộ xử lý hồ sơ{driver}; {plan} cán bộ đạt mục tiêu trong mọi bộ "
                                  "(recommended_overrides_ensemble.txt)."},
    "r_ensemble_counters": {"en": "Over the same sets they need {low} to {high} counters{driver}; {plan} meet the "
                                  "targets in every one.",
                            "vi": "Trên cùng các bộ đó cần từ {low} đến {high} quầy{driver}; {plan} quầy đạt mục tiêu "
                                  "trong mọi bộ."},
    "staff_utilisation": {"en": "staff utilisation (share of working time)",
                          "vi": "mức sử dụng thời gian của cán bộ (tỷ lệ thời gian làm việc)"},
    "v_uncertainty": {"en": "Uncertainty: every figure is a mean over {reps} replications with its 95 % interval; "
                            "a unit counts as missing only if its whole interval is below the target.",
                      "vi": "Độ bất định: mỗi con số là trung bình của {reps} lần chạy lặp kèm khoảng tin cậy 95 %; "
                            "một đơn vị chỉ bị tính là không đạt khi cả khoảng tin cậy nằm dưới mục tiêu."},
    "v_centre": {"en": "Centre branches: {misses} of {total} miss the on-time target{uncertain}.",
                 "vi": "Chi nhánh Trung tâm: {misses}/{total} không đạt mục tiêu đúng hạn{uncertain}."},
    "map_caption_kpi": {"en": "Each unit coloured by its {label}, mean over replications; hatched grey: no value.{squares}",
                        "vi": "Mỗi đơn vị tô màu theo {label}, trung bình các lần chạy lặp; gạch chéo màu xám: không "
                              "có số liệu.{squares}"},
    "map_caption_squares": {"en": " Squares: the Centre's branches in the run, coloured the same way.",
                            "vi": " Ô vuông: các chi nhánh Trung tâm trong lần chạy, tô màu cùng thang."},
    "map_caption_change": {"en": "Each unit coloured by the paired change of its {label} under {variant} (blue: better, "
                                 "red: worse, white: no change); hatched grey: no value.",
                           "vi": "Mỗi đơn vị tô màu theo chênh lệch ghép cặp của {label} với {variant} (xanh: tốt hơn, "
                                 "đỏ: kém hơn, trắng: không đổi); gạch chéo màu xám: không có số liệu."},
    # the recommendation report (python -m sim.recommend)
    "department_load_max": {"en": "busiest department's offered load (work ÷ working time)",
                            "vi": "tải của bộ phận bận nhất (khối lượng công việc ÷ thời gian làm việc)"},
    "change_counters": {"en": "recommended change of counters (number)", "vi": "thay đổi số quầy đề xuất (quầy)"},
    "change_officers": {"en": "recommended change of processing officers (number)",
                        "vi": "thay đổi số cán bộ xử lý đề xuất (người)"},
    "counters": {"en": "counters", "vi": "quầy"},
    "officers": {"en": "processing officers", "vi": "cán bộ xử lý"},
    "rec_title": {"en": "What each unit needs: counters and officers that meet the targets",
                  "vi": "Mỗi đơn vị cần gì: số quầy và cán bộ để đạt mục tiêu"},
    "rec_intro": {"en": {"one": "{units} unit{branches}, {start} to {end}, seed {seed}; each candidate staffing is simulated on {reps} to {max_reps} replications (common random numbers).",
                   "other": "{units} units{branches}, {start} to {end}, seed {seed}; each candidate staffing is simulated on {reps} to {max_reps} replications (common random numbers)."}, "count": "units",
                  "vi": "{units} đơn vị{branches}, từ {start} đến {end}, hạt giống {seed}; mỗi phương án nhân sự được "
                        "mô phỏng {reps} đến {max_reps} lần chạy lặp (cùng chuỗi số ngẫu nhiên)."},
    "t_desk_wait_p90_min": {"en": "90th-percentile desk wait at most {value} min",
                            "vi": "thời gian chờ tại quầy phân vị 90 không quá {value} phút"},
    "t_on_time_of_received_pct": {"en": "on time at least {value} % of records received",
                                  "vi": "đúng hạn ít nhất {value} % hồ sơ tiếp nhận"},
    "t_backlog_growth": {"en": "backlog not growing (every department's offered load at most 1)",
                         "vi": "hồ sơ tồn không tăng (tải của mọi bộ phận không quá 1)"},
    "t_overtime_hours_per_officer_week": {"en": "overtime at most {value} hours per officer and week",
                                          "vi": "làm thêm giờ không quá {value} giờ mỗi cán bộ mỗi tuần"},
    "s_desk_wait_p90_min": {"en": "desk wait", "vi": "thời gian chờ"},
    "s_on_time_of_received_pct": {"en": "on time", "vi": "đúng hạn"},
    "s_backlog_growth": {"en": "backlog", "vi": "hồ sơ tồn"},
    "s_overtime_hours_per_officer_week": {"en": "overtime", "vi": "làm thêm giờ"},
    "r_targets": {"en": "Targets: {targets}; each must be met in at least {p} % of periods.",
                  "vi": "Mục tiêu: {targets}; mỗi mục tiêu phải đạt trong ít nhất {p} % số kỳ."},
    "r_today": {"en": "Today {misses} of {total} units cannot be shown to meet every target with probability at "
                      "least {p} % ({average} miss one on average); the targets not shown, by unit: {names}.",
                "vi": "Hiện nay {misses}/{total} đơn vị chưa chứng minh được đạt mọi mục tiêu với xác suất ít nhất "
                      "{p} % ({average} đơn vị không đạt tính theo trung bình); các mục tiêu chưa chứng minh được, theo đơn vị: "
                      "{names}."},
    "r_today_none": {"en": "Today every one of the {total} units meets every target with probability at least {p} %.",
                     "vi": "Hiện nay cả {total} đơn vị đều đạt mọi mục tiêu với xác suất ít nhất {p} %."},
    "r_fix": {"en": "What it takes{scope}: {counters}; {officers}.", "vi": "Cần gì{scope}: {counters}; {officers}."},
    "r_point_only": {"en": "For the configured parameter set alone (the ensemble's range is above): ",
                     "vi": "Riêng với bộ tham số đang cấu hình (khoảng trên tập bộ tham số ở trên): "},
    "r_fix_scope": {"en": {"one": " (the {n} settled unit)",
                   "other": " (the {n} settled units)"}, "count": "n", "vi": " ({n} đơn vị đã có kết luận)"},
    "r_fix_resource": {"en": "{recommended} {what} (today {current}){changes}",
                       "vi": "{recommended} {what} (hiện nay {current}){changes}"},
    "r_fix_none_settled": {"en": "{what}: no unit is settled yet (see below)",
                           "vi": "{what}: chưa đơn vị nào có kết luận (xem dưới)"},
    "r_fix_add": {"en": {"one": "{n} more in {units} unit{where}",
                   "other": "{n} more in {units} units{where}"}, "count": "units", "vi": "thêm {n} ở {units} đơn vị{where}"},
    "r_fix_remove": {"en": {"one": "{n} fewer in {units} unit{where}",
                   "other": "{n} fewer in {units} units{where}"}, "count": "units", "vi": "bớt {n} ở {units} đơn vị{where}"},
    "r_every_unit_p": {"en": "every unit", "vi": "mọi đơn vị"},
    "r_fix_not_staffed": {"en": "processing officers are not simulated in this run (no back office)",
                          "vi": "lần chạy này không mô phỏng cán bộ xử lý (không có bộ phận xử lý hồ sơ)"},
    "r_meet": {"en": "With it {meet} of {total} units meet every target with an estimated probability of at least "
                     "{p} % each (a tolerance bound over the replications, {dc} % confidence).",
               "vi": "Khi đó {meet}/{total} đơn vị đạt mọi mục tiêu với xác suất ước tính ít nhất {p} % cho mỗi mục "
                     "tiêu (cận dung sai theo các lần chạy lặp, độ tin cậy {dc} %)."},
    "r_probability": {"en": "Probability each target is met at the recommendation (share of replications; the "
                            "lowest unit): {items}.",
                      "vi": "Xác suất đạt từng mục tiêu với phương án đề xuất (tỷ lệ lần chạy lặp đạt; đơn vị thấp "
                            "nhất): {items}."},
    "r_overtime": {"en": "Overtime at the recommendation: {value} hours per officer and week [95 % interval {low}, "
                         "{high}] (today {today}); the most: {most}.",
                   "vi": "Làm thêm giờ với phương án đề xuất: {value} giờ mỗi cán bộ mỗi tuần [khoảng tin cậy 95 %: "
                         "{low} – {high}] (hiện nay {today}); nhiều nhất: {most}."},
    "r_out_of_reach": {"en": {"one": "{n} unit cannot reach a target with more counters or officers ({factor} times every count still misses it, or one more brought it no measurable step closer); its counts are the last tried: {names}.",
                   "other": "{n} units cannot reach a target with more counters or officers ({factor} times every count still misses it, or one more brought it no measurable step closer); their counts are the last tried: {names}."}, "count": "n",
                       "vi": "{n} đơn vị không thể đạt một mục tiêu bằng cách thêm quầy hay cán bộ (gấp {factor} lần "
                             "mọi số vẫn không đạt, hoặc thêm một không cải thiện đo được); số của chúng là phương án "
                             "thử cuối cùng: {names}."},
    "r_reach_value": {"en": "{target} {value} with {factor} times every count",
                      "vi": "{target} {value} khi gấp {factor} lần mọi số"},
    "r_not_settled": {"en": {"one": "{n} unit is not settled (replications or rounds ran out, or a resource reached its ceiling); its counts are the last tried: {names}.",
                   "other": "{n} units are not settled (replications or rounds ran out, or a resource reached its ceiling); their counts are the last tried: {names}."}, "count": "n",
                      "vi": "{n} đơn vị chưa có kết luận (hết lần chạy lặp hoặc vòng, hoặc chạm mức tối đa); số "
                            "của chúng là phương án thử cuối cùng: {names}."},
    "r_structures": {"en": {"one": "{gaining} unit finishes clearly more records on time with an extra department (at the recommended counts); within Decree 370's average of {limit} organisations per unit (today {before}) the plan gives one to {chosen} of them (average {after}).",
                   "other": "{gaining} units finish clearly more records on time with an extra department (at the recommended counts); within Decree 370's average of {limit} organisations per unit (today {before}) the plan gives one to {chosen} of them (average {after})."}, "count": "gaining",
                     "vi": "{gaining} đơn vị giải quyết đúng hạn nhiều hồ sơ hơn rõ rệt khi có thêm một phòng (với "
                           "số đề xuất); trong giới hạn bình quân {limit} tổ chức mỗi đơn vị của Nghị định 370 "
                           "(hiện nay {before}), phương án dành thêm phòng cho {chosen} đơn vị (bình quân {after})."},
    "r_nothing_changes": {"en": "no change", "vi": "không đổi"},
    "map_title_rec_change": {"en": "{label}, by unit", "vi": "{label}, theo đơn vị"},
    "map_caption_rec_change": {"en": "Each unit coloured by the recommended change of its {what}, summed over its "
                                     "{parts} (blue: more, red: fewer, white: no change); hatched grey: not in this "
                                     "run. Named: the units that change most.",
                               "vi": "Mỗi đơn vị tô màu theo thay đổi đề xuất về {what}, cộng trên các {parts} (xanh: "
                                     "thêm, đỏ: bớt, trắng: không đổi); gạch chéo màu xám: không có trong lần chạy. "
                                     "Có ghi tên: các đơn vị thay đổi nhiều nhất."},
    "parts_counters": {"en": "counter groups", "vi": "nhóm quầy"},
    "parts_officers": {"en": "departments", "vi": "bộ phận"},
    "map_title_rec_kpi": {"en": "Today: {label}, by unit", "vi": "Hiện nay: {label}, theo đơn vị"},
    "map_caption_rec_kpi": {"en": "Each unit coloured by today's {label}, mean over replications: the target that "
                                  "most units miss today ({misses} of {total}; target {target}, the line on the "
                                  "colour bar); hatched grey: not in this run. Named: the units that miss it.",
                            "vi": "Mỗi đơn vị tô màu theo {label} hiện nay, trung bình các lần chạy lặp: mục tiêu "
                                  "nhiều đơn vị không đạt nhất ({misses}/{total}; mục tiêu {target}, vạch trên thang "
                                  "màu); gạch chéo màu xám: không có trong lần chạy. Có ghi tên: các đơn vị không đạt."},
    "r_changes": {"en": "Units whose counts change ({n} of {total})", "vi": "Đơn vị thay đổi số quầy, cán bộ ({n}/{total})"},
    "r_every_unit": {"en": "Every unit, today and at the recommendation (P: the probability each target is met "
                           "at the recommendation)",
                     "vi": "Tất cả đơn vị, hiện nay và với phương án đề xuất (P: xác suất đạt từng mục tiêu với "
                           "phương án đề xuất)"},
    "column_today_of": {"en": "{label}, today", "vi": "{label}, hiện nay"},
    "column_recommended_of": {"en": "{label}, recommended", "vi": "{label}, đề xuất"},
    "r_method": {"en": "How it was made", "vi": "Cách tính"},
    "r_method_text": {"en": "Screening (no simulation): per counter group the smallest number of counters whose "
                            "Erlang C 90th-percentile wait in the busiest hour meets the wait target, per department "
                            "the fewest officers whose expected offered load is at most {screen_load}; {screen_s} s. "
                            "Then simulation: {simulated} unit-replications in {rounds} rounds, {simulation_s} s. "
                            "A unit's staffing is accepted when a one-sided normal tolerance bound over its "
                            "replications says that one period meets each target with probability at least {p} %, "
                            "with {dc} % confidence; it then gives up counters and officers one at a time while that "
                            "still holds. The probability shown is the share of the replications that meet the target.",
                      "vi": "Sàng lọc (không mô phỏng): mỗi nhóm quầy lấy số quầy nhỏ nhất mà thời gian chờ phân vị "
                            "90 theo Erlang C trong giờ đông nhất đạt mục tiêu, mỗi bộ phận lấy số cán bộ ít nhất mà "
                            "tải dự kiến không quá {screen_load}; {screen_s} giây. Sau đó mô phỏng: {simulated} lần "
                            "chạy đơn vị trong {rounds} vòng, {simulation_s} giây. Một phương án được chấp nhận khi "
                            "cận dung sai chuẩn một phía theo các lần chạy lặp cho thấy một kỳ đạt từng mục tiêu với "
                            "xác suất ít nhất {p} %, độ tin cậy {dc} %; sau đó bớt từng quầy, từng cán bộ khi điều đó "
                            "vẫn đúng. Xác suất hiển thị là tỷ lệ lần chạy lặp đạt mục tiêu."},
    "r_plans_heading": {"en": "Three city plans within Decree 370's average", "vi": "Ba phương án toàn thành phố trong giới hạn bình quân của Nghị định 370"},
    "r_plans_note": {"en": "By gain: units whose gain is clear, best gain per added department first. By class: wards "
                           "by their Decree 307 class (special, I, II, III; population and area scored, the other "
                           "criteria assumed). By population: the largest wards above the threshold. Positions: "
                           "officers, heads and deputies added. Gain: change of the on-time share over the units "
                           "of the run (percentage points, 95 % interval), each unit weighted by its records received.",
                     "vi": "Theo hiệu quả: đơn vị có mức tăng rõ rệt, ưu tiên mức tăng lớn nhất trên mỗi phòng thêm. "
                           "Theo loại: phường theo loại của Nghị định 307 (đặc biệt, I, II, III; tính điểm dân số và "
                           "diện tích, các tiêu chí khác là giả định). Theo dân số: các phường đông dân nhất trên "
                           "ngưỡng. Biên chế: số công chức, trưởng phòng và phó phòng tăng thêm. Mức tăng: thay đổi tỷ "
                           "lệ đúng hạn trên các đơn vị của lần chạy (điểm phần trăm, khoảng tin cậy 95 %), mỗi đơn vị "
                           "theo số hồ sơ tiếp nhận."},
    "r_plans": {"en": "Three city plans within the cap (units, departments and positions added, on-time change in "
                      "points over the run's units with its 95 % interval): {items}.",
                "vi": "Ba phương án trong giới hạn (số đơn vị, số phòng và biên chế tăng thêm, thay đổi tỷ lệ đúng "
                      "hạn trên các đơn vị của lần chạy, điểm phần trăm, khoảng tin cậy 95 %): {items}."},
    "r_plan_item": {"en": {"one": "{plan}: {units} unit, +{departments} departments, +{positions} positions, {gain}",
                   "other": "{plan}: {units} units, +{departments} departments, +{positions} positions, {gain}"}, "count": "units",
                    "vi": "{plan}: {units} đơn vị, +{departments} phòng, +{positions} biên chế, {gain}"},
    "plan_gain": {"en": "by gain", "vi": "theo hiệu quả"},
    "plan_class": {"en": "by Decree 307 class", "vi": "theo loại (Nghị định 307)"},
    "plan_population": {"en": "by population", "vi": "theo dân số"},
    "column_plan": {"en": "plan", "vi": "phương án"},
    "column_plan_units": {"en": "units", "vi": "số đơn vị"},
    "column_plan_departments": {"en": "departments added", "vi": "số phòng thêm"},
    "column_plan_average": {"en": "organisations per unit / cap", "vi": "tổ chức mỗi đơn vị / giới hạn"},
    "column_plan_positions": {"en": "positions added", "vi": "biên chế tăng thêm"},
    "column_plan_gain": {"en": "on-time change (points)", "vi": "thay đổi tỷ lệ đúng hạn (điểm)"},
    "r_structures_heading": {"en": "Units given an extra department ({n})", "vi": "Đơn vị được thêm một phòng ({n})"},
    "column_resource": {"en": "resource", "vi": "nguồn lực"},
    "column_part": {"en": "counter group or department", "vi": "nhóm quầy hoặc bộ phận"},
    "column_today": {"en": "today", "vi": "hiện nay"},
    "column_recommended": {"en": "recommended", "vi": "đề xuất"},
    "column_change": {"en": "change", "vi": "thay đổi"},
    "column_today_meets": {"en": "today: meets every target", "vi": "hiện nay: đạt mọi mục tiêu"},
    "column_meets": {"en": "recommended: meets every target", "vi": "đề xuất: đạt mọi mục tiêu"},
    "column_counters": {"en": "counters today → recommended", "vi": "quầy hiện nay → đề xuất"},
    "column_officers": {"en": "officers today → recommended", "vi": "cán bộ hiện nay → đề xuất"},
    "column_probability": {"en": "P({target})", "vi": "P({target})"},
    "column_search": {"en": "search", "vi": "kết quả tìm"},
    "yes": {"en": "yes", "vi": "có"},
    "no": {"en": "no", "vi": "không"},
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


# The terms only the recommendation report uses (python -m sim.recommend), with the GLOSSARY terms it
# shares (RECOMMEND_SHARED_TERMS): each defined once on its page.
RECOMMEND_SHARED_TERMS = ("unit", "branch", "on_time", "wait", "replication", "interval", "overtime")
RECOMMEND_GLOSSARY: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "counter": ("counter", "a reception desk where citizens hand in and collect records; with counter groups "
                               "(desks.groups) each group serves its own fields"),
        "officer": ("processing officer", "an officer of a department who works on records after reception (the "
                                          "department's heads and deputies are counted apart)"),
        "rec_target": ("target", "what every unit must reach in one period, set in recommend.targets (a planner's "
                                 "choice, not a published norm)"),
        "load": ("offered load", "the work that reached a department divided by its officers' working time, "
                                 "overtime included; above 1 its backlog grows"),
        "probability": ("probability met", "the share of the replications in which a unit meets the target"),
        "accepted": ("meets every target", "a one-sided normal tolerance bound over the replications says one "
                                           "period meets each target with at least the stated probability "
                                           "(recommend.confidence), with the stated confidence "
                                           "(recommend.decision_confidence)"),
        "screening": ("screening", "the first guess, without simulation: Erlang C (M/M/c) for counters, expected "
                                   "offered load for officers"),
        "change": ("recommended change", "the recommended count minus today's, summed over a unit's counter groups "
                                         "or departments"),
        "crn": ("common random numbers", "every candidate staffing of a unit is simulated with the same citizens "
                                         "and records, so differences come from the staffing alone"),
        "out_of_reach": ("out of reach / not settled", "out of reach: one more counter or officer brought a target "
                         "no measurable step closer; not settled: replications or rounds ran out first"),
    },
    "vi": {
        "counter": ("quầy", "quầy tiếp nhận và trả kết quả hồ sơ; khi chia nhóm quầy (desks.groups) mỗi nhóm phục "
                            "vụ các lĩnh vực riêng"),
        "officer": ("cán bộ xử lý", "cán bộ của bộ phận giải quyết hồ sơ sau khi tiếp nhận (lãnh đạo và cấp phó "
                                    "bộ phận tính riêng)"),
        "rec_target": ("mục tiêu", "điều mọi đơn vị phải đạt trong một kỳ, đặt trong recommend.targets (lựa chọn "
                                   "của người lập kế hoạch, không phải chuẩn đã công bố)"),
        "load": ("tải", "khối lượng công việc đến một bộ phận chia cho thời gian làm việc của cán bộ, kể cả làm "
                        "thêm giờ; trên 1 thì hồ sơ tồn tăng"),
        "probability": ("xác suất đạt", "tỷ lệ lần chạy lặp mà đơn vị đạt mục tiêu"),
        "accepted": ("đạt mọi mục tiêu", "cận dung sai chuẩn một phía theo các lần chạy lặp cho thấy một kỳ đạt "
                                         "từng mục tiêu với xác suất ít nhất bằng mức nêu (recommend.confidence), "
                                         "với độ tin cậy nêu (recommend.decision_confidence)"),
        "screening": ("sàng lọc", "ước lượng ban đầu, không mô phỏng: Erlang C (M/M/c) cho quầy, tải dự kiến cho "
                                  "cán bộ"),
        "change": ("thay đổi đề xuất", "số đề xuất trừ số hiện nay, cộng trên các nhóm quầy hoặc bộ phận của đơn vị"),
        "crn": ("cùng chuỗi số ngẫu nhiên", "mọi phương án nhân sự của một đơn vị được mô phỏng với cùng người dân "
                                           "và hồ sơ, nên chênh lệch chỉ do nhân sự"),
        "out_of_reach": ("không thể đạt / chưa có kết luận", "không thể đạt: thêm một quầy hay cán bộ không cải "
                         "thiện đo được; chưa có kết luận: hết lần chạy lặp hoặc vòng trước khi quyết định"),
    },
}


def _form(key: str, language: str, fields: dict) -> str:
    """The phrase ``key`` in ``language`` (English where it has no translation). A phrase that counts
    something holds its CLDR plural forms ({"one": ..., "other": ...}) and names its count field in
    ``"count"``; Babel's plural rule of the language picks the form. Vietnamese nouns do not change with
    the count: its forms are plain strings."""
    forms = TEXTS[key]
    form = forms.get(language, forms["en"])
    if isinstance(form, dict):
        category = Locale.parse(language).plural_form(abs(int(fields[forms["count"]])))
        form = form.get(category, form["other"])
    return form


def text(key: str, language: str, **fields) -> str:
    """The phrase ``key`` in ``language``, fields filled in, as plain text (figures, sheets, console)."""
    return _form(key, language, fields).format(**fields)


def markup(key: str, language: str, **fields) -> Markup:
    """The phrase ``key`` for an HTML page: the phrase's own markup (``<b>``) kept, every field escaped
    unless it is already :class:`~markupsafe.Markup`."""
    return Markup(_form(key, language, fields)).format(**fields)


def number(value: float, language: str, digits: int = 1, signed: bool = False) -> str:
    """A number as the language writes it (Babel): 1,234.5 in English, 1.234,5 in Vietnamese."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(float(value), pattern, locale=language)


def parameter_words(name: str, language: str) -> str:
    """An ensemble parameter in words (``param_NAME``), or its name where it has none."""
    key = f"param_{name}"
    return text(key, language) if key in TEXTS else name


def plain(value: float, language: str) -> str:
    """A setting as written, without trailing zeros (95, 99.9), with the language's decimal mark."""
    return format_decimal(float(f"{float(value):g}"), "0.######", locale=language)
