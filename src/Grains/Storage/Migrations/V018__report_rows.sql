-- V018: one row per report (issue 21). A report was three to five report_item rows, each with a primary key and two
-- secondary indexes: ten raw rows' worth of WAL. Now it is one `report` row with one secondary index (expiry):
--   items       every item's category, source, purpose, expiry (microseconds since the Unix epoch), personal flag,
--               metrics, value and basis, as a jsonb array of {"c","s","p","e","n","m","v","b"} ("a": the item's own
--               collection time where it differs from the row's; absent members are null or empty);
--   ip_address  the one personal value kept apart (the IP address item's value, not repeated in `items`), so it can be
--               set to null, or sealed, on its own;
--   expires_at  the earliest expiry of what the row still holds: what retention looks for. Retention removes expired
--               items from `items` (and nulls `ip_address` with its item), and deletes the row once nothing is left.
-- The report id is unique per subject (a repeated report is refused by the primary key). The rows of report_item move
-- here, grouped by report, and `report_items` is a read-only view of the items (one line per item, as report_item had them). Idempotent.

create table if not exists report (
  subject_key text not null,
  report_id text not null,
  collected_at timestamptz not null,
  expires_at timestamptz not null,
  items jsonb not null,
  ip_address text null,
  primary key (subject_key, report_id)
);

create index if not exists report_expiry_idx on report (expires_at);

do $$
begin
  if exists (select 1 from pg_tables where schemaname = current_schema() and tablename = 'report_item') then
    insert into report (subject_key, report_id, collected_at, expires_at, items, ip_address)
    select subject_key, report_id, min(first_at), min(expires_at),
           jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
             'c', category, 's', source, 'p', purpose,
             'e', (extract(epoch from expires_at) * 1000000)::bigint,
             'n', personal,
             'a', case when collected_at <> first_at then (extract(epoch from collected_at) * 1000000)::bigint end,
             'v', case when category <> 'ip-address' then value end,
             'm', case when metrics <> '{}'::jsonb then metrics end,
             'b', basis)) order by category),
           max(value) filter (where category = 'ip-address')
    from (select item.*, min(collected_at) over (partition by subject_key, report_id) as first_at from report_item item) as item
    group by subject_key, report_id
    on conflict (subject_key, report_id) do nothing;
    drop table report_item;
  end if;
end
$$;

create or replace view report_items as
select report.subject_key, report.report_id, item ->> 'c' as category, item ->> 's' as source, item ->> 'p' as purpose,
       coalesce(timestamptz 'epoch' + (item ->> 'a')::bigint * interval '1 microsecond', report.collected_at) as collected_at,
       timestamptz 'epoch' + (item ->> 'e')::bigint * interval '1 microsecond' as expires_at,
       (item ->> 'n')::boolean as personal,
       case when item ->> 'c' = 'ip-address' then report.ip_address else item ->> 'v' end as value,
       coalesce(item -> 'm', '{}'::jsonb) as metrics,
       item ->> 'b' as basis
from report cross join lateral jsonb_array_elements(report.items) as item;
