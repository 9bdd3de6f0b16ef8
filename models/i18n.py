"""Vietnamese and English strings. One process speaks one language, set once at start-up.

Each face (CLI, TUI, report) registers its own table with ``add``; a key maps to a pair
(vi, en) of ``str.format`` templates.
"""

from __future__ import annotations

_LANG = ["vi"]
_MESSAGES: dict[str, tuple[str, str]] = {}


def set_lang(lang: str) -> None:
    _LANG[0] = "en" if lang == "en" else "vi"


def lang() -> str:
    return _LANG[0]


def add(table: dict[str, tuple[str, str]]) -> None:
    _MESSAGES.update(table)


def both(key: str) -> tuple[str, str]:
    """The (vi, en) pair of a key, for matching input in either language."""
    return _MESSAGES[key]


def tr(key: str, /, **params) -> str:
    """A key in the process's language."""
    return tr_in(_LANG[0], key, **params)


def tr_in(language: str, key: str, /, **params) -> str:
    """A key in the given language ("en", else Vietnamese), leaving the process's alone: a
    workbook is written in the language asked for, whatever the user's."""
    vi, en = _MESSAGES[key]
    return (en if language == "en" else vi).format(**params)


add({
    # values
    "yes": ("có", "yes"),
    "no": ("không", "no"),
    "cell.yes": ("Có", "Yes"),  # a yes/no standing alone in a workbook cell
    "cell.no": ("Không", "No"),
    "met": ("Đạt", "Met"),
    "not_met": ("Không đạt", "Not met"),
    "not_applicable": ("Không áp dụng", "Not applicable"),
    "no_data": ("Chưa có dữ liệu", "No data"),
    "staff": ("Thành viên", "Member"),
    "learner": ("Người học", "Learner"),
    "male": ("Nam", "Male"),
    "female": ("Nữ", "Female"),
    "other": ("Khác", "Other"),
    "district": ("Cấp huyện", "District"),
    "provincial": ("Cấp tỉnh", "Provincial"),
    "members": ("thành viên", "members"),
    "learners": ("người học", "learners"),
    "unconfirmed": ("chưa xác nhận", "unconfirmed"),
    "needs_more": ("cần thêm {n}", "needs {n} more"),
    # person fields
    "field.code": ("Mã", "Code"),
    "field.full_name": ("Họ và tên", "Full name"),
    "field.kind": ("Đối tượng", "Kind"),
    "field.department": ("Phòng ban", "Department"),
    "field.position": ("Chức vụ", "Position"),
    "field.birth_year": ("Năm sinh", "Birth year"),
    "field.gender": ("Giới tính", "Gender"),
    # errors from the core
    "err.internal": ("Lỗi nội bộ ({name}); chi tiết trong {path}", "Internal error ({name}); details in {path}"),
    "err.unknown_unit": ("không có đơn vị mã {code!r}", "no unit with code {code!r}"),
    "err.unit_exists": ("đã có đơn vị mã {code!r}", "a unit with code {code!r} already exists"),
    "err.no_assessment": ("đơn vị {code} chưa có đợt đánh giá năm {year} (nhập danh sách hoặc mở hoctap để tạo)",
                          "unit {code} has no assessment for {year} (import a roster or open hoctap to start one)"),
    "err.unknown_field": ("không có trường hay dữ kiện {name!r}", "no field or fact named {name!r}"),
    "err.computed_fact": ("{name!r} được tính tự động, không nhập trực tiếp", "{name!r} is computed and cannot be set"),
    "err.bad_bool": ("{name}: {value!r} không phải có/không", "{name}: {value!r} is not yes/no"),
    "err.bad_int": ("{name}: {value!r} phải là số nguyên từ {lo} đến {hi}", "{name}: {value!r} must be a whole number from {lo} to {hi}"),
    "err.bad_choice": ("{name}: {value!r} không hợp lệ (chọn: {choices})", "{name}: {value!r} is not valid (choose: {choices})"),
    "err.required": ("{name}: bắt buộc", "{name}: required"),
    "err.line_break": ("{name}: không được xuống dòng (có thể do một dấu \" lạc trong tệp)",
                       "{name}: must not contain a line break (a stray \" in the file?)"),
    "err.too_long": ("{name}: dài quá {limit} ký tự", "{name}: longer than {limit} characters"),
    "err.bad_tier": ("cấp {value!r} không hợp lệ (district hoặc provincial)", "tier {value!r} is not valid (district or provincial)"),
    "err.bad_type": ("loại hình {value!r} không có (chọn: {choices})", "unit type {value!r} is unknown (choose: {choices})"),
    "err.unknown_entry": ("không có chỉ tiêu {entry!r} ở mức này", "no entry {entry!r} at this level"),
    "err.not_unit_entry": ("{entry} là chỉ tiêu tỉ lệ, được tính từ danh sách người", "{entry} is a share entry, computed from the roster"),
    "err.bad_assignment": ("{text!r}: cần dạng TÊN=GIÁ_TRỊ", "{text!r}: expected NAME=VALUE"),
    "err.selection_changed": ("danh sách người khớp điều kiện đã thay đổi sau khi bạn chọn (có người vừa sửa dữ liệu); "
                              "chưa ghi gì, hãy chọn lại rồi làm lại",
                              "the people matching your selection changed after you selected them (someone edited "
                              "the data); nothing was written: select again and retry"),
    "err.stale": ("bản ghi đã được người khác sửa sau khi bạn mở; hãy tải lại rồi sửa lại",
                  "someone else changed this record after you loaded it; reload and edit again"),
    "err.no_batch": ("không có lô thay đổi số {batch}", "no change batch {batch}"),
    "err.already_undone": ("lô {batch} đã được hoàn tác", "batch {batch} was already undone"),
    "err.undo_conflict": ("không thể hoàn tác lô {batch}: {n} bản ghi đã thay đổi sau đó",
                          "cannot undo batch {batch}: {n} record(s) changed since"),
    "err.nothing_to_undo": ("không có gì để hoàn tác", "nothing to undo"),
    "err.person_missing": ("không có người mã {code!r} trong danh sách", "no person with code {code!r} in the roster"),
    "err.code_taken": ("mã {code!r} đã được dùng", "code {code!r} is already used"),
    "err.no_catalog": ("không có bộ tiêu chí cho {tier} mức {level}", "no catalog for {tier} level {level}"),
})
