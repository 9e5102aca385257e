// The sovereignty score rules, shared by the app (offline preview) and mirrored exactly by the
// SQL function sovereignty_breakdown() that the server's triggers run (a parity test holds them
// together). Five factors of 0-20 points, each with the evidence-based reasons behind its points.
export type Custody = 'os-keychain' | 'guardian-recovered' | 'unknown' | 'none';

/** What the score is computed from; gathered from stored rows, never from a domain's type alone. */
export interface SovereigntyEvidence {
  readonly domainType: 'traditional' | 'pubky';
  /** A valid signed packet for the domain is stored. */
  readonly hasSignedPacket: boolean;
  /** Relays that confirmed the current packet within the last 24 hours. */
  readonly freshRelays: number;
  /** The DHT confirmed the current packet within the last 24 hours. */
  readonly freshOnDht: boolean;
  readonly custody: Custody;
  readonly guardianThreshold: number;
  readonly guardianShares: number;
  readonly guardianAcknowledged: number;
  /** The active backup lost a guardian's share (guardian removed) and needs fresh shares. */
  readonly guardianReshareNeeded: boolean;
  /** null when the domain names no homeserver. */
  readonly homeserverSelfHosted: boolean | null;
  /** A/AAAA records that publish private-range addresses. */
  readonly privateAddresses: number;
  readonly recoveryExported: boolean;
}

export type FactorKey =
  'provider_independence' | 'key_ownership' | 'censorship_resistance' | 'privacy' | 'portability';

export interface Reason {
  readonly code: string;
  readonly points: number;
}

export interface Factor {
  readonly key: FactorKey;
  readonly points: number;
  readonly max: 20;
  readonly reasons: readonly Reason[];
}

export interface ScoreBreakdown {
  readonly total: number;
  readonly factors: readonly Factor[];
}

export const FACTOR_LABELS: Readonly<Record<FactorKey, string>> = {
  provider_independence: 'Provider Independence',
  key_ownership: 'Key Ownership',
  censorship_resistance: 'Censorship Resistance',
  privacy: 'Privacy',
  portability: 'Portability',
};

function factor(key: FactorKey, reasons: Reason[]): Factor {
  const earned = reasons.filter((r) => r.points !== 0);
  const sum = earned.reduce((total, r) => total + r.points, 0);
  return { key, points: Math.max(0, Math.min(20, sum)), max: 20, reasons: earned };
}

/**
 * A guardian backup counts when a real threshold (2 or more) of shares is acknowledged; one that
 * lost a guardian's share needs re-sharing and counts as partial until it is.
 */
export function guardianBackupState(
  e: SovereigntyEvidence,
): 'complete' | 'partial' | 'needs_reshare' | 'none' {
  if (e.guardianShares === 0) return 'none';
  if (e.guardianReshareNeeded) return 'needs_reshare';
  if (e.guardianThreshold >= 2 && e.guardianAcknowledged >= e.guardianThreshold) return 'complete';
  return 'partial';
}

export function scoreSovereignty(e: SovereigntyEvidence): ScoreBreakdown {
  if (e.domainType === 'traditional') {
    // A registrar and its DNS provider control the name: the ceiling is low by design (≤ 25).
    const factors = [
      factor('provider_independence', [{ code: 'registrar_controlled', points: 5 }]),
      factor('key_ownership', [{ code: 'registrar_holds_control', points: 0 }]),
      factor('censorship_resistance', [{ code: 'single_resolution_path', points: 4 }]),
      factor('privacy', [{ code: 'registrar_and_resolver_see_queries', points: 5 }]),
      factor('portability', [{ code: 'registrar_transfer', points: 6 }]),
    ];
    return { total: factors.reduce((t, f) => t + f.points, 0), factors };
  }
  const backup = guardianBackupState(e);
  const ownsKey = e.custody === 'os-keychain' || e.custody === 'guardian-recovered';
  const targets = e.freshRelays + (e.freshOnDht ? 1 : 0);
  const factors = [
    factor('provider_independence', [
      { code: 'signed_packet_stored', points: e.hasSignedPacket ? 8 : 0 },
      { code: 'independent_publishers', points: targets >= 2 ? 6 : targets === 1 ? 3 : 0 },
      {
        code: e.homeserverSelfHosted === true ? 'homeserver_self_hosted' : 'homeserver_third_party',
        points: e.homeserverSelfHosted === true ? 6 : e.homeserverSelfHosted === null ? 3 : 0,
      },
    ]),
    factor('key_ownership', [
      { code: `custody_${e.custody.replace('-', '_')}`, points: ownsKey ? 12 : 0 },
      {
        code: `guardian_backup_${backup}`,
        points: backup === 'complete' ? 8 : backup === 'none' ? 0 : 4,
      },
    ]),
    factor('censorship_resistance', [
      { code: 'signed_packet_stored', points: e.hasSignedPacket ? 4 : 0 },
      { code: 'fresh_on_relays', points: e.freshRelays >= 2 ? 8 : e.freshRelays === 1 ? 4 : 0 },
      { code: 'fresh_on_dht', points: e.freshOnDht ? 8 : 0 },
    ]),
    factor('privacy', [
      { code: 'no_registrar_or_resolver', points: 20 },
      { code: 'private_addresses_published', points: e.privateAddresses > 0 ? -10 : 0 },
      { code: 'homeserver_third_party', points: e.homeserverSelfHosted === false ? -5 : 0 },
    ]),
    factor('portability', [
      {
        code: `guardian_backup_${backup}`,
        points: backup === 'complete' ? 12 : backup === 'none' ? 0 : 6,
      },
      { code: 'recovery_file_exported', points: e.recoveryExported ? 8 : 0 },
      { code: 'homeserver_self_hosted', points: e.homeserverSelfHosted === true ? 8 : 0 },
    ]),
  ];
  return { total: factors.reduce((t, f) => t + f.points, 0), factors };
}
