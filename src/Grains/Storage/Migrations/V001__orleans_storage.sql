-- V001: the PostgreSQL storage behind Orleans' ADO.NET clustering, reminders and grain persistence.
-- Written for Orleans 10.4.2 against shared/ORLEANS-ADONET-CONTRACT.md; needs PostgreSQL 15+ (NULLS NOT DISTINCT).
-- Every statement is idempotent, so running this file again changes nothing.
-- Objects are created unqualified: they land in, and the providers find them through, the session's search_path.

-- ---------------------------------------------------------------------------------------------------------------
-- Query catalogue. Orleans fixes this name: unquoted OrleansQuery(QueryKey, QueryText), which folds to lower case.
-- ---------------------------------------------------------------------------------------------------------------
create table if not exists orleansquery (
  querykey text primary key,
  querytext text not null
);

-- ---------------------------------------------------------------------------------------------------------------
-- Clustering. One version row per deployment (the table etag) and one row per silo incarnation.
-- ---------------------------------------------------------------------------------------------------------------
create table if not exists membership_version (
  deployment_id text primary key,
  version integer not null default 0 check (version >= 0),
  changed_at timestamptz not null default now()
);

create table if not exists membership_member (
  deployment_id text not null references membership_version (deployment_id) on delete cascade,
  address text not null,
  port integer not null,
  generation integer not null,
  silo_name text not null,
  host_name text not null,
  status integer not null,
  proxy_port integer not null,
  suspect_times text null,
  start_time timestamptz not null,
  i_am_alive_time timestamptz not null,
  primary key (deployment_id, address, port, generation)
);

-- Adds a member and moves the table version from p_version to p_version + 1, both or neither.
-- The version row is locked first, so competing writers holding the same version queue behind it and then fail.
create or replace function membership_insert_member(
  p_deployment_id text,
  p_address text,
  p_port integer,
  p_generation integer,
  p_silo_name text,
  p_host_name text,
  p_status integer,
  p_proxy_port integer,
  p_start_time timestamptz,
  p_i_am_alive_time timestamptz,
  p_version integer)
returns boolean
language plpgsql
as $$
begin
  perform 1 from membership_version
    where deployment_id = p_deployment_id and version = p_version
    for no key update;
  if not found then
    return false;
  end if;

  insert into membership_member (
    deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
    suspect_times, start_time, i_am_alive_time)
  values (
    p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
    null, p_start_time, p_i_am_alive_time)
  on conflict (deployment_id, address, port, generation) do nothing;
  if not found then
    return false;
  end if;

  update membership_version
    set version = version + 1, changed_at = now()
    where deployment_id = p_deployment_id;
  return true;
end;
$$;

-- Updates a member's status, votes and heartbeat and bumps the table version, both or neither:
-- a missing member row leaves the version untouched.
create or replace function membership_update_member(
  p_deployment_id text,
  p_address text,
  p_port integer,
  p_generation integer,
  p_status integer,
  p_suspect_times text,
  p_i_am_alive_time timestamptz,
  p_version integer)
returns boolean
language plpgsql
as $$
begin
  perform 1 from membership_version
    where deployment_id = p_deployment_id and version = p_version
    for no key update;
  if not found then
    return false;
  end if;

  update membership_member
    set status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
    where deployment_id = p_deployment_id
      and address = p_address and port = p_port and generation = p_generation;
  if not found then
    return false;
  end if;

  update membership_version
    set version = version + 1, changed_at = now()
    where deployment_id = p_deployment_id;
  return true;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Reminders. Version comes from a cycling sequence, so a re-created reminder never reuses an old etag.
-- ---------------------------------------------------------------------------------------------------------------
create sequence if not exists reminder_version_seq as integer minvalue 0 start with 0 cycle;

create table if not exists reminder (
  service_id text not null,
  grain_id text not null,
  reminder_name text not null,
  grain_hash integer not null,
  start_time timestamptz not null,
  period bigint not null,
  version integer not null,
  primary key (service_id, grain_id, reminder_name)
);

create index if not exists reminder_service_hash_idx on reminder (service_id, grain_hash);

