-- Sharing a domain key between a family's own devices (docs/protocol.md, "Sharing a domain key").
--
-- The holder's app seals the key's seed to another member's Pubky key; this server keeps the
-- sealed blob, which it cannot open, until the recipient accepts (its app opens it into its
-- keychain) or declines, and then deletes it. Who holds a domain's key is kept beside it, so the
-- family's domain list can say who may edit a domain a device cannot.

CREATE TABLE domain_key_shares (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  domain_record_id uuid NOT NULL,
  sender_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  -- Header (57 bytes) and tag (16) around a 32-byte seed; never more than the sealing module seals.
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT domain_key_shares_pkey PRIMARY KEY (id),
  CONSTRAINT domain_key_shares_family_id_fkey FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_shares_not_to_self CHECK (sender_id <> recipient_id),
  CONSTRAINT domain_key_shares_sealed_size CHECK (length(sealed) BETWEEN 73 AND 4169),
  -- A newer share of the same key to the same person replaces the open one.
  CONSTRAINT domain_key_shares_one_open UNIQUE (domain_record_id, recipient_id)
);
CREATE INDEX domain_key_shares_recipient ON domain_key_shares USING btree (recipient_id);
COMMENT ON TABLE domain_key_shares IS 'Domain keys sealed to one member''s Pubky key by another member''s device; deleted once answered.';

CREATE TABLE domain_key_holders (
  domain_record_id uuid NOT NULL,
  user_id uuid NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT domain_key_holders_pkey PRIMARY KEY (domain_record_id, user_id),
  CONSTRAINT domain_key_holders_domain_record_id_fkey FOREIGN KEY (domain_record_id) REFERENCES domain_records(id) ON DELETE CASCADE,
  CONSTRAINT domain_key_holders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX domain_key_holders_user ON domain_key_holders USING btree (user_id);
COMMENT ON TABLE domain_key_holders IS 'Members whose devices hold a domain''s key: who registered it and who accepted a share of it.';

-- The family hears of a share (the recipient's app lists it at once) and of its answer.
CREATE FUNCTION feed_domain_key_shares()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  r domain_key_shares := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  -- A family or domain deleted with its shares has no one left to tell.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM domain_records WHERE id = OLD.domain_record_id) THEN
    RETURN NULL;
  END IF;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'family_event',
    'entity', jsonb_build_object('keyShareId', r.id),
    'data', jsonb_build_object('op', CASE TG_OP WHEN 'DELETE' THEN 'key_share_closed' ELSE 'key_shared' END,
                               'keyShareId', r.id, 'domainRecordId', r.domain_record_id,
                               'senderId', r.sender_id, 'recipientId', r.recipient_id))));
  RETURN NULL;
END $function$;

-- A member who leaves takes nothing with them that was waiting for them, and their open
-- shares to others close; the keys their devices already hold are theirs (the owner rotates a
-- domain's key to shut them out).
CREATE FUNCTION domain_key_shares_member_left()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM domain_key_shares
  WHERE family_id = OLD.family_id AND (recipient_id = OLD.user_id OR sender_id = OLD.user_id);
  DELETE FROM domain_key_holders h USING domain_records d
  WHERE h.domain_record_id = d.id AND d.family_id = OLD.family_id AND h.user_id = OLD.user_id;
  RETURN NULL;
END $function$;

CREATE TRIGGER domain_key_shares_feed AFTER INSERT OR DELETE OR UPDATE ON domain_key_shares FOR EACH ROW EXECUTE FUNCTION feed_domain_key_shares();
CREATE TRIGGER family_members_left_key_shares AFTER DELETE ON family_members FOR EACH ROW EXECUTE FUNCTION domain_key_shares_member_left();
