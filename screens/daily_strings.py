"""Screen words added for daily use (issue 14): score checks, asking before undo, moving between
entries, failing entries and columns, hidden selections, moving between roster columns,
switching language."""

from __future__ import annotations

from hoctap.models.i18n import Strings

DAILY = Strings("daily", {
    "lc.out_of_range": ("ô {cells}: điểm phải từ {low} đến {high}", "cell {cells}: a score must be {low} to {high}"),
    "log.undo_ask": ("Hoàn tác lô #{batch} ({when}): {what}?", "Undo batch #{batch} ({when}): {what}?"),
    "check.key.down": ("Sang chỉ tiêu sau", "Next entry"),
    "check.key.up": ("Về chỉ tiêu trước", "Previous entry"),
    "check.key.tab": ("Sang ô kế tiếp: giá trị → minh chứng → văn bản", "Next field: value → evidence → documents"),
    "check.key.register": ("Thêm vào danh mục minh chứng", "Add to the evidence register"),
    "check.registered": ("Chỉ tiêu {entry} có minh chứng: {codes}", "Entry {entry} is supported by: {codes}"),
    "check.key.enter": ("Lưu minh chứng, văn bản (rời ô cũng tự lưu)",
                        "Save evidence and documents (leaving the field saves too)"),
    "dash.key.next_failing": ("Chỉ tiêu chưa đạt tiếp theo", "Next failing entry"),
    "dash.key.previous_failing": ("Chỉ tiêu chưa đạt trước đó", "Previous failing entry"),
    "dash.none_failing": ("Mọi chỉ tiêu đều đạt", "Every entry is met"),
    "roster.selected_hidden": ("({n} người đã chọn không hiện do bộ lọc/tìm kiếm)",
                               "({n} of them hidden by the filter or search)"),
    "roster.pick.hidden": ("Lưu ý: {n} người trong số này không hiện trong danh sách đang lọc.",
                           "Note: {n} of them are not shown by the current filter."),
    "cmd.palette_search": ("Tìm lệnh…", "Search for commands…"),
    "cmd.screenshot_saved": ("Đã lưu ảnh màn hình", "Screenshot saved"),
    "cmd.screenshot_saved_to": ("Đã lưu ảnh màn hình vào {path}", "Screenshot saved to {path}"),
    "cmd.screenshot_failed": ("Không lưu được ảnh màn hình", "Could not save the screenshot"),
    "export.overwrite": ("Đã có tệp {name} trong {folder}. Ghi đè lên tệp cũ?",
                         "{name} already exists in {folder}. Replace it?"),
    "export.saved_in": ("Đã lưu tệp {name}\ntrong thư mục {folder}", "Saved {name}\nin the folder {folder}"),
    "dash.computing": ("Đang tính các chỉ tiêu mức {level}…", "Computing the level {level} meters…"),
    # the key's label names the language it switches to, in that language
    "key.language": ("English (giao diện tiếng Anh)", "Tiếng Việt (Vietnamese)"),
    "start.language": ("{key}: English — switch the interface to English",
                       "{key}: Tiếng Việt — chuyển giao diện sang tiếng Việt"),
    "lang.switched": ("Đã chuyển giao diện sang tiếng Việt", "The interface is now in English"),
    "lang.close_form_first": ("Xong việc đang làm (biểu mẫu, ô đang gõ, lệnh đang ghi) rồi hãy đổi ngôn ngữ",
                              "Finish what is under way (a form, a field being typed, a write) before switching the language"),
    "roster.key.column_right": ("Sang cột bên phải", "Next column"),
    "roster.key.column_left": ("Về cột bên trái", "Previous column"),
    "roster.key.first_column": ("Cột đầu tiên", "First column"),
    "roster.key.last_column": ("Cột cuối cùng", "Last column"),
    "roster.key.go_to_column": ("Đến cột", "Go to column"),
    "roster.goto.title": ("Đến cột (gõ tên cột, Enter)", "Go to column (type its name, Enter)"),
    "roster.goto.placeholder": ("Tên cột, gõ không dấu cũng được", "Column name"),
    "roster.goto.none": ("Không có cột nào khớp", "No column matches"),
    "roster.goto.down": ("Cột khớp tiếp theo", "Next match"),
    "roster.goto.up": ("Cột khớp trước đó", "Previous match"),
    # end of table
})
