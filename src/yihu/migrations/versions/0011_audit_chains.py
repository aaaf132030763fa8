"""audit: every event chained as it is written, on one of 64 chains; events can no longer be updated at all

Revision ID: 0011_audit_chains
Revises: 0010_audit_unsealed
Create Date: 2026-11-23 09:30:00

Before, an event was inserted without a hash and a sealer updated it a moment later (one chain, one head row). Now
the statement that inserts an event takes the next position of one of 64 chains (``audit_head`` rows 1..64) and
stores its hash at once: no event waits unsealed, no event is ever updated (the triggers refuse every UPDATE and
DELETE), and concurrent writers spread over 64 head rows instead of one.

``hash = sha256(prev_hash | chain | chain_pos | digest)``, where ``digest`` is the SHA-256 of the event's canonical
JSON (kit/audit.py). The events already there are chained anew on chain 1, the sealed ones in their old order and
then the unsealed ones. The downgrade chains them back the old way.
"""
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

import yihu.db

revision = '0011_audit_chains'
down_revision = '0010_audit_unsealed'
branch_labels = None
depends_on = None

CHAINS = 64
GENESIS = "0" * 64
FIELDS = ("occurred_at", "actor_id", "actor_role", "institution_id", "action", "patient_id", "resource_type",
          "resource_id", "ip", "request_id", "detail")
EVENTS = sa.table("audit_event", sa.column("seq"), sa.column("occurred_at", yihu.db.UTCDateTime(timezone=True)),
                  *(sa.column(f) for f in FIELDS[1:]), sa.column("chain"), sa.column("chain_pos"),
                  sa.column("prev_hash"), sa.column("hash"))
REFUSE_SQLITE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)
REFUSE_POSTGRES = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)
# What 0001 created: only sealing may update an event, once, and only its chain columns.
_SEALED = ("seq", *FIELDS)
SEALING_SQLITE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN OLD.hash IS NOT NULL OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _SEALED)
    + " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    REFUSE_SQLITE[1],
)
SEALING_POSTGRES = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' OR OLD.hash IS NOT NULL OR "
    "(to_jsonb(NEW) - 'chain_pos' - 'prev_hash' - 'hash') <> (to_jsonb(OLD) - 'chain_pos' - 'prev_hash' - 'hash') "
    "THEN RAISE EXCEPTION 'audit_event is append-only'; END IF; RETURN NEW; END $$",
    REFUSE_POSTGRES[1],
)


def _body(e: Any) -> dict[str, Any]:
    body = {k: getattr(e, k) for k in FIELDS}
    body["occurred_at"] = e.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return body


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _new_link(prev: str, pos: int, e: Any) -> str:
    digest = hashlib.sha256(_dumps(_body(e))).hexdigest()
    return hashlib.sha256(f"{prev}|1|{pos}|{digest}".encode()).hexdigest()


def _old_link(prev: str, pos: int, e: Any) -> str:
    return hashlib.sha256(prev.encode() + b"|" + _dumps({**_body(e), "seq": e.seq, "chain_pos": pos})).hexdigest()


def _guard(statements: tuple[str, ...]) -> None:
    for stmt in statements:
        op.execute(stmt)


def _drop_guard() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


def _rechain(order: Any, link: Any, chain: int, batch: int = 2000) -> tuple[int, str]:
    """Chain every event anew, in ``order``, onto one chain; the last position and hash."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(EVENTS).order_by(*order)).all()
    pos, prev, updates = 0, GENESIS, []
    for e in rows:
        pos += 1
        h = link(prev, pos, e)
        updates.append({"s": e.seq, "c": chain, "p": pos, "v": prev, "h": h})
        prev = h
    stmt = sa.text("UPDATE audit_event SET chain = :c, chain_pos = :p, prev_hash = :v, hash = :h WHERE seq = :s")
    for i in range(0, len(updates), batch):
        bind.execute(stmt, updates[i:i + batch])
    return pos, prev


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_guard()
    op.drop_index("ix_audit_event_unsealed", table_name="audit_event")
    with op.batch_alter_table("audit_event") as b:
        b.drop_constraint("uq_audit_event_chain_pos", type_="unique")
        b.add_column(sa.Column("chain", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_head") as b:
        b.add_column(sa.Column("prev", sa.String(length=64), nullable=True))
    pos, last = _rechain((EVENTS.c.chain_pos.is_(None), EVENTS.c.chain_pos, EVENTS.c.seq), _new_link, 1)
    with op.batch_alter_table("audit_event") as b:
        for column in ("chain", "chain_pos", "prev_hash", "hash"):
            b.alter_column(column, nullable=False)
        b.create_unique_constraint("uq_audit_event_chain", ["chain", "chain_pos"])
    op.execute(sa.text("UPDATE audit_head SET pos = :p, hash = :h WHERE id = 1").bindparams(p=pos, h=last))
    op.get_bind().execute(sa.text("INSERT INTO audit_head (id, pos, hash) VALUES (:i, 0, :h)"),
                          [{"i": i, "h": GENESIS} for i in range(2, CHAINS + 1)])
    _guard(REFUSE_SQLITE if sqlite else REFUSE_POSTGRES)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_guard()
    with op.batch_alter_table("audit_event") as b:
        b.drop_constraint("uq_audit_event_chain", type_="unique")
        for column in ("chain_pos", "prev_hash", "hash"):
            b.alter_column(column, nullable=True)
    pos, last = _rechain((EVENTS.c.seq,), _old_link, 1)  # the column goes next
    with op.batch_alter_table("audit_event") as b:
        b.drop_column("chain")
        b.create_unique_constraint("uq_audit_event_chain_pos", ["chain_pos"])
    op.execute(sa.text("DELETE FROM audit_head WHERE id > 1"))
    op.execute(sa.text("UPDATE audit_head SET pos = :p, hash = :h WHERE id = 1").bindparams(p=pos, h=last))
    with op.batch_alter_table("audit_head") as b:
        b.drop_column("prev")
    op.create_index("ix_audit_event_unsealed", "audit_event", ["seq"], postgresql_where=sa.text("hash IS NULL"),
                    sqlite_where=sa.text("hash IS NULL"))
    _guard(SEALING_SQLITE if sqlite else SEALING_POSTGRES)
