-- V028: notices to people as rows (issue 21, DESIGN §2's first set-based exception): a breach or policy fan-out appends a
-- batch of them in one statement (a repeat of a batch stores nothing twice), each with its email, which a silo's drain
-- delivers and then forgets. The person is a pseudonymous grain key; title, text and email are sealed per value under the
-- person's data key (store person_notice, the column, the person, the campaign id). Idempotent.

create table if not exists person_notice (
  region text not null,
  person text collate "C" not null,
  campaign_id text collate "C" not null,
  kind text not null,
  at timestamptz not null,
  via text collate "C" not null,
  body bytea not null,
  email bytea,
  email_state text not null default 'pending' check (email_state in ('pending', 'delivered', 'undelivered', 'displaced')),
  email_due_at timestamptz,
  -- The order notices were appended in: two at the same instant still show in the order they were sent.
  seq bigint generated always as identity,
  primary key (region, person, campaign_id)
);

create index if not exists person_notice_email_due on person_notice (region, email_due_at) where email_state = 'pending';
