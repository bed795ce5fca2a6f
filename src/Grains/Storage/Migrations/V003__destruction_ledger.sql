-- V003: the destruction ledger as rows of each region's database, one per proof and category.
-- A subject records its proof itself, under the proof's id: a proof recorded again after a crash changes nothing, so
-- the count is at least once and never twice. Rows name no subject. Idempotent.

create table if not exists destruction_ledger (
  proof_id text not null,
  category text not null,
  region text not null,
  day date not null,
  subject_kind text not null,
  why text not null,
  count integer not null check (count > 0),
  destroyed_at timestamptz not null,
  primary key (proof_id, category)
);

create index if not exists destruction_ledger_region_day_idx on destruction_ledger (region, day);

-- The ledger grains of earlier versions kept each region's day as grain state (key {region}/ledger/{yyyy-MM-dd}, a map
-- of entries, member names in either casing); their counts move into rows, once, under ids derived from the grain and entry.
insert into destruction_ledger (proof_id, category, region, day, subject_kind, why, count, destroyed_at)
select
  'migrated:' || g.grain_id_extension_string || ':' || entry.key,
  coalesce(entry.value ->> 'Category', entry.value ->> 'category'),
  split_part(g.grain_id_extension_string, '/', 1),
  split_part(g.grain_id_extension_string, '/', 3)::date,
  coalesce(entry.value ->> 'SubjectKind', entry.value ->> 'subjectKind'),
  coalesce(entry.value ->> 'Why', entry.value ->> 'why'),
  (coalesce(entry.value ->> 'Count', entry.value ->> 'count'))::integer,
  (coalesce(entry.value ->> 'LastAt', entry.value ->> 'lastAt'))::timestamptz
from grain_state g
cross join lateral jsonb_each(coalesce(convert_from(g.payload_binary, 'UTF8')::jsonb -> 'Entries', convert_from(g.payload_binary, 'UTF8')::jsonb -> 'entries')) as entry
where g.grain_id_extension_string like '%/ledger/____-__-__'
  and g.payload_binary is not null
  and (coalesce(entry.value ->> 'Count', entry.value ->> 'count'))::integer > 0
on conflict (proof_id, category) do nothing;

delete from grain_state where grain_id_extension_string like '%/ledger/____-__-__';
