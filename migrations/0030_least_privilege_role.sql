-- The server runs as pubky_app, which may read and write rows and nothing more: no DDL, no
-- TRUNCATE, no disabling triggers (the scores and the feed depend on them), no server files
-- (COPY … PROGRAM is a superuser's). Only the migration runner uses the owner role
-- (docs/security.md). Roles belong to the whole cluster: another database on it may have made
-- this one already.
DO $$
BEGIN
  CREATE ROLE pubky_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

GRANT USAGE ON SCHEMA public TO pubky_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pubky_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pubky_app;
-- The ledger is the runner's: the server only reads its version (/healthz).
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM pubky_app;
-- Nothing of the server's own secrets is kept in the database any more (0028).
REVOKE ALL ON server_secrets FROM pubky_app;
-- Tables and sequences later migrations create are the server's to use in the same way.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pubky_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO pubky_app;
