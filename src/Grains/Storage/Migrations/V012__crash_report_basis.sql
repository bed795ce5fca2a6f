-- V012: why a crash report may be kept (issue 19). A crash report of a cluster nobody linked is kept on the operator's
-- own choice to send it (basis 'operator'); one of a linked cluster only while every linked person granted
-- crash-reports consent (basis 'consent'). Other rows leave it null. Idempotent.

alter table report_item add column if not exists basis text null;
