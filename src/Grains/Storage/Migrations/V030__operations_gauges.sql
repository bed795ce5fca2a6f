-- V030: what the operations gauges count that grain state keeps sealed (issue 27). Idempotent.
-- open_work: one row per open obligation of a grain, by pseudonymous grain id only (no identifier, no value): an erasure
-- with notices to processors not yet answered (kind 'processor-propagation'), an OpenDSR request we serve that is
-- neither completed nor cancelled (kind 'opendsr', state its status, due_at its expected completion). The grain writes
-- it after each state write that opens or moves it and on each reminder tick, and deletes it once closed; every silo
-- serving the region counts it per kind every Metrics:RefreshPeriod.
create table if not exists open_work (
  region text not null,
  kind text not null,
  owner text collate "C" not null,
  state text not null,
  since timestamptz not null,
  due_at timestamptz null,
  primary key (region, kind, owner)
);

create index if not exists open_work_due on open_work (region, kind, due_at);

-- outbox_mark.queued_since: since when the owner has had undelivered messages (due_at moves with each retry; a mark
-- written again keeps it). Marks older than this migration count from it.
alter table outbox_mark add column if not exists queued_since timestamptz not null default now();
