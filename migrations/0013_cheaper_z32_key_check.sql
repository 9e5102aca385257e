-- The z32_key domain's CHECK used a bounded repetition, `{52}`, which Postgres's regex engine
-- runs as 52 chained states: about 8.6 µs a value (`npm run bench`: a 100-packet sync spent
-- ~1.5 ms of its ~13 ms in the database on it, in receipts and relay rows). The same rule as a
-- character class with `+` and a length test costs about 1 µs. Same values pass, same fail.
ALTER DOMAIN z32_key DROP CONSTRAINT z32_key_check;
ALTER DOMAIN z32_key ADD CONSTRAINT z32_key_check
  CHECK (VALUE ~ '^[ybndrfg8ejkmcpqxot1uwisza345h769]+$' AND length(VALUE) = 52);
