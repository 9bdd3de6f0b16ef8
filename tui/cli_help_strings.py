"""The command line's help texts for arguments and commands (vi, en); ``main()`` registers them
beside ``CLI``."""

from __future__ import annotations

from hoctap.models.i18n import Strings

CLI_HELP = Strings("cli_help", {
    "help.epilog": ("Không có lệnh nào thì hoctap mở giao diện toàn màn hình (TUI).\n"
                    "Ngôn ngữ: --lang vi|en, hoặc lang = \"vi\" trong tệp cấu hình (mặc định theo locale của máy).\n"
                    "Xem hướng dẫn của từng lệnh: hoctap LỆNH --help",
                    "With no command, hoctap opens the full-screen interface (TUI).\n"
                    "Language: --lang vi|en, or lang = \"en\" in the config file (default: the machine's locale).\n"
                    "Help on one command: hoctap COMMAND --help"),
    "help.status_epilog": ("Mã thoát (cho các tập lệnh):\n"
                           "  0  đạt mức được xét\n"
                           "  1  chưa đạt mức được xét\n"
                           "  2  lỗi (tham số sai, không có đơn vị hay năm, cơ sở dữ liệu không mở được)",
                           "Exit codes (for scripts):\n"
                           "  0  the level is met\n"
                           "  1  the level is not met\n"
                           "  2  an error (a bad argument, no such unit or year, the database cannot be opened)"),
    "help.cli_command": ("lệnh cần chạy (bỏ trống: mở giao diện)", "the command to run (none: open the interface)"),
    "help.cli_action": ("việc cần làm", "what to do"),
    "help.unit_code": ("mã đơn vị", "the unit's code"),
    "help.year": ("năm đánh giá, ví dụ 2025", "the assessment year, e.g. 2025"),
    "help.new_code": ("mã của đơn vị mới, ví dụ LQD", "the new unit's code, e.g. LQD"),
    "help.name": ("tên đơn vị", "the unit's name"),
    "help.tier": ("cấp đánh giá: district (cấp huyện) hoặc provincial (cấp tỉnh)",
                  "the assessing tier: district or provincial"),
    "help.limit": ("số lô nhiều nhất được in (mặc định 50)", "at most this many lines (default 50)"),
    "help.log_unit": ("chỉ các lô của đơn vị này (cần cả --year)", "only this unit's batches (needs --year too)"),
    "help.log_year": ("năm đánh giá của --unit", "the year of --unit"),
    "help.status_level": ("mức được xét (mặc định: mức đề nghị của đợt đánh giá)",
                          "the level to judge (default: the level the assessment seeks)"),
    "help.export_level": ("mức của hồ sơ (mặc định: mức đề nghị của đợt đánh giá)",
                          "the dossier's level (default: the level the assessment seeks)"),
    "help.import_file": ("tệp danh sách .csv hoặc .xlsx", "the roster file, .csv or .xlsx"),
    "help.report_file": ("tệp .xlsx sẽ ghi", "the .xlsx file to write"),
    "help.roster_file": ("tệp .csv hoặc .xlsx sẽ ghi", "the .csv or .xlsx file to write"),
    "help.bundle_out": ("tệp .toml sẽ ghi", "the .toml file to write"),
    "help.bundle_in": ("tệp .toml cần nạp", "the .toml file to load"),
    "help.catalog_id": ("mã bộ tiêu chí (xem: hoctap catalog list)", "the catalog's id (see: hoctap catalog list)"),
    "help.catalog_file": ("tệp .toml của bộ tiêu chí", "the catalog's .toml file"),
    "help.entries": ("chỉ tiêu và giá trị, ví dụ C1.1=có", "an entry and its value, e.g. C1.1=yes"),
    "help.facts": ("dữ kiện hoặc trường và giá trị, ví dụ digital_training=có, birth_year=1990",
                   "a fact or a person field and its value, e.g. digital_training=yes, birth_year=1990"),
    "help.undo_batch": ("số lô cần hoàn tác (mặc định: lô cuối cùng còn hoàn tác được)",
                        "the batch to undo (default: the last one that can be undone)"),
})

