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
})
