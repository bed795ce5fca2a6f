-- V004: the report log. Each item of a report is a row of its subject's region database, owned and written by the
-- subject's grain: a report costs one insert, whatever the subject already holds. The subject's key is its
-- pseudonymous grain key; the report id is unique per subject (a repeated report is refused by the key). Retention
-- deletes by (subject_key, expires_at). Idempotent.

create table if not exists report_item (
  subject_key text not null,
  report_id text not null,
  category text not null,
  source text not null,
  purpose text not null,
  collected_at timestamptz not null,
  expires_at timestamptz not null,
  personal boolean not null,
  value text null,
  metrics jsonb not null default '{}'::jsonb,
  primary key (subject_key, report_id, category)
);

create index if not exists report_item_subject_expiry_idx on report_item (subject_key, expires_at);
create index if not exists report_item_subject_order_idx on report_item (subject_key, collected_at, report_id, category);
