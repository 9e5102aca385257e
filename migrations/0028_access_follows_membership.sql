-- Access that follows changes as they happen (issue 17): sessions a server can revoke, refresh
-- rotation with a short grace window, removals remembered, membership and re-share events in the
-- live feed, and a guardian backup that knows when it needs re-sharing. docs/security.md says
-- which threat each answers.

-- Revoking a user's sessions (refresh-token reuse) also ends every access token issued before
-- this moment, in every server process: they hear it on `session_revocations`.
ALTER TABLE users ADD COLUMN sessions_revoked_at timestamptz;

CREATE FUNCTION notify_session_revocation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('session_revocations', jsonb_build_object(
    'userId', NEW.id, 'at', (extract(epoch FROM NEW.sessions_revoked_at) * 1000)::bigint)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER users_session_revocation AFTER UPDATE OF sessions_revoked_at ON users
  FOR EACH ROW WHEN (NEW.sessions_revoked_at IS DISTINCT FROM OLD.sessions_revoked_at)
  EXECUTE FUNCTION notify_session_revocation();

-- A rotated token remembers its successor's hash: presented again within the grace window it
-- yields the same successor (derived again from the token, never stored in plain form).
ALTER TABLE auth_refresh_tokens
  ADD COLUMN successor_hash bytea CHECK (successor_hash IS NULL OR octet_length(successor_hash) = 32);
CREATE INDEX auth_refresh_tokens_expiry ON auth_refresh_tokens (expires_at);

-- Who was removed from which family: a removed member is told 403 (it knew the family), not the
-- 404 an outsider gets. Joining again clears the row.
CREATE TABLE family_member_removals (
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL,
  removed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (family_id, user_id)
);

-- Family-level changes (members joining, leaving, changing role; a backup needing re-sharing)
-- are events of the family's feed, in commit order with everything else: the feed re-checks the
-- affected user's subscriptions before it delivers any later event.
ALTER DOMAIN feed_event_kind DROP CONSTRAINT feed_event_kind_check;
ALTER DOMAIN feed_event_kind ADD CONSTRAINT feed_event_kind_check CHECK (VALUE IN (
  'pubky_domain_event', 'pkarr_record_event', 'sovereignty_score_event', 'domain_migration_event',
  'guardian_event', 'family_event'));

CREATE FUNCTION family_members_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r family_members := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  op text := CASE TG_OP WHEN 'INSERT' THEN 'member_added' WHEN 'DELETE' THEN 'member_removed'
                        ELSE 'member_role_changed' END;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.role = OLD.role THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO family_member_removals (family_id, user_id, role) VALUES (OLD.family_id, OLD.user_id, OLD.role)
    ON CONFLICT (family_id, user_id) DO UPDATE SET role = excluded.role, removed_at = now();
  ELSIF TG_OP = 'INSERT' THEN
    DELETE FROM family_member_removals WHERE family_id = NEW.family_id AND user_id = NEW.user_id;
  END IF;
  -- A family deleted with its members has no one left to tell.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM families WHERE id = OLD.family_id) THEN
    RETURN NULL;
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('userId', r.user_id),
    'data', jsonb_build_object('op', op, 'userId', r.user_id, 'role', r.role,
                               'previousRole', CASE WHEN TG_OP = 'UPDATE' THEN OLD.role END))));
  RETURN NULL;
END $$;
CREATE TRIGGER family_members_changed AFTER INSERT OR UPDATE OR DELETE ON family_members
  FOR EACH ROW EXECUTE FUNCTION family_members_changed();

-- A backup that lost a guardian's share (the guardian was removed) still opens with the old
-- polynomial, and the removed guardian keeps the share it downloaded: it needs fresh shares.
ALTER TABLE guardian_backups ADD COLUMN reshare_needed_since timestamptz;

