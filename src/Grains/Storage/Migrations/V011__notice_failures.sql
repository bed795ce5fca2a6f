-- V011: what a notice campaign could not do yet, per region, by pseudonymous subject key only (no identifier).
-- failure 'delivery': the fan-out could not reach the subject; retried by its reminder until it answers (outcome) or
-- Notices:GiveUpAfter passed (gave_up_at), then listed as failed in the campaign's view.
-- failure 'email': the notice is in the person's account but its email could not be delivered (final).
-- region: the fan-out's region (several regions may share one database). "C" collation: keys are compared byte by
-- byte, as in subject_registry. Idempotent.

create table if not exists notice_failure (
  region text not null,
  campaign_id text collate "C" not null,
  failure text not null,
  subject_key text collate "C" not null,
  kind text not null,
  reason text not null,
  attempts integer not null default 1,
  first_failed_at timestamptz not null,
  outcome text null,
  gave_up_at timestamptz null,
  primary key (region, campaign_id, failure, subject_key)
);
