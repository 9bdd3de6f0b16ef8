"""Database tables (SQLModel). The schema is created and upgraded by Alembic (migrations/).

People persist across years; an assessment (unit x year) has a roster of people and their
facts for that year. Facts are name/value rows, so a catalog can add a fact without a
schema change. Every row a user edits carries a ``version`` for stale-edit detection.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

# a key compared byte by byte, the same on every backend (PostgreSQL would apply its locale)
BYTE_ORDER = AutoString().with_variant(String(collation="C"), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    tier: str  # district | provincial
    types: str  # comma-separated unit-type tags
    version: int = 1

    @property
    def type_list(self) -> list[str]:
        return [t for t in self.types.split(",") if t]


class Assessment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    year: int
    level: int = 1  # the level sought; `status --level` may evaluate another
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "code"), Index("ix_person_unit_sort", "unit_id", "sort_key"))
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    code: str
    full_name: str
    kind: str  # staff | learner
    department: str | None = None
    position: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    search: str = ""  # code + name without diacritics, for the roster's search
    # given name first, as Vietnamese lists are ordered: text.collation_key, in byte order
    sort_key: str = Field(default="", sa_column=Column(BYTE_ORDER, nullable=False))
    version: int = 1


class RosterEntry(SQLModel, table=True):
    """A person belongs to an assessment's roster (the population counted that year)."""

    __tablename__ = "roster_entry"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    person_id: int = Field(sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))
    version: int = 1  # bumped by every change of this person's facts in this assessment


class PersonFact(SQLModel, table=True):
    __tablename__ = "person_fact"
    __table_args__ = (
        ForeignKeyConstraint(["assessment_id", "person_id"],
                             ["roster_entry.assessment_id", "roster_entry.person_id"], ondelete="CASCADE"),
        Index("ix_person_fact_cover", "assessment_id", "name", "value", "person_id"),  # covers the meters
    )
    assessment_id: int = Field(primary_key=True)
    person_id: int = Field(primary_key=True)
    name: str = Field(primary_key=True)
    value: str


class UnitEntryValue(SQLModel, table=True):
    """A unit-level entry ticked by the evaluation team, with its evidence."""

    __tablename__ = "unit_entry_value"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    entry_id: str = Field(primary_key=True)
    value: str | None = None  # "1"/"0" or a scale id
    evidence: str = ""
    documents: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class AuditBatch(SQLModel, table=True):
    """One user action (a CLI command, a TUI edit or batch, an import): the unit of undo."""

    __tablename__ = "audit_batch"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user: str
    source: str  # cli | tui | import | undo
    action: str  # set | check | import | person | delete | undo | unit | assessment
    assessment_id: int | None = Field(default=None, index=True)
    summary: str = ""
    undone_by: int | None = None


class AuditChange(SQLModel, table=True):
    __tablename__ = "audit_change"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(sa_column=Column(Integer, ForeignKey("audit_batch.id", ondelete="CASCADE"), nullable=False, index=True))
    entity: str  # person | fact | roster | unit_entry | unit | assessment
    entity_id: int | None = None  # person id (person, fact, roster) or row id
    field: str  # column, fact name or entry id ("*" for whole-row insert/delete)
    old: str | None = None
    new: str | None = None


# --- the dossier (issue 11): who assesses, what proves it, what the team writes -----------------

class DossierInfo(SQLModel, table=True):
    """Per assessment: the head who signs, the bodies named in the headers, document numbers.

    Empty strings mean "not given yet"; the authority and where the dossier is sent default to
    the catalog/config values for the unit's tier when empty."""

    __tablename__ = "dossier_info"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    head_name: str = ""
    head_title: str = ""  # e.g. "Hiệu trưởng"
    governing_body: str = ""  # cơ quan chủ quản, first line of the header
    authority: str = ""  # the recognising authority addressed
    send_to: str = ""  # where the dossier is sent (office, address or portal)
    place: str = ""  # place name of the date line ("Hà Nội, ngày … tháng … năm …")
    team_decision_no: str = ""  # number and symbol of the decision setting up the team
    team_decision_date: date | None = None
    report_no: str = ""
    request_no: str = ""
    conclusion: str = ""  # the report's overall conclusion
    version: int = 1


class TeamMember(SQLModel, table=True):
    """A member of the evaluation team (Tổ đánh giá)."""

    __tablename__ = "team_member"
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), nullable=False, index=True))
    seq: int = 0  # order in the decision and the signature blocks
    full_name: str
    position: str = ""  # chức vụ in the unit
    role: str = "member"  # leader (tổ trưởng) | secretary (thư ký) | member (thành viên)
    version: int = 1


class Evidence(SQLModel, table=True):
    """One piece of evidence in the register (danh mục minh chứng)."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("assessment_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), nullable=False))
    code: str  # e.g. H1-01
    title: str
    number: str = ""  # number and symbol of the document
    issued_on: date | None = None
    issuer: str = ""
    version: int = 1


class EvidenceLink(SQLModel, table=True):
    """Evidence supports entries: many to many."""

    __tablename__ = "evidence_link"
    evidence_id: int = Field(sa_column=Column(Integer, ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True))
    entry_id: str = Field(primary_key=True)


class Narrative(SQLModel, table=True):
    """What the team writes per criterion: one row per section."""

    __tablename__ = "narrative"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    criterion_id: str = Field(primary_key=True)
    section: str = Field(primary_key=True)  # strengths | weaknesses | plan
    text: str = ""
    version: int = 1


# --- the receiving office (issue 12) -------------------------------------------------------------

class Intake(SQLModel, table=True):
    """A dossier as received by the office, per assessment."""

    __tablename__ = "intake"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    received_on: date | None = None
    channel: str = ""  # in_person | online | post
    received_by: str = ""
    complete: bool | None = None  # from the dossier check at intake; None = not checked
    missing: str = ""  # what the check found missing, as shown to the user
    note: str = ""
    version: int = 1


class ReviewFinding(SQLModel, table=True):
    """The office's own finding for one entry, beside the unit's self-assessment."""

    __tablename__ = "review_finding"
    assessment_id: int = Field(sa_column=Column(Integer, ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True))
    entry_id: str = Field(primary_key=True)
    agree: bool | None = None
    value: str | None = None  # corrected value of a unit entry ("1"/"0" or a scale id)
    count: int | None = None  # corrected number of people who qualify, for a share entry
    note: str = ""
    version: int = 1


class Recognition(SQLModel, table=True):
    """A recognition decision: unit, level, year, number, date, issuing body."""

    __tablename__ = "recognition"
    __table_args__ = (UniqueConstraint("unit_id", "level", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    level: int
    year: int
    decision_no: str = ""
    decision_date: date | None = None
    issuer: str = ""
    version: int = 1