CREATE FUNCTION guardian_share_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  events jsonb;
BEGIN
  WITH marked AS (
    UPDATE guardian_backups b SET reshare_needed_since = now()
    WHERE b.id IN (SELECT backup_id FROM removed_shares) AND b.status = 'active'
      AND b.reshare_needed_since IS NULL
    RETURNING b.id, b.family_id, b.threshold, b.share_count
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'familyId', m.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('backupId', m.id),
    'data', jsonb_build_object('op', 'backup_needs_reshare', 'backupId', m.id,
                               'threshold', m.threshold, 'shareCount', m.share_count))), '[]')
  FROM marked m INTO events;
  PERFORM feed_append(events);
  RETURN NULL;
END $$;
CREATE TRIGGER guardian_backup_shares_removed AFTER DELETE ON guardian_backup_shares
  REFERENCING OLD TABLE AS removed_shares FOR EACH STATEMENT EXECUTE FUNCTION guardian_share_removed();

-- The score sees it: a backup that needs re-sharing counts as partial, and says why.
CREATE OR REPLACE VIEW domain_evidence AS
SELECT
  d.id AS domain_record_id,
  jsonb_build_object(
    'domainType', d.domain_type,
    'hasSignedPacket', pr.pubky_domain_id IS NOT NULL,
    'freshRelays', coalesce(pub.fresh_relays, 0),
    'freshOnDht', coalesce(pub.fresh_dht, false),
    'custody', coalesce(k.custody, 'none'),
    'guardianThreshold', coalesce(gb.threshold, 0),
    'guardianShares', coalesce(gs.shares, 0),
    'guardianAcknowledged', coalesce(gs.acknowledged, 0),
    'guardianReshareNeeded', gb.reshare_needed_since IS NOT NULL,
    'homeserverSelfHosted', pd.homeserver_self_hosted,
    'privateAddresses', coalesce(priv.n, 0),
    'recoveryExported', k.recovery_exported_at IS NOT NULL
  ) AS evidence
FROM domain_records d
LEFT JOIN pubky_domains pd ON pd.domain_record_id = d.id
LEFT JOIN pubky_keypairs k ON k.id = pd.keypair_id
LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE p.target <> 'dht')::int AS fresh_relays,
         bool_or(p.target = 'dht') AS fresh_dht
  FROM pkarr_publications p
  WHERE p.pubky_domain_id = pd.id
    AND p.confirmed_timestamp >= pr.packet_timestamp
    AND p.confirmed_at > now() - interval '24 hours'
) pub ON true
LEFT JOIN guardian_backups gb ON gb.keypair_id = k.id AND gb.status = 'active'
LEFT JOIN LATERAL (
  SELECT count(*)::int AS shares, count(s.acknowledged_at)::int AS acknowledged
  FROM guardian_backup_shares s WHERE s.backup_id = gb.id
) gs ON true
LEFT JOIN LATERAL (
  SELECT count(*)::int AS n
  FROM jsonb_array_elements(pr.records) r
  WHERE r ->> 'type' IN ('A', 'AAAA') AND is_private_address(r ->> 'address')
) priv ON true;

