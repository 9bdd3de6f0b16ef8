"""covering index for the meters

The meters count facts per (name, value) and need each fact's person to tell staff from
learners: with person_id in the index the GROUP BY reads the index alone, never the table.

Revision ID: 0002
Revises: 0001
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person_fact', schema=None) as batch_op:
        batch_op.create_index('ix_person_fact_cover', ['assessment_id', 'name', 'value', 'person_id'], unique=False)
        batch_op.drop_index('ix_person_fact_name_value')


def downgrade() -> None:
    with op.batch_alter_table('person_fact', schema=None) as batch_op:
        batch_op.create_index('ix_person_fact_name_value', ['assessment_id', 'name', 'value'], unique=False)
        batch_op.drop_index('ix_person_fact_cover')
