"""Words of the receiving office's core: collecting a folder, recognition history, new year."""

from __future__ import annotations

from hoctap.models.i18n import Strings

COLLECT = Strings("collect", {
    "collect.total": ("{n} tệp đã nhập, {refused} tệp bị từ chối", "{n} files came in, {refused} refused"),
    "collect.total.one": ("{n} tệp đã nhập, {refused} tệp bị từ chối", "{n} file came in, {refused} refused"),
    "collect.reason.damaged": ("tệp hỏng", "damaged file"),
    "collect.reason.foreign": ("không phải tệp chuyển dữ liệu", "not a transfer file"),
    "collect.reason.catalog": ("khác bộ tiêu chí", "another catalog version"),
    "collect.reason.conflict": ("đơn vị không khớp", "conflicting unit"),
    "collect.reason.present": ("đã có dữ liệu năm này", "unit/year already present"),
    "rollover.unknown_fact": ("không chép được thông tin {name!r} (chép được: {known})",
                              "{name!r} cannot be carried over (these can: {known})"),
    "rollover.backwards": ("năm mới {to} phải sau năm {src}", "the new year {to} must come after {src}"),
    "rollover.no_source": ("không có đợt đánh giá năm {year}", "no assessment in {year}"),
    "rollover.started": ("năm {year} đã có danh sách", "{year} already has a roster"),
    "summary.rollover": ("năm mới {code}: {n} người từ {src} sang {to}", "new year {code}: {n} people from {src} to {to}"),
    "summary.rollover.one": ("năm mới {code}: {n} người từ {src} sang {to}", "new year {code}: {n} person from {src} to {to}"),
})

RECOGNITION = Strings("recognition", {
    "summary.recognition": ("quyết định công nhận {code} mức {level} năm {year} (số {no})",
                            "recognition of {code} at level {level} in {year} (no. {no})"),
    "recog.bad_rules": ("{path}: quy định công nhận không đọc được: {error}", "{path}: the recognition rules cannot be read: {error}"),
    "recog.exists": ("{code} đã có quyết định công nhận mức {level} năm {year}",
                     "{code} already has a level {level} recognition for {year}"),
    "recog.date_before_year": ("ngày quyết định {date} trước năm công nhận {year}",
                               "the decision date {date} is before the year of recognition {year}"),
    "recog.date_future": ("ngày quyết định {date} chưa tới: chỉ ghi quyết định đã ký",
                          "the decision date {date} is still to come: record a decision once it is signed"),
    "recog.lapsed": ("công nhận đã hết hạn ngày {until}", "the recognition lapsed on {until}"),
    "recog.lapses": ("công nhận hết hạn ngày {until} (trong năm nay)", "the recognition lapses on {until} (this year)"),
    "recog.level2_early": ("đề nghị Mức 2 quá sớm: chỉ được từ ngày {since}",
                           "Level 2 requested too early: allowed from {since}"),
    "recog.level2_no_level1": ("đề nghị Mức 2 nhưng chưa có quyết định công nhận Mức 1 còn hiệu lực",
                               "Level 2 requested without a Level 1 recognition in force"),
    "recog.rules": ("Quy định: {kept}; {after}", "Rules: {kept}; {after}"),
    "recog.rules_kept": ("công nhận giữ {n} năm sau năm công nhận", "a recognition is kept for the {n} years following its year"),
    "recog.rules_kept.one": ("công nhận giữ {n} năm sau năm công nhận", "a recognition is kept for the {n} year following its year"),
    "recog.rules_after": ("đề nghị Mức 2 sau quyết định Mức 1 ít nhất {n} năm",
                          "Level 2 at least {n} years after the Level 1 decision"),
    "recog.rules_after.one": ("đề nghị Mức 2 sau quyết định Mức 1 ít nhất {n} năm",
                              "Level 2 at least {n} year after the Level 1 decision"),
})
