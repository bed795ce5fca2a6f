-- V010: each region's evidence of disclosure ledgers (issue 19, point 21). A subject's grain appends one row per change
-- of its ledger: after event seq, the ledger held `entries` entries ending in `head`. Rows are sealed (HMAC-SHA256) with
-- a ledger key from configuration, which is never stored here, so a row written by anyone else does not verify. Rows name
-- a subject by its pseudonymous grain key only. A subject's erasure appends "destroyed-by-erasure" with its entry count,
-- so an erased subject verifies as erased, not as tampered with.
--
-- Append-only, enforced twice: the service's own role (the owner that runs this migration) gives up UPDATE, DELETE and
-- TRUNCATE on the table, and triggers refuse them for anyone who still holds them. A role that owns the table could
-- grant itself the privileges back and drop the triggers: where that matters, let another role own the table.
-- Idempotent.

create table if not exists disclosure_evidence (
  subject_key text collate "C" not null,
  seq integer not null check (seq > 0),
  entries integer not null check (entries >= 0),
  head text not null,
  event text not null,
  key_version integer not null check (key_version >= 0),
  seal text not null,
  recorded_at timestamptz not null,
  primary key (subject_key, seq)
);

-- Ledgers that existed before evidence was kept: their count and head as they are now, unsealed (key version 0), once.
-- Their entries keep verifying as the unkeyed SHA-256 chain they were written in.
with candidates as materialized (
  select grain_id_extension_string as subject_key, convert_from(payload_binary, 'UTF8') as payload
  from grain_state
  where payload_binary is not null
    and grain_id_extension_string is not null
    and position(convert_to('"DisclosureLedger"', 'UTF8') in payload_binary) > 0
), ledgers as materialized (
  select subject_key, payload::jsonb as state from candidates
)
insert into disclosure_evidence (subject_key, seq, entries, head, event, key_version, seal, recorded_at)
select subject_key, 1, jsonb_array_length(state -> 'DisclosureLedger'), coalesce(state ->> 'DisclosureHead', repeat('0', 64)), 'migrated', 0, '', now()
from ledgers
where jsonb_typeof(state -> 'DisclosureLedger') = 'array' and jsonb_array_length(state -> 'DisclosureLedger') > 0
on conflict (subject_key, seq) do nothing;

create or replace function disclosure_evidence_append_only() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    -- Only this migration writes unsealed rows; the service seals every row it writes.
    if new.key_version = 0 then
      raise exception 'disclosure_evidence: unsealed rows are written only by migration V010' using errcode = '42501';
    end if;
    return new;
  end if;
  raise exception 'disclosure_evidence is append-only: % refused', tg_op using errcode = '42501';
end
$fn$;

drop trigger if exists disclosure_evidence_no_change on disclosure_evidence;
create trigger disclosure_evidence_no_change before update or delete on disclosure_evidence
  for each row execute function disclosure_evidence_append_only();

drop trigger if exists disclosure_evidence_no_truncate on disclosure_evidence;
create trigger disclosure_evidence_no_truncate before truncate on disclosure_evidence
  for each statement execute function disclosure_evidence_append_only();

drop trigger if exists disclosure_evidence_sealed_only on disclosure_evidence;
create trigger disclosure_evidence_sealed_only before insert on disclosure_evidence
  for each row execute function disclosure_evidence_append_only();

revoke update, delete, truncate on disclosure_evidence from public;
revoke update, delete, truncate on disclosure_evidence from current_user;
