"""audit rows record the id of the key that keyed their HMAC

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('key_id', sa.String(length=20), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('key_id')
