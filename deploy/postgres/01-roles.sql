-- Once, as a PostgreSQL superuser:  psql -v ON_ERROR_STOP=1 -f 01-roles.sql
-- Three roles. Only louyu_owner can create, alter, drop or disable triggers on tables; the
-- processes that run all day cannot.
--   louyu_owner   owns the database and its tables; used only by `manage.py migrate`
--   louyu_app     app servers: read/write on every table, but SELECT, INSERT only on core_auditlog
--   louyu_worker  job workers: louyu_app plus DELETE on core_auditlog (the retention purge; the
--                 table's trigger still refuses to delete rows younger than 183 days)
-- Set the passwords with \password afterwards, or replace the placeholders.

CREATE ROLE louyu_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE louyu_app LOGIN PASSWORD 'change-me-app';
CREATE ROLE louyu_worker LOGIN PASSWORD 'change-me-worker' IN ROLE louyu_app;

CREATE DATABASE louyu OWNER louyu_owner ENCODING 'UTF8' TEMPLATE template0;

\connect louyu
-- Nobody but the owner creates objects; the app roles only use what migrations made.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO louyu_owner;
GRANT USAGE ON SCHEMA public TO louyu_app;
-- Tables and sequences created later by migrations get the app's rights automatically;
-- 02-grants.sql then narrows the audit log again.
ALTER DEFAULT PRIVILEGES FOR ROLE louyu_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO louyu_app;
ALTER DEFAULT PRIVILEGES FOR ROLE louyu_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO louyu_app;
