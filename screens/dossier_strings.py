"""The dossier screen's words."""

from __future__ import annotations

from hoctap.models.i18n import Strings

DOSSIER_SCREEN = Strings("dossier_screen", {
    "screen.dossier": ("Hồ sơ đề nghị công nhận", "Recognition dossier"),
    "key.dossier": ("Hồ sơ", "Dossier"),
    "dossier.key.export": ("Xuất hồ sơ", "Export the dossier"),
    "dossier.export_folder": ("ho-so-{code}-{year}-{stamp}", "dossier-{code}-{year}-{stamp}"),
    "dossier.exporting": ("Đang ghi hồ sơ: {done}/{total} tệp…", "Writing the dossier: {done}/{total} files…"),
    "dossier.exported": ("Đã ghi {n} tệp vào thư mục:\n{path}", "Wrote {n} files into the folder:\n{path}"),
    "dossier.key.team_add": ("Thêm thành viên", "Add member"),
    "dossier.key.team_edit": ("Sửa thành viên", "Edit member"),
    "dossier.key.team_remove": ("Bỏ thành viên", "Remove member"),
    "dossier.key.info": ("Thông tin hồ sơ", "Dossier details"),
    "dossier.key.write": ("Viết phần đã chọn", "Write the section"),
    "dossier.key.evidence_add": ("Thêm minh chứng", "Add evidence"),
    "dossier.evidence_form": ("Minh chứng mới (chỉ tiêu cách nhau bằng dấu phẩy)", "New evidence (entries separated by commas)"),
    "dossier.key.convert": ("Chuyển minh chứng vào danh mục", "Register free-text evidence"),
    "dossier.team_title": ("Tổ đánh giá", "Evaluation team"),
    "dossier.narrative_title": ("Phần viết theo tiêu chí", "Narrative per criterion"),
    "dossier.member_form": ("Thành viên tổ đánh giá", "Team member"),
    "dossier.text_form": ("Tiêu chí {criterion}: {section}", "Criterion {criterion}: {section}"),
    "dossier.unchanged": ("Không có thay đổi nào để lưu", "Nothing to save"),
    "dossier.converted": ("Đã chuyển {n} minh chứng vào danh mục", "{n} pieces of evidence registered"),
    "dossier.converted.one": ("Đã chuyển {n} minh chứng vào danh mục", "{n} piece of evidence registered"),
    "dossier.no_team": ("(chưa có thành viên: nhấn a để thêm)", "(no member yet: press a to add one)"),
})
