"""``python -m hoctap``: the command line (no command opens the TUI)."""

from hoctap.tui.cli import main

raise SystemExit(main())
