-- V013: the public aggregates are released once per closed day (issue 19). Idempotent.
-- stats_release: one row per released UTC day, with the k, the ε (whole day) and the δ it was released with. Its
-- rows (stats_release_row: what is published, noise included) and each statistic's ε, sensitivity and threshold
-- (stats_release_budget) are written in the same transaction. A released day is never changed or drawn again: the
-- database refuses any update or delete of the three tables.
-- stats_release_floor: the first day that may be released, the UTC day after this migration: days counted before it
-- (a cluster could count in up to 64 buckets a day, its apps and jobs unclamped) are never published.
-- aggregate_count gains the largest bound any cluster's apps and jobs were clamped to: the sensitivity of their sums.

create table if not exists stats_release (
  day date primary key,
  released_at timestamptz not null,
  k integer not null,
  epsilon double precision not null,
  delta double precision not null
);

create table if not exists stats_release_budget (
  day date not null references stats_release (day),
  statistic text not null,
  epsilon double precision not null,
  sensitivity bigint not null,
  threshold bigint null,
  primary key (day, statistic)
);

create table if not exists stats_release_row (
  day date not null references stats_release (day),
  metric text not null,
  bucket text not null,
  clusters bigint not null,
  apps bigint null,
  jobs bigint null,
  primary key (day, metric, bucket)
);

create or replace function stats_release_is_final() returns trigger
language plpgsql
as $$
begin
  raise exception 'a released day of the statistics is never changed';
end
$$;

drop trigger if exists stats_release_final on stats_release;
create trigger stats_release_final before update or delete on stats_release
  for each row execute function stats_release_is_final();
drop trigger if exists stats_release_budget_final on stats_release_budget;
create trigger stats_release_budget_final before update or delete on stats_release_budget
  for each row execute function stats_release_is_final();
drop trigger if exists stats_release_row_final on stats_release_row;
create trigger stats_release_row_final before update or delete on stats_release_row
  for each row execute function stats_release_is_final();

create table if not exists stats_release_floor (
  only_row boolean primary key default true check (only_row),
  first_day date not null
);

insert into stats_release_floor (first_day) values ((now() at time zone 'utc')::date + 1) on conflict do nothing;

alter table aggregate_count add column if not exists apps_bound bigint not null default 0;
alter table aggregate_count add column if not exists jobs_bound bigint not null default 0;
