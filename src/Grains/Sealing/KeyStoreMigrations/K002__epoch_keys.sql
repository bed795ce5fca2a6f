-- K002: epoch keys. A key per (region, category, expiry day) lives in `data_keys` beside the subjects' keys (wrapped by
-- the KEK the same way; its subject is the epoch's name), with the day it serves in `epoch_day`. The key store destroys
-- each epoch key once its day is over, so every value sealed under a key derived from it (in every database, backup and
-- dump) stops opening while its subject lives on. Subject keys and hold keys have no day. Idempotent.

alter table data_keys add column if not exists epoch_day date null;

create index if not exists data_keys_epoch_day_idx on data_keys (epoch_day) where epoch_day is not null;
