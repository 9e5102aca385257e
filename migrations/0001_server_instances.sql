-- Every start of a companion server process, so an operator can see when it ran and whether it
-- stopped cleanly (stopped_at stays NULL after a crash).
CREATE TABLE server_instances (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL CHECK (pid > 0),
  app_version text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz,
  CHECK (stopped_at IS NULL OR stopped_at >= started_at)
);
