-- V024: fences of destroyed data keys in each region's destruction ledger (crypto-shredding). A fence names the key
-- (id, fingerprint, KEK version), never its subject or a pseudonym: it proves a destruction and lets a restore of the key
-- store refuse a key that was destroyed. Idempotent.

create table if not exists key_fences (
  key_id uuid primary key,
  fingerprint text not null,
  kek_version integer not null,
  region text not null,
  destroyed_at timestamptz not null
);
