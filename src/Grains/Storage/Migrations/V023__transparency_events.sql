-- V023: what the public transparency report counts (issue 25), per region, as events without identifiers. Idempotent.
-- Each row is one count: the half-year it falls in, what was counted (legal-received, legal-gagged, legal-rejected,
-- legal-complied, request-received, request-completed, request-denied), a kind (the authority kind or the request
-- kind; empty for a gag) and, for a completed request, the whole days it took. event_id makes a repeated count (after a
-- crash) count once: SHA-256 of the counting grain's key and the measure, or a random id for a request answered at once;
-- it names nothing and nothing else holds it.

create table if not exists transparency_event (
  region text not null,
  event_id text collate "C" not null,
  period text not null,
  measure text not null,
  kind text not null,
  days integer null,
  primary key (region, event_id)
);
