-- K001: the key store's own database. One row per subject's live data key, wrapped by a key-encryption key (KEK) whose
-- version the row records; the key material itself never leaves the process unwrapped. Deleting a row is crypto-shredding:
-- every value sealed under the key, in every database, backup and dump, no longer opens. Idempotent.

create table if not exists data_keys (
  key_id uuid primary key,
  subject text not null unique,
  kek_version integer not null check (kek_version > 0),
  wrapped bytea not null,
  fingerprint text not null,
  created_at timestamptz not null
);
