-- K004: the history of the key-encryption keys (KEKs). A row per version ever active: when it became active, when it
-- stopped (another version became active) and when it was destroyed (Keys:KekMaxAge after it stopped; its material is
-- then dropped from use by every silo). Every data key wrapped by a stopped version is re-wrapped under the active one in
-- the background, so a key-store backup older than KekMaxAge holds only keys no configured KEK can unwrap. Idempotent.

create table if not exists kek_versions (
  version integer primary key check (version > 0),
  activated_at timestamptz null, -- null: a version already configured before this history was kept
  deactivated_at timestamptz null,
  destroyed_at timestamptz null
);

-- At most one version is active (never stopped) at a time.
create unique index if not exists kek_versions_one_active_idx on kek_versions ((true)) where deactivated_at is null;

-- The re-wrap looks up the keys that are not under the active version.
create index if not exists data_keys_kek_version_idx on data_keys (kek_version);

-- The pseudonym key cannot change: every grain key, reminder, directory and key-store row names subjects by an HMAC
-- under Privacy:PseudonymKey. A check value (the pseudonym of a fixed public name, never the key) is recorded by the
-- first silo; a silo whose configured key gives another value refuses to start instead of orphaning every subject.
create table if not exists pseudonym_key_check (
  singleton boolean primary key default true check (singleton),
  check_value text not null,
  recorded_at timestamptz not null
);
