-- Sign-in with a Pubky AuthToken (design.md §4): a token is single use. Its id (timestamp ‖ public
-- key, as pubky-core defines it) is kept until the token could no longer pass the ±45 s window,
-- so every server process on this database refuses a replay.
CREATE TABLE auth_token_uses (
  token_id bytea PRIMARY KEY CHECK (octet_length(token_id) = 40),
  used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX auth_token_uses_expiry ON auth_token_uses (expires_at);
