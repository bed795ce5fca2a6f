-- V027: owners that keep undelivered messages in their state, by pseudonymous grain id only (no identifier). A mark is
-- written before the state write that queues a message and removed once the owner is idle; marks are written in
-- batches by each silo (many owners, one statement) and swept by every silo serving the region, which calls each
-- owner whose mark is due (a crash strands nothing). Replaces the per-owner outbox reminder for accounts. Idempotent.

create table if not exists outbox_mark (
  region text not null,
  owner text collate "C" not null,
  due_at timestamptz not null,
  primary key (region, owner)
);

create index if not exists outbox_mark_due on outbox_mark (region, due_at);
