"""the dossier and the receiving office

The evaluation team, the head and document numbers, the evidence register, the team's
narrative per criterion (the dossier); the intake register, the office's review findings and
the recognition decisions (the receiving office).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def _assessment_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('dossier_info',
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        *(sa.Column(c, S(), nullable=False) for c in
          ('head_name', 'head_title', 'governing_body', 'authority', 'send_to', 'place',
           'team_decision_no')),
        sa.Column('team_decision_date', sa.Date(), nullable=True),
        sa.Column('report_no', S(), nullable=False),
        sa.Column('request_no', S(), nullable=False),
        sa.Column('conclusion', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('assessment_id'))
    op.create_table('team_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('full_name', S(), nullable=False),
        sa.Column('position', S(), nullable=False),
        sa.Column('role', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_team_member_assessment_id', 'team_member', ['assessment_id'])
    op.create_table('evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('code', S(), nullable=False),
        sa.Column('title', S(), nullable=False),
        sa.Column('number', S(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('issuer', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('assessment_id', 'code'))
    op.create_table('evidence_link',
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', S(), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('evidence_id', 'entry_id'))
    op.create_table('narrative',
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', S(), nullable=False),
        sa.Column('section', S(), nullable=False),
        sa.Column('text', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('assessment_id', 'criterion_id', 'section'))
    op.create_table('intake',
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('channel', S(), nullable=False),
        sa.Column('received_by', S(), nullable=False),
        sa.Column('complete', sa.Boolean(), nullable=True),
        sa.Column('missing', S(), nullable=False),
        sa.Column('note', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('assessment_id'))
    op.create_table('review_finding',
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', S(), nullable=False),
        sa.Column('agree', sa.Boolean(), nullable=True),
        sa.Column('value', S(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=True),
        sa.Column('note', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _assessment_fk(), sa.PrimaryKeyConstraint('assessment_id', 'entry_id'))
    op.create_table('recognition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('decision_no', S(), nullable=False),
        sa.Column('decision_date', sa.Date(), nullable=True),
        sa.Column('issuer', S(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('unit_id', 'level', 'year'))


def downgrade() -> None:
    for table in ('recognition', 'review_finding', 'intake', 'narrative', 'evidence_link',
                  'evidence', 'team_member', 'dossier_info'):
        op.drop_table(table)
