"""Words of the receiving office's commands (tui/cli_office.py): plain data, registered by
``cli.main`` beside ``CLI``."""

from __future__ import annotations

from hoctap.models.i18n import Strings

OFFICE_CLI = Strings("cli_office", {
    "help.bundle_source": ("tệp chuyển giao, hoặc thư mục: nạp mọi tệp *.toml trong đó",
                           "a transfer file, or a folder: loads every *.toml file in it"),
    "help.replace": ("thay dữ liệu năm đó của đơn vị đã có bằng dữ liệu trong tệp (hoàn tác được)",
                     "swap a unit/year already here for the file's data (undoable)"),
    "cli.collecting": ("Đang nạp", "Collecting"),
    "cli.collect_in": ("✓ {file}: {code} năm {year}, {n} người, {entries} chỉ tiêu đơn vị{replaced}",
                       "✓ {file}: {code} {year}, {n} people, {entries} unit entries{replaced}"),
    "cli.collect_replaced": (" (đã thay dữ liệu cũ)", " (replaced the old data)"),
    "cli.collect_refused": ("✗ {file}: {reason}: {message}", "✗ {file}: {reason}: {message}"),
    "cli.collect_total": ("{ok} tệp đã nhập, {refused} tệp bị từ chối", "{ok} file(s) came in, {refused} refused"),
    "cli.collect_hint": ("Đơn vị đã có dữ liệu năm đó: chạy lại với --replace để thay",
                         "A unit/year already here: run again with --replace to swap its data"),
    "cli.collect_empty": ("{path}: không có tệp *.toml nào", "{path}: no *.toml file in it"),
    "cli.bad_date": ("ngày không hợp lệ: {value!r} (dạng NNNN-TT-NN, ví dụ 2025-03-15)",
                     "not a valid date: {value!r} (YYYY-MM-DD, e.g. 2025-03-15)"),
    "help.recognition": ("các quyết định công nhận Đơn vị học tập", "Learning Unit recognition decisions"),
    "help.recognition_add": ("ghi một quyết định công nhận (hoàn tác được)", "record a recognition decision (undoable)"),
    "help.recognition_list": ("các quyết định, công nhận còn hiệu lực, thời hạn và quyền đề nghị Mức 2",
                              "the decisions, the recognition in force, until when it is kept and whether Level 2 may be sought"),
    "help.rec_unit": ("mã đơn vị", "the unit's code"),
    "help.rec_level": ("mức được công nhận (1 hoặc 2)", "the level recognised (1 or 2)"),
    "help.rec_year": ("năm công nhận", "the year of recognition"),
    "help.rec_number": ("số quyết định", "the decision number"),
    "help.rec_date": ("ngày ký quyết định", "the date of the decision"),
    "help.rec_issuer": ("cơ quan ban hành", "the issuing body"),
    "help.rec_list_unit": ("chỉ đơn vị này (mặc định: mọi đơn vị đã có quyết định)",
                           "only this unit (default: every unit with a decision)"),
    "help.rec_on": ("xét vào ngày này (mặc định: hôm nay)", "as on this day (default: today)"),
    "cli.rec_added": ("Đã ghi quyết định công nhận {code} mức {level} năm {year} (lô #{batch})",
                      "Recorded the recognition of {code} at level {level} in {year} (batch #{batch})"),
    "rec.col.level": ("Mức", "Level"),
    "rec.col.year": ("Năm công nhận", "Year recognised"),
    "rec.col.decision": ("Quyết định số (ngày)", "Decision no. (date)"),
    "rec.col.issuer": ("Cơ quan ban hành", "Issued by"),
    "rec.col.kept_until": ("Giữ đến", "Kept until"),
    "rec.col.in_force": ("Còn hiệu lực", "In force"),
    "rec.col.level2_from": ("Đề nghị Mức 2 từ", "Level 2 from"),
    "rec.col.warnings": ("Cảnh báo", "Warnings"),
})
