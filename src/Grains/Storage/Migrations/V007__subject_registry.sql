-- V007: each region's list of its subjects, by pseudonymous grain key only (no identifier). A subject's grain adds
-- its row when it is created and removes it when it is destroyed; a notice's fan-out pages through it in key order.
-- "C" collation: keys are compared byte by byte, so a region's keys form one range of the primary key. Idempotent.

create table if not exists subject_registry (
  subject_key text collate "C" not null primary key,
  kind text not null,
  created_at timestamptz not null default now()
);
