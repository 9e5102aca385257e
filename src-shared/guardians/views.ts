// What the server answers about guardian backups and recoveries, as the app reads it (the server
// builds these rows; main parses them; the screens show them).

export interface BackupSummary {
  readonly backupId: string;
  readonly publicKey: string;
  readonly threshold: number;
  readonly shareCount: number;
  readonly acknowledged: number;
  readonly status: string;
  readonly createdAt: string;
  /** Set when a guardian holding a share was removed: the backup needs fresh shares. */
  readonly reshareNeededSince: string | null;
}

export interface RecoverySummary {
  readonly recoveryId: string;
  readonly familyId: string;
  readonly publicKey: string;
  readonly ephemeralPublicKey: string;
  readonly status: 'waiting' | 'completed' | 'cancelled';
  readonly releaseAt: string;
  readonly threshold: number;
  readonly approvals: number;
  readonly approvedByOwner: boolean;
  readonly frozenUntil: string | null;
  readonly released: boolean;
}
