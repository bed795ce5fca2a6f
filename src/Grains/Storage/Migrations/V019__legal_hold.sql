-- V019: legal holds mirrored out of grain state (issue 21), so that retention can delete many subjects' expired report
-- rows in one statement and still leave every held subject's rows alone. A subject grain writes its row before the
-- state write that places a hold and deletes it only after the state write that lifts or replaces it: the table may
-- say "held" a moment longer than the state (the subject is kept longer), never "not held" while the state is held.
--   hold_id      a fresh id per placement (kept in the subject's state), so a lift deletes the row of the hold it
--                lifted and never a newer one; 'backfill' for holds placed before this table existed;
--   ends_at      the hold's own end (null: until lifted); a row past it no longer holds anything.
-- Holds in state written before sealing (plain JSON payloads) are copied here; sealed states are read by the silo
-- (LegalHoldBackfill), which marks each region done in legal_hold_backfill. Retention waves wait for that mark.
-- Nothing personal: the pseudonymous grain key and times only. Idempotent.

create table if not exists legal_hold (
  subject_key text not null,
  hold_id text not null,
  subject_kind text not null,
  placed_at timestamptz not null,
  ends_at timestamptz null,
  primary key (subject_key, hold_id)
);

create table if not exists legal_hold_backfill (
  region text primary key,
  done_at timestamptz not null
);

insert into legal_hold (subject_key, hold_id, subject_kind, placed_at, ends_at)
select state.grain_id_extension_string, 'backfill', state.grain_type_string,
       (state.hold ->> 'PlacedAt')::timestamptz, (state.hold ->> 'EndsAt')::timestamptz
from (select grain_type_string, grain_id_extension_string, convert_from(payload_binary, 'UTF8')::jsonb -> 'LegalHold' as hold
      from grain_state
      where grain_type_string = 'cluster' and payload_binary is not null) as state
where jsonb_typeof(state.hold) = 'object'
on conflict (subject_key, hold_id) do nothing;
