"""Fixed choices the faces list before anything is opened (the CLI parser's options and help):
a light module, so that building the parser loads neither the database layer nor the catalogs."""

from __future__ import annotations

from hoctap.models.i18n import tr

CHANNELS = ("in_person", "online", "post")  # how a unit's dossier reached the office
INFO_FIELDS = ("head_name", "head_title", "governing_body", "authority", "send_to", "place",
               "team_decision_no", "team_decision_date", "report_no", "request_no", "conclusion")
INFO_KEYS = {**{name: f"dossier.{name}" for name in INFO_FIELDS}, "conclusion": "report.conclusion"}


def info_label(name: str) -> str:
    return tr(INFO_KEYS[name])
