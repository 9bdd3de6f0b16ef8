"""Words of the receiving office's screens (collect a folder, new year)."""

from __future__ import annotations

from hoctap.models.i18n import Strings

OFFICE_SCREENS = Strings("office_screens", {
    "key.collect": ("Nạp thư mục", "Collect folder"),
    "key.collect_run": ("Nạp", "Collect"),
    "collect.title": ("Nạp một thư mục tệp chuyển giao", "Collect a folder of transfer files"),
    "collect.folder": ("Thư mục", "Folder"),
    "collect.replace": ("Thay dữ liệu năm đó của đơn vị đã có", "Replace a unit/year already here"),
    "key.rollover": ("Năm mới nhiều đơn vị", "New year, many units"),
    "rollover.title": ("Bắt đầu năm mới cho nhiều đơn vị", "Start the new year for many units"),
    "rollover.from": ("Chép từ năm", "Copy from year"),
    "rollover.to": ("Sang năm", "Into year"),
    "rollover.carry": ("Thông tin chép sang (danh sách luôn được chép)", "Facts to carry over (the roster always is)"),
    "rollover.no_units": ("Chưa chọn đơn vị nào", "No unit chosen"),
    "rollover.done": ("Đã bắt đầu năm mới cho {n} đơn vị; bỏ qua: {skipped}", "Started the new year for {n} units; left alone: {skipped}"),
    "rollover.done.one": ("Đã bắt đầu năm mới cho {n} đơn vị; bỏ qua: {skipped}", "Started the new year for {n} unit; left alone: {skipped}"),
    "collect.col.file": ("Tệp chuyển giao", "Transfer file"),
    "collect.col.result": ("Kết quả nạp", "Outcome"),
    "collect.col.detail": ("Chi tiết", "Detail"),
    "collect.in": ("đã nhập", "came in"),
    "collect.replaced": ("đã thay", "replaced"),
    "collect.detail": ("{code} năm {year}: {n} người", "{code} {year}: {n} people"),
    "collect.detail.one": ("{code} năm {year}: {n} người", "{code} {year}: {n} person"),
})
