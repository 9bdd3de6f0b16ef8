"""The dossier's words (team, head and numbers, evidence register, narrative, completeness)."""

from __future__ import annotations

from hoctap.models.i18n import Strings

DOSSIER = Strings("dossier", {
    # roles in the evaluation team
    "team.role.leader": ("Tổ trưởng", "Team leader"),
    "team.role.secretary": ("Thư ký", "Secretary"),
    # narrative sections
    "narrative.strengths": ("Điểm mạnh", "Strengths"),
    "narrative.weaknesses": ("Điểm yếu", "Weaknesses"),
    "narrative.plan": ("Kế hoạch cải tiến", "Plan to improve"),
    # dossier info fields
    "dossier.head_name": ("Họ tên thủ trưởng đơn vị", "Head of the unit"),
    "dossier.head_title": ("Chức vụ thủ trưởng", "Head's title"),
    "dossier.governing_body": ("Cơ quan chủ quản", "Governing body"),
    "dossier.authority": ("Cơ quan công nhận", "Recognising authority"),
    "dossier.send_to": ("Nơi gửi hồ sơ", "Where the dossier is sent"),
    "dossier.place": ("Địa danh", "Place name"),
    "dossier.team_decision_no": ("Số quyết định thành lập tổ đánh giá", "Number of the team decision"),
    "dossier.team_decision_date": ("Ngày quyết định thành lập tổ", "Date of the team decision"),
    "dossier.report_no": ("Số báo cáo tự đánh giá", "Number of the report"),
    "dossier.request_no": ("Số tờ trình đề nghị công nhận", "Number of the request"),
    # evidence fields
    "evidence.code": ("Mã minh chứng", "Evidence code"),
    "evidence.title": ("Tên minh chứng", "Title"),
    "evidence.number": ("Số, ký hiệu", "Number"),
    "evidence.issued_on": ("Ngày ban hành", "Date issued"),
    "evidence.issuer": ("Nơi ban hành", "Issued by"),
    "evidence.entries": ("Chỉ tiêu", "Entries"),
    "evidence.converted_title": ("Minh chứng chỉ tiêu {entry}", "Evidence for entry {entry}"),
    "dossier.saved": ("Đã lưu (lô #{batch})", "Saved (batch #{batch})"),
    "col.role": ("Vai trò", "Role"),
    "col.criterion": ("Tiêu chí", "Criterion"),
    "col.section": ("Phần", "Section"),
    # audit summaries
    "summary.dossier_info": ("thông tin hồ sơ", "dossier details"),
    "summary.team_add": ("thêm thành viên tổ đánh giá {name}", "team member {name} added"),
    "summary.team_edit": ("sửa thành viên tổ đánh giá {name}", "team member {name} edited"),
    "summary.team_remove": ("bỏ thành viên tổ đánh giá {name}", "team member {name} removed"),
    "summary.team_move": ("đổi thứ tự tổ đánh giá", "team reordered"),
    "summary.evidence_add": ("thêm minh chứng {code}", "evidence {code} added"),
    "summary.evidence_edit": ("sửa minh chứng {code}", "evidence {code} edited"),
    "summary.evidence_remove": ("xoá minh chứng {code}", "evidence {code} removed"),
    "summary.evidence_convert": ("chuyển {n} minh chứng ghi tự do vào danh mục", "{n} free-text evidence converted to the register"),
    "summary.narrative": ("viết {section} tiêu chí {criterion}", "{section} of criterion {criterion} written"),
    # errors
    "err.bad_role": ("vai trò {value!r} không hợp lệ (chọn: {choices})", "role {value!r} is not valid (choose: {choices})"),
    "err.no_member": ("tổ đánh giá không có thành viên số {n}", "the team has no member number {n}"),
    "err.bad_dossier_field": ("hồ sơ không có mục {name!r} (có: {choices})", "the dossier has no field {name!r} (known: {choices})"),
    "err.no_evidence": ("không có minh chứng mã {code!r}", "no evidence with code {code!r}"),
    "err.evidence_exists": ("đã có minh chứng mã {code!r}", "evidence {code!r} already exists"),
    "err.evidence_needs_code": ("cần mã minh chứng, hoặc tiêu chí để tự đặt mã", "give an evidence code, or a criterion to number it"),
    "err.unknown_criterion": ("không có tiêu chí {criterion!r} (có: {choices})", "no criterion {criterion!r} (known: {choices})"),
    "err.bad_section": ("mục {value!r} không hợp lệ (chọn: {choices})", "section {value!r} is not valid (choose: {choices})"),
    "err.bad_code_scheme": ("mẫu mã minh chứng {scheme!r} không dùng được: {error}", "evidence code scheme {scheme!r} is unusable: {error}"),
    # completeness check
    "check.no_evidence": ("Chỉ tiêu {entry} chưa có minh chứng", "Entry {entry} has no evidence"),
    "check.no_data": ("Chỉ tiêu {entry} chưa có dữ liệu ({population})", "Entry {entry} has no data ({population})"),
    "check.unconfirmed": ("Chỉ tiêu {entry} dùng ngưỡng chưa xác nhận", "Entry {entry} uses an unconfirmed threshold"),
    "check.no_team": ("Chưa có tổ đánh giá", "No evaluation team"),
    "check.no_leader": ("Tổ đánh giá chưa có tổ trưởng", "The team has no leader"),
    "check.no_head": ("Chưa ghi họ tên thủ trưởng đơn vị", "The head of the unit is not given"),
    "check.empty_narrative": ("Tiêu chí {criterion}: chưa viết phần {section}", "Criterion {criterion}: {section} not written"),
    "check.deadline": ("Hạn nộp hồ sơ: {date} (còn {days} ngày)", "Deadline: {date} ({days} days left)"),
    "check.deadline_passed": ("Hạn nộp hồ sơ: {date} (đã quá {days} ngày)", "Deadline: {date} ({days} days ago)"),
    "check.complete": ("Hồ sơ đủ", "The dossier is complete"),
    "check.incomplete": ("Hồ sơ còn thiếu {n} mục", "The dossier lacks {n} items"),
    "check.incomplete.one": ("Hồ sơ còn thiếu {n} mục", "The dossier lacks {n} item"),
})
