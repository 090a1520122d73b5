"""one spelling per province in data stored before intake normalised it (北京市 → 北京)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from beian._shared.numbers import canonical_province
from beian.errors import InputError

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for table in ('organizations', 'applications'):
        t = sa.table(table, sa.column('province', sa.String(40)))
        spellings = conn.execute(sa.select(t.c.province).distinct()).scalars().all()
        for old in spellings:
            if not old:
                continue
            try:
                new = canonical_province(old)
            except InputError:  # an unknown spelling stays for an administrator to fix
                continue
            if new != old:
                conn.execute(sa.update(t).where(t.c.province == old).values(province=new))


def downgrade() -> None:
    pass  # the old spellings are not kept; the canonical one is valid for older code too
