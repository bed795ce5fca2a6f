-- V008: the collection paths and publication (issue 14). Idempotent.
-- analytics_event: site analytics events, stored without any identifier (no address, no account, no cookie), destroyed
-- after their retention by a silo-wide sweep on expires_at.
-- aggregate_count: the public aggregates. One row per day, metric and bucket: how many distinct clusters were counted
-- there and the totals they brought. No identifier of any kind: it is kept forever and published (k-anonymous).

create table if not exists analytics_event (
  event_id uuid primary key,
  page text not null,
  campaign text null,
  conversion text null,
  collected_at timestamptz not null,
  expires_at timestamptz not null
);

create index if not exists analytics_event_expiry_idx on analytics_event (expires_at);

create table if not exists aggregate_count (
  day date not null,
  metric text not null,
  bucket text not null,
  clusters bigint not null default 0,
  apps bigint not null default 0,
  jobs bigint not null default 0,
  primary key (day, metric, bucket)
);
