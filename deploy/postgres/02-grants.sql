-- After every `manage.py migrate`, as louyu_owner (idempotent):
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f 02-grants.sql
-- Every table: read and write for the app. The audit log: append and read only.

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO louyu_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO louyu_app;

REVOKE ALL ON core_auditlog FROM louyu_app;
GRANT SELECT, INSERT ON core_auditlog TO louyu_app;

-- Workers purge rows past the retention period; the trigger core_auditlog_append_only still
-- refuses UPDATE always and DELETE of rows younger than 183 days, whoever asks.
GRANT DELETE ON core_auditlog TO louyu_worker;
