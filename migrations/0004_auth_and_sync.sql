-- Password-less sign-in: a member proves possession of a registered key by signing a one-time
-- challenge; the server answers a short-lived JWT and a refresh token (stored hashed, rotated).
-- Packet uploads from the app's outbox are idempotent by the client's id.

CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  secret bytea NOT NULL CHECK (octet_length(secret) >= 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE server_secrets IS
  'Secrets of the server itself (the JWT signing key), never a family''s.';

CREATE TABLE auth_challenges (
  nonce text PRIMARY KEY CHECK (length(nonce) BETWEEN 32 AND 128),
  public_key z32_key NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX auth_challenges_expiry ON auth_challenges (expires_at);

CREATE TABLE auth_refresh_tokens (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  replaced_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_refresh_tokens_user ON auth_refresh_tokens (user_id);

CREATE TABLE sync_receipts (
  client_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  public_key z32_key NOT NULL,
  packet_timestamp bigint NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('stored', 'stale')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);
