-- Guardians recovering a family's key (docs/guardians.md).
--
-- A backup commits to every share: a hash of each share, and the domain key's signature over
-- the list, so a share swapped or damaged anywhere is found and its guardian named. A recovery is
-- asked for by a new machine's one-time key; each approving guardian seals its share again to
-- that key; the sealed shares are released only after the family's waiting period (or when an
-- owner approves), while no guardian's freeze holds, and never after a family device cancelled.

ALTER TABLE guardian_backup_shares ADD COLUMN commitment bytea;
ALTER TABLE guardian_backup_shares ADD CONSTRAINT guardian_backup_shares_commitment_check
  CHECK (commitment IS NULL OR octet_length(commitment) = 32);
ALTER TABLE guardian_backups ADD COLUMN commitment_signature bytea;
ALTER TABLE guardian_backups ADD CONSTRAINT guardian_backups_commitment_signature_check
  CHECK (commitment_signature IS NULL OR octet_length(commitment_signature) = 64);

ALTER TABLE families ADD COLUMN recovery_wait_seconds integer NOT NULL DEFAULT 86400;
ALTER TABLE families ADD CONSTRAINT families_recovery_wait_seconds_check
  CHECK (recovery_wait_seconds BETWEEN 0 AND 2592000);
COMMENT ON COLUMN families.recovery_wait_seconds IS 'How long a guardian recovery waits before shares are released (the family''s devices can cancel meanwhile).';

CREATE TABLE guardian_recoveries (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  backup_id uuid NOT NULL,
  requester_id uuid NOT NULL,
  ephemeral_public_key z32_key NOT NULL,
  status text NOT NULL DEFAULT 'waiting',
  release_at timestamptz NOT NULL,
  approved_by uuid,
  cancelled_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT guardian_recoveries_pkey PRIMARY KEY (id),
  CONSTRAINT guardian_recoveries_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_backup_id_fkey FOREIGN KEY (backup_id) REFERENCES guardian_backups(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_requester_id_fkey FOREIGN KEY (requester_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recoveries_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT guardian_recoveries_cancelled_by_fkey FOREIGN KEY (cancelled_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT guardian_recoveries_status_check CHECK (status IN ('waiting', 'completed', 'cancelled'))
);
CREATE UNIQUE INDEX guardian_recoveries_one_open ON guardian_recoveries USING btree (backup_id) WHERE (status = 'waiting');
CREATE INDEX guardian_recoveries_family ON guardian_recoveries USING btree (family_id);

-- A guardian's share sealed again, to the recovery's one-time key.
CREATE TABLE guardian_recovery_shares (
  recovery_id uuid NOT NULL,
  guardian_id uuid NOT NULL,
  sealed bytea NOT NULL,
  approved_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT guardian_recovery_shares_pkey PRIMARY KEY (recovery_id, guardian_id),
  CONSTRAINT guardian_recovery_shares_recovery_id_fkey FOREIGN KEY (recovery_id) REFERENCES guardian_recoveries(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recovery_shares_guardian_id_fkey FOREIGN KEY (guardian_id) REFERENCES federation_guardians(id) ON DELETE CASCADE,
  CONSTRAINT guardian_recovery_shares_sealed_check CHECK (octet_length(sealed) BETWEEN 73 AND 4169)
);

-- A guardian's emergency freeze of a family's recoveries, until a time.
CREATE TABLE guardian_freezes (
  family_id uuid NOT NULL,
  guardian_id uuid NOT NULL,
  frozen_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT guardian_freezes_pkey PRIMARY KEY (family_id, guardian_id),
  CONSTRAINT guardian_freezes_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT guardian_freezes_guardian_id_fkey FOREIGN KEY (guardian_id) REFERENCES federation_guardians(id) ON DELETE CASCADE
);

-- The family hears of every recovery step (its devices can cancel); each guardian of the family
-- hears of a recovery asked or ended (its guardian view lists it).
CREATE FUNCTION feed_guardian_recoveries()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  op text := CASE WHEN TG_OP = 'INSERT' THEN 'recovery_requested' ELSE 'recovery_' || NEW.status END;
  data jsonb := jsonb_build_object('op', op, 'recoveryId', NEW.id, 'backupId', NEW.backup_id,
                                   'status', NEW.status, 'releaseAt', NEW.release_at,
                                   'approvedBy', NEW.approved_by, 'cancelledBy', NEW.cancelled_by);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status AND NEW.approved_by IS NOT DISTINCT FROM OLD.approved_by THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
    data := data || jsonb_build_object('op', 'recovery_approved');
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', NEW.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('recoveryId', NEW.id), 'data', data))
    || coalesce((SELECT jsonb_agg(jsonb_build_object(
         'familyId', NEW.family_id, 'kind', 'guardian_event',
         'entity', jsonb_build_object('guardianUserId', g.user_id, 'guardianId', g.id, 'recoveryId', NEW.id),
         'data', data))
       FROM federation_guardians g WHERE g.family_id = NEW.family_id), '[]'::jsonb));
  RETURN NULL;
END $function$;

CREATE FUNCTION feed_guardian_freezes()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', NEW.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('guardianId', NEW.guardian_id),
    'data', jsonb_build_object('op', 'recovery_frozen', 'guardianId', NEW.guardian_id,
                               'frozenUntil', NEW.frozen_until))));
  RETURN NULL;
END $function$;

CREATE TRIGGER guardian_recoveries_feed AFTER INSERT OR UPDATE ON guardian_recoveries FOR EACH ROW EXECUTE FUNCTION feed_guardian_recoveries();
CREATE TRIGGER guardian_freezes_feed AFTER INSERT OR UPDATE ON guardian_freezes FOR EACH ROW EXECUTE FUNCTION feed_guardian_freezes();