CLI_SET = Strings("cli_set", {
    "cli.yes_no": ("có/không", "yes/no"),
    "cli.person_column": ("{field} là thông tin cá nhân trong danh sách, lệnh set không đổi được: "
                          "sửa ở danh sách người trong giao diện, hoặc nhập lại tệp danh sách có cột này. "
                          "Lệnh set đặt được: {facts}",
                          "{field} is a person column, not a fact, and set does not change it: edit it on the "
                          "roster in the interface, or import a roster file with that column. set can set: {facts}"),
    "cli.unknown_fact": ("không có thông tin nào tên {name!r}; lệnh set đặt được: {facts}",
                         "no fact named {name!r}; set can set: {facts}"),
})


# the placeholders of arguments (metavars) in help and usage, word by word (argparse_i18n.placeholder);
# English keeps argparse's own
CLI_METAVARS = Strings("cli_metavars", {f"metavar.{en}": (vi, en) for en, vi in {
    "ACTION": "VIỆC", "BATCH": "LÔ", "BY": "NGƯỜI_NHẬN", "CHANNEL": "HÌNH_THỨC", "CODE": "MÃ", "COMMAND": "LỆNH",
    "COUNT": "SỐ_ĐẠT", "CRITERION": "TIÊU_CHÍ", "DATE": "NGÀY", "DB": "ĐỊA_CHỈ_CSDL", "DIR": "THƯ_MỤC",
    "DOCUMENTS": "VĂN_BẢN", "ENTRY": "CHỈ_TIÊU", "EVIDENCE": "MINH_CHỨNG", "FACT": "THÔNG_TIN",
    "FIELD": "TRƯỜNG", "FILE": "TỆP", "FROM_YEAR": "TỪ_NĂM", "FULL_NAME": "HỌ_TÊN", "HOST": "MÁY_CHỦ",
    "ID": "MÃ_SỐ", "ISSUER": "NƠI_BAN_HÀNH", "N": "SỐ", "NAME": "TÊN", "NEW_CODE": "MÃ_MỚI",
    "NOTE": "GHI_CHÚ", "NUMBER": "SỐ_KÝ_HIỆU", "OUT": "TỆP_GHI", "PORT": "CỔNG", "POSITION": "CHỨC_VỤ",
    "ROLE": "VAI_TRÒ", "SECTION": "PHẦN", "TEXT": "NỘI_DUNG", "TITLE": "TIÊU_ĐỀ", "TO": "VỊ_TRÍ_MỚI",
    "TO_YEAR": "ĐẾN_NĂM", "TYPES": "LOẠI_HÌNH", "VALUE": "GIÁ_TRỊ", "YEAR": "NĂM",
    "YYYY": "NĂM", "MM": "THÁNG", "DD": "NGÀY",
}.items()})


# counts, each with its English singular under KEY.one (Vietnamese has one form), which tr() picks
# when n is 1: "1 person added"
CLI_COUNTS = Strings("cli_counts", {
    "cli.n_rows": ("{n} dòng", "{n} rows"),
    "cli.n_rows.one": ("{n} dòng", "{n} row"),
    "cli.n_added": ("thêm {n} người", "{n} people added"),
    "cli.n_added.one": ("thêm {n} người", "{n} person added"),
    "cli.n_updated": ("cập nhật {n} người", "{n} updated"),
    "cli.n_enrolled": ("đưa {n} người vào danh sách", "{n} enrolled"),
    "cli.n_facts": ("đổi {n} giá trị", "{n} values changed"),
    "cli.n_facts.one": ("đổi {n} giá trị", "{n} value changed"),
    "cli.n_values": ("{n} giá trị", "{n} values"),
    "cli.n_values.one": ("{n} giá trị", "{n} value"),
    "cli.n_people": ("{n} người", "{n} people"),
    "cli.n_people.one": ("{n} người", "{n} person"),
    "cli.n_problems": ("{n} lỗi", "{n} problems"),
    "cli.n_problems.one": ("{n} lỗi", "{n} problem"),
    "cli.n_changes": ("{n} thay đổi", "{n} changes"),
    "cli.n_changes.one": ("{n} thay đổi", "{n} change"),
    "cli.more_lines": ("… còn {n} dòng nữa (--limit để xem thêm)", "… {n} more (--limit shows more)"),
})
