"""UI strings of the roster screens (vi, en)."""

from __future__ import annotations

from models.i18n import add

add({
    # columns
    "roster.col.code": ("Mã", "Code"),
    "roster.col.full_name": ("Họ và tên", "Full name"),
    "roster.col.kind": ("Đối tượng", "Kind"),
    "roster.col.department": ("Phòng ban/Lớp", "Department"),
    "roster.fact.discipline": ("Kỷ luật", "Discipline"),
    "roster.fact.required_training": ("Bồi dưỡng", "Training"),
    "roster.fact.digital_training": ("CĐS", "Digital"),
    "roster.fact.language_cert": ("Ngoại ngữ", "Language"),
    "roster.fact.emulation_title": ("Danh hiệu", "Emulation"),
    "roster.fact.learning_citizen": ("CDHT", "LC recorded"),
    "roster.fact.lc_group": ("Nhóm", "Group"),
    "roster.fact.lc_title": ("Đạt CDHT", "LC title"),
    # header line
    "roster.title": ("Danh sách", "Roster"),
    "roster.count": ("{n}/{total} người", "{n}/{total} people"),
    "roster.search_is": ("tìm “{text}”", "search “{text}”"),
    "roster.not_qualifying": ("chưa đạt {entry}", "not yet counted for {entry}"),
    "roster.sorted_by": ("xếp theo {col} {arrow}", "sorted by {col} {arrow}"),
    "roster.selected": ("đã chọn {n}", "{n} selected"),
    "roster.loading": ("đang tải…", "loading…"),
    "roster.no_value": ("(trống)", "(no value)"),
    "roster.search_placeholder": ("Tìm theo tên hoặc mã (không cần dấu)", "Search by name or code (no accents needed)"),
    # bindings
    "roster.key.back": ("Quay lại", "Back"),
    "roster.key.search": ("Tìm", "Search"),
    "roster.key.filter": ("Lọc", "Filter"),
    "roster.key.clear_filters": ("Bỏ lọc", "Clear filters"),
    "roster.key.sort": ("Sắp xếp", "Sort"),
    "roster.key.sort_reverse": ("Đảo chiều", "Reverse"),
    "roster.key.select": ("Chọn", "Select"),
    "roster.key.toggle": ("Đảo chọn", "Toggle"),
    "roster.key.unselect": ("Bỏ chọn", "Unselect"),
    "roster.key.select_all": ("Chọn tất cả", "Select all"),
    "roster.key.select_none": ("Bỏ chọn hết", "Select none"),
    "roster.key.invert": ("Đảo lựa chọn", "Invert selection"),
    "roster.key.batch_set": ("Gán cho đã chọn", "Set for selected"),
    "roster.key.undo": ("Hoàn tác", "Undo"),
    "roster.key.add": ("Thêm", "Add"),
    "roster.key.edit": ("Sửa", "Edit"),
    "roster.key.delete": ("Xoá", "Delete"),
    "roster.key.reload": ("Tải lại", "Reload"),
    "roster.key.up": ("Lên", "Up"),
    "roster.key.down": ("Xuống", "Down"),
    "roster.key.page_up": ("Trang trước", "Page up"),
    "roster.key.page_down": ("Trang sau", "Page down"),
    "roster.key.first": ("Đầu danh sách", "First"),
    "roster.key.last": ("Cuối danh sách", "Last"),
    "roster.key.save": ("Lưu", "Save"),
    "roster.key.cancel": ("Huỷ", "Cancel"),
    "roster.key.apply": ("Áp dụng", "Apply"),
    "roster.key.remove_change": ("Bỏ thay đổi", "Remove change"),
    "roster.key.yes": ("Đồng ý", "Yes"),
    "roster.key.no": ("Không", "No"),
    # notifications
    "roster.batch_done": ("Đã đổi {n} giá trị (lô #{batch})", "Changed {n} values (batch #{batch})"),
    "roster.batch_nothing": ("Không có gì thay đổi", "Nothing changed"),
    "roster.batch_running": ("Đang ghi cho {n} người…", "Writing for {n} people…"),
    "roster.undone": ("Đã hoàn tác lô #{batch}", "Undid batch #{batch}"),
    "roster.nothing_to_undo": ("Không còn lô nào để hoàn tác", "No batch left to undo"),
    "roster.no_selection": ("Chưa chọn ai (phím space hoặc S)", "Nobody selected (space or S)"),
    "roster.empty": ("Danh sách trống", "The list is empty"),
    "roster.saved": ("Đã lưu {name}", "Saved {name}"),
    "roster.deleted": ("Đã xoá {name} khỏi danh sách năm nay", "Removed {name} from this year's roster"),
    "roster.confirm_delete": ("Xoá {name} ({code}) khỏi danh sách năm nay? Các dữ kiện năm nay của người này cũng bị xoá.",
                              "Remove {name} ({code}) from this year's roster? Their facts for this year go too."),
    "roster.no_context": ("Chưa chọn đơn vị và đợt đánh giá", "No unit and assessment chosen"),
    # filter, sort and batch modals
    "roster.pick.filter_title": ("Lọc: chọn trường rồi giá trị (Enter)", "Filter: pick a field, then a value (Enter)"),
    "roster.pick.sort_title": ("Sắp xếp theo cột (Enter)", "Sort by column (Enter)"),
    "roster.pick.batch_title": ("Gán dữ kiện cho {n} người đã chọn", "Set facts for the {n} selected people"),
    "roster.pick.batch_help": ("Chọn dữ kiện, Enter chọn giá trị; lặp lại cho dữ kiện khác. "
                               "ctrl+s áp dụng, Delete bỏ một thay đổi.",
                               "Pick a fact, Enter a value; repeat for more facts. ctrl+s applies, Delete drops a change."),
    "roster.pick.changes": ("Sẽ gán: {changes}", "Will set: {changes}"),
    "roster.pick.no_changes": ("Chưa chọn dữ kiện nào", "No fact chosen yet"),
    "roster.pick.preview": ("{n}/{total} người sẽ thay đổi", "{n}/{total} people would change"),
    "roster.pick.counting": ("đang đếm…", "counting…"),
    # person form
    "roster.form.add_title": ("Thêm người", "Add a person"),
    "roster.form.edit_title": ("Sửa: {name}", "Edit: {name}"),
    "roster.form.facts": ("Dữ kiện năm nay", "This year's facts"),
    "roster.form.hint_bool": ("có / không", "yes / no"),
    "roster.form.hint_range": ("{lo}–{hi}", "{lo}–{hi}"),
    "roster.form.fix_errors": ("Còn {n} ô chưa hợp lệ", "{n} field(s) are not valid"),
    "roster.form.reloaded": ("Đã tải lại dữ liệu mới nhất", "Reloaded the latest data"),
    "roster.form.gone": ("Người này không còn trong danh sách", "This person is no longer on the roster"),
})


def localize_bindings(node) -> None:
    """Binding descriptions are written as string keys; translate them on this instance, since
    the language is chosen after the screens' modules are imported."""
    from dataclasses import replace

    from models.i18n import tr

    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [replace(b, description=tr(b.description)) if b.description.startswith("roster.") else b for b in group]
        for key, group in bindings.key_to_bindings.items()}
