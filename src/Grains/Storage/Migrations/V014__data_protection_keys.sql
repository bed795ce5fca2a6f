-- V014: the gateways' ASP.NET Core Data Protection key ring (issue 26). Idempotent.
-- data_protection_key: one row per key, the key's XML as Data Protection writes it, under its friendly name
-- ("key-{id}"). Every gateway replica reads the same ring, so a Privacy Center form rendered by one replica is
-- accepted by another, and open forms survive a rollout. The keys protect antiforgery tokens; no personal data.
-- Until the key store exists they are stored as Data Protection writes them (its own XML, unwrapped).

create table if not exists data_protection_key (
  friendly_name text primary key,
  xml text not null,
  stored_at timestamptz not null default now()
);