-- ---------------------------------------------------------------------------------------------------------------
-- Grain state. The natural key is unique with NULL extensions equal, so two first writes cannot both insert.
-- ---------------------------------------------------------------------------------------------------------------
create table if not exists grain_state (
  service_id text not null,
  grain_type_string text not null,
  grain_type_hash integer not null,
  grain_id_n0 bigint not null,
  grain_id_n1 bigint not null,
  grain_id_extension_string text null,
  grain_id_hash integer not null,
  payload_binary bytea null,
  version integer not null,
  modified_at timestamptz not null default now(),
  constraint grain_state_natural_key unique nulls not distinct
    (service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string)
);

-- String keys all share n0 = n1 = 0, so lookups narrow by the hashes first.
create index if not exists grain_state_hash_idx on grain_state (grain_id_hash, grain_type_hash);

-- ---------------------------------------------------------------------------------------------------------------
-- The catalogue rows. Placeholders are the exact, case-sensitive parameter names the providers bind.
-- ---------------------------------------------------------------------------------------------------------------
insert into orleansquery (querykey, querytext) values

-- Clustering -----------------------------------------------------------------------------------------------------

('InsertMembershipVersionKey', $q$
with created as (
  insert into membership_version (deployment_id, version)
  values (@DeploymentId, 0)
  on conflict (deployment_id) do nothing
  returning 1
)
select count(*) = 1 from created
$q$),

('MembershipReadAllKey', $q$
select
  v.version as "Version",
  m.address as "Address",
  m.port as "Port",
  m.generation as "Generation",
  m.silo_name as "SiloName",
  m.host_name as "HostName",
  m.status as "Status",
  m.proxy_port as "ProxyPort",
  m.suspect_times as "SuspectTimes",
  m.start_time as "StartTime",
  m.i_am_alive_time as "IAmAliveTime"
from membership_version v
left join membership_member m on m.deployment_id = v.deployment_id
where v.deployment_id = @DeploymentId
$q$),

('MembershipReadRowKey', $q$
select
  v.version as "Version",
  m.address as "Address",
  m.port as "Port",
  m.generation as "Generation",
  m.silo_name as "SiloName",
  m.host_name as "HostName",
  m.status as "Status",
  m.proxy_port as "ProxyPort",
  m.suspect_times as "SuspectTimes",
  m.start_time as "StartTime",
  m.i_am_alive_time as "IAmAliveTime"
from membership_version v
left join membership_member m
  on m.deployment_id = v.deployment_id
  and m.address = @Address and m.port = @Port and m.generation = @Generation
where v.deployment_id = @DeploymentId
$q$),

