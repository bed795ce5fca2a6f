-- V002: a row deleted and then written again never takes a version an earlier activation may still hold.
-- Erasure deletes grain state rows. Without a memory of their last version, a re-created row restarted at 1, and a
-- stale duplicate activation of the erased grain (holding, say, version 5) could match it after a few writes and
-- write its old state, personal data included, back. A tombstone keeps only the two hashes and the last version, for a
-- day (far longer than a duplicate activation lives); a re-created row starts above it. Idempotent.

create table if not exists grain_state_tombstone (
  grain_id_hash integer not null,
  grain_type_hash integer not null,
  last_version integer not null,
  deleted_at timestamptz not null default now(),
  primary key (grain_id_hash, grain_type_hash)
);

create index if not exists grain_state_tombstone_deleted_at_idx on grain_state_tombstone (deleted_at);

insert into orleansquery (querykey, querytext) values

-- A first write starts above any version a deleted row of the same hashes had (+2: the deleter itself holds last + 1).
('WriteToStorageKey', $q$
with inserted as (
  insert into grain_state (
    service_id, grain_type_string, grain_type_hash, grain_id_n0, grain_id_n1,
    grain_id_extension_string, grain_id_hash, payload_binary, version)
  select @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdN0, @GrainIdN1,
    @GrainIdExtensionString, @GrainIdHash, @PayloadBinary,
    coalesce((select t.last_version + 2 from grain_state_tombstone t
              where t.grain_id_hash = @GrainIdHash and t.grain_type_hash = @GrainTypeHash), 1)
  where @GrainStateVersion is null
  on conflict on constraint grain_state_natural_key do nothing
  returning version
),
updated as (
  update grain_state
  set payload_binary = @PayloadBinary, version = version + 1, modified_at = now()
  where @GrainStateVersion is not null
    and grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
    and service_id = @ServiceId and grain_type_string = @GrainTypeString
    and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
    and grain_id_extension_string is not distinct from @GrainIdExtensionString
    and version = @GrainStateVersion
  returning version
)
select version as "NewGrainStateVersion" from inserted
union all
select version from updated
$q$),

-- Removes the row, remembers its last version under its hashes, forgets tombstones older than a day, and answers
-- old version + 1, which differs from the caller's etag as Orleans requires.
('DeleteStorageKey', $q$
with deleted as (
  delete from grain_state
  where grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
    and service_id = @ServiceId and grain_type_string = @GrainTypeString
    and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
    and grain_id_extension_string is not distinct from @GrainIdExtensionString
    and version = @GrainStateVersion
  returning grain_id_hash, grain_type_hash, version
),
remembered as (
  insert into grain_state_tombstone (grain_id_hash, grain_type_hash, last_version)
  select grain_id_hash, grain_type_hash, version from deleted
  on conflict (grain_id_hash, grain_type_hash) do update
  set last_version = greatest(grain_state_tombstone.last_version, excluded.last_version), deleted_at = now()
),
expired as (
  delete from grain_state_tombstone where deleted_at < now() - interval '1 day'
)
select version + 1 as "NewGrainStateVersion" from deleted
$q$)

on conflict (querykey) do update
set querytext = excluded.querytext
where orleansquery.querytext is distinct from excluded.querytext;
