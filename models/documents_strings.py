"""Words of the dossier documents (the labels templates show) and of their rendering errors."""

from __future__ import annotations

from hoctap.models.i18n import Strings

# words the documents share with the rest of hoctap: their keys there, by the name a template uses
SHARED = {"met": "met", "not_met": "not_met", "role_member": "staff", "entry": "col.entry", "evidence": "evidence",
          "nation": "report.nation", "motto": "report.motto", "conclusion": "report.conclusion",
          "role_leader": "team.role.leader", "role_secretary": "team.role.secretary", "strengths": "narrative.strengths", "weaknesses": "narrative.weaknesses", "plan": "narrative.plan", "send_to": "dossier.send_to", "col_title": "evidence.title", "col_issuer": "evidence.issuer", "col_entries": "evidence.entries", "criterion": "col.criterion"}

DOCUMENTS = Strings("documents", {
    # errors
    "doc.template_syntax": ("Mẫu {path}, dòng (đoạn văn) {line}: lỗi cú pháp: {error} (nội dung: «{text}»)",
                            "Template {path}, line (paragraph) {line}: syntax error: {error} (text: «{text}»)"),
    "doc.template_field": ("Mẫu {path}, dòng (đoạn văn) {line}: trường không có: {error} (nội dung: «{text}»)",
                           "Template {path}, line (paragraph) {line}: unknown field: {error} (text: «{text}»)"),
    "doc.template_bad": ("Mẫu {path}: không phải tệp Word (.docx) đọc được: {error}",
                         "Template {path}: not a readable Word (.docx) file: {error}"),
    "doc.template_missing": ("Không có mẫu {name}", "No template {name}"),
    "doc.out_not_folder": ("{path}: không phải thư mục", "{path}: not a folder"),
    # the header and common parts
    "doc.number": ("Số", "No."),
    "doc.date_line": ("{place}, ngày {day} tháng {month} năm {year}", "{place}, {month} {day}, {year}"),
    "doc.recipients": ("Nơi nhận", "Recipients"),
    "doc.to": ("Kính gửi", "To"),
    "doc.as_article1": ("Như Điều 1", "As in Article 1"),
    "doc.file_copy": ("Lưu: VT", "Filed: Records"),
    "doc.team_copy": ("Tổ đánh giá", "The evaluation team"),
    "doc.sign_note": ("(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name, seal)"),
    "doc.sign_name": ("(Ký, ghi rõ họ tên)", "(Signature, full name)"),
    "doc.blank": ("…………", "…………"),
    # roles in the team
    # verdicts
    "doc.no_data": ("Chưa có số liệu", "No data"),
    # (a) the decision setting up the team
    "doc.decision_title": ("QUYẾT ĐỊNH", "DECISION"),
    "doc.decision_subject": ("Về việc thành lập Tổ đánh giá công nhận “Đơn vị học tập” năm {year}",
                             "On establishing the evaluation team for the recognition of “Learning Unit”, year {year}"),
    "doc.decision_basis": ("Căn cứ Thông tư số 24/2023/TT-BGDĐT ngày 18 tháng 12 năm 2023 của Bộ trưởng Bộ Giáo dục và "
                           "Đào tạo ban hành Quy định tiêu chí, quy trình đánh giá và công nhận “Đơn vị học tập” cấp huyện, "
                           "cấp tỉnh;",
                           "Pursuant to Circular No. 24/2023/TT-BGDĐT of 18 December 2023 of the Minister of Education "
                           "and Training on the criteria and procedure for evaluating and recognising “Learning Units” at "
                           "district and provincial level;"),
    "doc.decision_decides": ("QUYẾT ĐỊNH:", "DECIDES:"),
    "doc.decision_art1": ("Điều 1. Thành lập Tổ đánh giá công nhận “Đơn vị học tập” năm {year} của {unit}, gồm các "
                          "ông (bà) có tên sau:",
                          "Article 1. The evaluation team for the recognition of “Learning Unit”, year {year}, of {unit} "
                          "is established, with the following members:"),
    "doc.decision_art2": ("Điều 2. Tổ đánh giá có nhiệm vụ tự đánh giá theo các tiêu chí, chỉ tiêu, lập báo cáo tự "
                          "đánh giá và bản tổng hợp kết quả; Tổ tự giải thể sau khi hoàn thành nhiệm vụ.",
                          "Article 2. The team evaluates the unit against the criteria and entries, writes the "
                          "self-assessment report and the summary of results, and is dissolved once its task is done."),
    "doc.decision_art3": ("Điều 3. Quyết định có hiệu lực kể từ ngày ký. Các ông (bà) có tên tại Điều 1 chịu trách "
                          "nhiệm thi hành Quyết định này.",
                          "Article 3. This decision takes effect from the date of signing. The persons named in "
                          "Article 1 are responsible for implementing it."),
    # (b) the self-assessment report
    "doc.report_title": ("BÁO CÁO TỰ ĐÁNH GIÁ", "SELF-ASSESSMENT REPORT"),
    "doc.report_subject": ("Công nhận “Đơn vị học tập” năm {year}", "Recognition as “Learning Unit”, year {year}"),
    "doc.report_intro": ("Căn cứ Thông tư số 24/2023/TT-BGDĐT, Tổ đánh giá của {unit} đã tự đánh giá theo các tiêu "
                         "chí, chỉ tiêu với số liệu từ ngày 01 tháng 01 đến ngày 31 tháng 12 năm {year}. Kết quả như "
                         "sau:",
                         "Under Circular No. 24/2023/TT-BGDĐT, the evaluation team of {unit} evaluated the unit against "
                         "the criteria and entries with data from 1 January to 31 December {year}. The results follow:"),
    "doc.finding": ("Kết quả", "Finding"),
    "doc.no_evidence": ("chưa có", "none yet"),
    "doc.self_verdict": ("Tự đánh giá", "Self-assessment"),
    "doc.level_requested": ("Đề nghị công nhận", "Level requested"),
    "doc.overall": ("Kết quả chung theo tiêu chí", "Overall result by criteria"),
    # (c) the request
    "doc.request_title": ("TỜ TRÌNH", "REQUEST"),
    "doc.request_subject": ("Về việc đề nghị công nhận “Đơn vị học tập” năm {year}",
                            "On the request for recognition as “Learning Unit”, year {year}"),
    "doc.request_body": ("Căn cứ kết quả tự đánh giá, {unit} đề nghị {authority} xem xét, công nhận {unit} đạt: {level}.",
                         "Based on the self-assessment, {unit} requests {authority} to consider and recognise {unit} "
                         "as: {level}."),
    "doc.enclosures": ("Hồ sơ kèm theo gồm", "Enclosed"),
    "doc.enc.report": ("Báo cáo tự đánh giá công nhận “Đơn vị học tập” năm {year}",
                       "Self-assessment report for the recognition as “Learning Unit”, year {year}"),
    "doc.enc.summary": ("Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu", "Summary of results per criterion and entry"),
    "doc.enc.evidence": ("Danh mục minh chứng ({n} minh chứng)", "Evidence list ({n} pieces)"),
    "doc.enc.evidence.one": ("Danh mục minh chứng ({n} minh chứng)", "Evidence list ({n} piece)"),
    "doc.enc.decision": ("Quyết định thành lập Tổ đánh giá", "Decision establishing the evaluation team"),
    # (d) the evidence list
    "doc.evidence_title": ("DANH MỤC MINH CHỨNG", "EVIDENCE LIST"),
    "doc.col.seq": ("TT", "No."),
    "doc.col.code": ("Mã minh chứng", "Code"),
    "doc.col.number": ("Số, ngày ban hành", "Number, date"),
    # (e) the recognition decision of the office (issue 12) and its annex
    "doc.recognition_subject": ("Về việc công nhận “Đơn vị học tập” năm {year}",
                                "On the recognition of “Learning Units”, year {year}"),
    "doc.recognition_art1": ("Điều 1. Công nhận {n} đơn vị đạt “Đơn vị học tập” năm {year} (có danh sách kèm theo).",
                             "Article 1. {n} units are recognised as “Learning Units”, year {year} (list annexed)."),
    "doc.recognition_art1.one": ("Điều 1. Công nhận {n} đơn vị đạt “Đơn vị học tập” năm {year} (có danh sách kèm theo).",
                                 "Article 1. {n} unit is recognised as a “Learning Unit”, year {year} (list annexed)."),
    "doc.recognition_art2": ("Điều 2. Quyết định có hiệu lực kể từ ngày ký. Thủ trưởng các đơn vị có tên tại Điều 1 "
                             "chịu trách nhiệm thi hành Quyết định này.",
                             "Article 2. This decision takes effect from the date of signing. The heads of the units "
                             "named in Article 1 are responsible for implementing it."),
    "doc.annex_title": ("DANH SÁCH ĐƠN VỊ ĐƯỢC CÔNG NHẬN “ĐƠN VỊ HỌC TẬP” NĂM {year}",
                        "UNITS RECOGNISED AS “LEARNING UNITS”, YEAR {year}"),
    "doc.annex_note": ("(Kèm theo Quyết định số {no} ngày {date} của {issuer})",
                       "(Annexed to Decision No. {no} of {date} of {issuer})"),
    "doc.level_n": ("Mức độ {level}", "Level {level}"),
    "doc.col.unit": ("Tên đơn vị", "Unit"),
    "doc.col.level": ("Mức độ", "Level"),
    "doc.col.unit_code": ("Mã số", "Unit ID"),
    "doc.col.decision": ("Số, ngày quyết định", "Decision number, date"),
    # file names of the set
    "doc.file.decision": ("quyet-dinh-thanh-lap-to-danh-gia", "team-decision"),
    "doc.file.report": ("bao-cao-tu-danh-gia", "self-assessment-report"),
    "doc.file.request": ("to-trinh-de-nghi-cong-nhan", "request-for-recognition"),
    "doc.file.evidence": ("danh-muc-minh-chung", "evidence-list"),
    "doc.file.summary": ("bang-tong-hop-ket-qua", "summary-of-results"),
})