('InsertMembershipKey', $q$
select membership_insert_member(
  @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
  @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),

('UpdateMembershipKey', $q$
select membership_update_member(
  @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)
$q$),

('UpdateIAmAlivetimeKey', $q$
update membership_member
set i_am_alive_time = @IAmAliveTime
where deployment_id = @DeploymentId
  and address = @Address and port = @Port and generation = @Generation
$q$),

('GatewaysQueryKey', $q$
select address as "Address", proxy_port as "ProxyPort", generation as "Generation"
from membership_member
where deployment_id = @DeploymentId and status = @Status and proxy_port > 0
$q$),

('DeleteMembershipTableEntriesKey', $q$
delete from membership_version
where deployment_id = @DeploymentId
$q$),

-- Dead, started and last alive before the cutoff, and no suspicion vote at or after it (votes are
-- "<silo>,yyyy-MM-dd HH:mm:ss.fff GMT" joined by '|', which sorts as text in the C collation).
('CleanupDefunctSiloEntriesKey', $q$
delete from membership_member m
where m.deployment_id = @DeploymentId
  and m.status = 6
  and m.i_am_alive_time < @IAmAliveTime
  and m.start_time < @IAmAliveTime
  and not exists (
    select 1
    from regexp_split_to_table(coalesce(m.suspect_times, ''), '\|') as vote
    where vote <> ''
      and split_part(vote, ',', 2) collate "C"
        >= to_char(@IAmAliveTime at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || ' GMT')
$q$),

('CleanupDefunctSiloEntryKey', $q$
delete from membership_member
where deployment_id = @DeploymentId
  and address = @Address and port = @Port and generation = @Generation
  and status = 6
  and start_time = @StartTime
  and i_am_alive_time = @IAmAliveTime
  and coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$),

-- Reminders ------------------------------------------------------------------------------------------------------

('ReadReminderRowsKey', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime",
  period as "Period", version as "Version"
from reminder
where service_id = @ServiceId and grain_id = @GrainId
$q$),

('ReadReminderRowKey', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime",
  period as "Period", version as "Version"
from reminder
where service_id = @ServiceId and grain_id = @GrainId and reminder_name = @ReminderName
$q$),

('ReadRangeRows1Key', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime",
  period as "Period", version as "Version"
from reminder
where service_id = @ServiceId and grain_hash > @BeginHash and grain_hash <= @EndHash
$q$),

('ReadRangeRows2Key', $q$
select grain_id as "GrainId", reminder_name as "ReminderName", start_time as "StartTime",
  period as "Period", version as "Version"
from reminder
where service_id = @ServiceId and (grain_hash > @BeginHash or grain_hash <= @EndHash)
$q$),

('UpsertReminderRowKey', $q$
insert into reminder (service_id, grain_id, reminder_name, grain_hash, start_time, period, version)
values (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, nextval('reminder_version_seq')::integer)
on conflict (service_id, grain_id, reminder_name) do update
set grain_hash = excluded.grain_hash,
  start_time = excluded.start_time,
  period = excluded.period,
  version = excluded.version
returning version as "Version"
$q$),

('DeleteReminderRowKey', $q$
with deleted as (
  delete from reminder
  where service_id = @ServiceId and grain_id = @GrainId and reminder_name = @ReminderName
    and version = @Version
  returning 1
)
select count(*) = 1 from deleted
$q$),

('DeleteReminderRowsKey', $q$
delete from reminder
where service_id = @ServiceId
$q$),

-- Persistence ----------------------------------------------------------------------------------------------------

('ReadFromStorageKey', $q$
select payload_binary as "PayloadBinary", version as "Version"
from grain_state
where grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
  and service_id = @ServiceId and grain_type_string = @GrainTypeString
  and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
  and grain_id_extension_string is not distinct from @GrainIdExtensionString
$q$),

-- No version: insert if the key is absent (version 1). Version v: update only where the row is still at v.
-- A lost race yields no row, which Orleans reports as InconsistentStateException.
('WriteToStorageKey', $q$
with inserted as (
  insert into grain_state (
    service_id, grain_type_string, grain_type_hash, grain_id_n0, grain_id_n1,
    grain_id_extension_string, grain_id_hash, payload_binary, version)
  select @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdN0, @GrainIdN1,
    @GrainIdExtensionString, @GrainIdHash, @PayloadBinary, 1
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

-- Keeps the row with no payload and a new version, so the next write takes the update path.
('ClearStorageKey', $q$
update grain_state
set payload_binary = null, version = version + 1, modified_at = now()
where grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
  and service_id = @ServiceId and grain_type_string = @GrainTypeString
  and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
  and grain_id_extension_string is not distinct from @GrainIdExtensionString
  and version = @GrainStateVersion
returning version as "NewGrainStateVersion"
$q$),

-- Removes the row and answers old version + 1, which differs from the caller's etag as Orleans requires.
('DeleteStorageKey', $q$
delete from grain_state
where grain_id_hash = @GrainIdHash and grain_type_hash = @GrainTypeHash
  and service_id = @ServiceId and grain_type_string = @GrainTypeString
  and grain_id_n0 = @GrainIdN0 and grain_id_n1 = @GrainIdN1
  and grain_id_extension_string is not distinct from @GrainIdExtensionString
  and version = @GrainStateVersion
returning version + 1 as "NewGrainStateVersion"
$q$)

on conflict (querykey) do update
set querytext = excluded.querytext
where orleansquery.querytext is distinct from excluded.querytext;
