"""objections record a keyed hash of the sender's address (rate limits, no raw IPs)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('objections') as batch:
        batch.add_column(sa.Column('source', sa.String(length=64), nullable=False,
                                   server_default=''))
        batch.create_index('ix_objections_source', ['source'])


def downgrade() -> None:
    with op.batch_alter_table('objections') as batch:
        batch.drop_index('ix_objections_source')
        batch.drop_column('source')
