"""Words of the receiving office's core: collecting a folder, recognition history, new year."""

from __future__ import annotations

from hoctap.models.i18n import Strings

COLLECT = Strings("collect", {
    "collect.not_folder": ("{path}: không phải thư mục", "{path}: not a folder"),
    "collect.reason.damaged": ("tệp hỏng", "damaged file"),
    "collect.reason.foreign": ("không phải tệp chuyển dữ liệu", "not a transfer file"),
    "collect.reason.catalog": ("khác bộ tiêu chí", "another catalog version"),
    "collect.reason.conflict": ("đơn vị không khớp", "conflicting unit"),
    "collect.reason.present": ("đã có dữ liệu năm này", "unit/year already present"),
})