-- The same rules as before, with one more backup state: 'needs_reshare' earns what a partial
-- backup earns (src-shared/score/score-rules.ts mirrors it; a parity test holds them together).
CREATE OR REPLACE FUNCTION sovereignty_breakdown(e jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  factors jsonb;
  custody text := e ->> 'custody';
  threshold int := (e ->> 'guardianThreshold')::int;
  shares int := (e ->> 'guardianShares')::int;
  acked int := (e ->> 'guardianAcknowledged')::int;
  fresh_relays int := (e ->> 'freshRelays')::int;
  on_dht boolean := (e ->> 'freshOnDht')::boolean;
  has_packet boolean := (e ->> 'hasSignedPacket')::boolean;
  self_hosted boolean := (e ->> 'homeserverSelfHosted')::boolean;
  private_addresses int := (e ->> 'privateAddresses')::int;
  exported boolean := (e ->> 'recoveryExported')::boolean;
  backup text;
  owns_key boolean;
  targets int;
  p int[];
  total int;
BEGIN
  IF e ->> 'domainType' = 'traditional' THEN
    RETURN jsonb_build_object('total', 20, 'factors', jsonb_build_array(
      jsonb_build_object('key', 'provider_independence', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_controlled', 'points', 5))),
      jsonb_build_object('key', 'key_ownership', 'points', 0, 'max', 20, 'reasons', '[]'::jsonb),
      jsonb_build_object('key', 'censorship_resistance', 'points', 4, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'single_resolution_path', 'points', 4))),
      jsonb_build_object('key', 'privacy', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_and_resolver_see_queries', 'points', 5))),
      jsonb_build_object('key', 'portability', 'points', 6, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_transfer', 'points', 6)))));
  END IF;
  backup := CASE
    WHEN shares = 0 THEN 'none'
    WHEN (e ->> 'guardianReshareNeeded')::boolean IS TRUE THEN 'needs_reshare'
    WHEN threshold >= 2 AND acked >= threshold THEN 'complete'
    ELSE 'partial' END;
  owns_key := custody IN ('os-keychain', 'guardian-recovered');
  targets := fresh_relays + CASE WHEN on_dht THEN 1 ELSE 0 END;
  -- The reasons' points, factor by factor (three each), in the order the TS rules list them.
  p := ARRAY[
    CASE WHEN has_packet THEN 8 ELSE 0 END,
    CASE WHEN targets >= 2 THEN 6 WHEN targets = 1 THEN 3 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 6 WHEN self_hosted IS NULL THEN 3 ELSE 0 END,
    CASE WHEN owns_key THEN 12 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 8 WHEN 'none' THEN 0 ELSE 4 END,
    0,
    CASE WHEN has_packet THEN 4 ELSE 0 END,
    CASE WHEN fresh_relays >= 2 THEN 8 WHEN fresh_relays = 1 THEN 4 ELSE 0 END,
    CASE WHEN on_dht THEN 8 ELSE 0 END,
    20,
    CASE WHEN private_addresses > 0 THEN -10 ELSE 0 END,
    CASE WHEN self_hosted IS FALSE THEN -5 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 12 WHEN 'none' THEN 0 ELSE 6 END,
    CASE WHEN exported THEN 8 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 8 ELSE 0 END];
  factors := jsonb_build_array(
    score_factor('provider_independence', p[1] + p[2] + p[3], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[1]),
      jsonb_build_object('code', 'independent_publishers', 'points', p[2]),
      jsonb_build_object('code', CASE WHEN self_hosted IS TRUE THEN 'homeserver_self_hosted' ELSE 'homeserver_third_party' END, 'points', p[3]))),
    score_factor('key_ownership', p[4] + p[5], jsonb_build_array(
      jsonb_build_object('code', 'custody_' || replace(custody, '-', '_'), 'points', p[4]),
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[5]))),
    score_factor('censorship_resistance', p[7] + p[8] + p[9], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[7]),
      jsonb_build_object('code', 'fresh_on_relays', 'points', p[8]),
      jsonb_build_object('code', 'fresh_on_dht', 'points', p[9]))),
    score_factor('privacy', p[10] + p[11] + p[12], jsonb_build_array(
      jsonb_build_object('code', 'no_registrar_or_resolver', 'points', p[10]),
      jsonb_build_object('code', 'private_addresses_published', 'points', p[11]),
      jsonb_build_object('code', 'homeserver_third_party', 'points', p[12]))),
    score_factor('portability', p[13] + p[14] + p[15], jsonb_build_array(
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[13]),
      jsonb_build_object('code', 'recovery_file_exported', 'points', p[14]),
      jsonb_build_object('code', 'homeserver_self_hosted', 'points', p[15]))));
  total := least(20, greatest(0, p[1] + p[2] + p[3])) + least(20, greatest(0, p[4] + p[5]))
         + least(20, greatest(0, p[7] + p[8] + p[9])) + least(20, greatest(0, p[10] + p[11] + p[12]))
         + least(20, greatest(0, p[13] + p[14] + p[15]));
  RETURN jsonb_build_object('total', total, 'factors', factors);
END $$;

SELECT rescore_domains(ARRAY(SELECT id FROM domain_records));

-- The JWT signing key now comes from the operator (JWT_SECRET_FILE): the one kept here would let
-- anyone who reads a database backup mint sessions.
DELETE FROM server_secrets WHERE name = 'jwt';
