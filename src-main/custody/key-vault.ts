// The family's keys: made from a recovery phrase drawn from the OS CSPRNG, kept in the OS
// keychain, used here to sign and never handed out. Every public method returns public keys,
// signatures or encrypted files, except create(), which hands the new phrase to the one caller
// that shows it for the backup (the vault never stores it).
import { z32Encode, parsePublicKey, type PacketSigner } from '../../src-shared/pkarr';
import { keypairFromSeed, signDetached, wipe } from '../../src-node/native-ed25519';
import { AppError } from '../errors';
import { createRecoveryFile, openRecoveryFile } from './recovery-file';
import { newPhrase, seedFromPhrase } from './recovery-phrase';
import { open as openSealed, seal } from '../../src-shared/crypto/sealed-box';
import { combine, split } from 'shamir-secret-sharing';
import {
  backupCommitmentMessage,
  shareCommitment,
  shareContext,
} from '../../src-shared/guardians/commitments';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { fromHex, toHex } from '../../src-shared/pkarr/bytes';
import type { SecretStore } from './secret-store';

/** A share as a guardian holds it, with what the backup committed to. */
export interface GuardianShareToCheck {
  readonly publicKey: string;
  readonly threshold: number;
  readonly sealed: Uint8Array;
  readonly commitmentSignature: Uint8Array | null;
  readonly commitments: readonly {
    readonly guardianKey: string;
    readonly commitment: string | null;
  }[];
}

/** A commitment's bytes; anything but hex is empty (and fails whatever check uses it). */
function commitmentBytes(hex: string): Uint8Array {
  try {
    return fromHex(hex);
  } catch {
    return new Uint8Array(0);
  }
}

/** Where the vault lists the keys it holds (the local store's `keys` table). */
export interface KeyIndex {
  addKey(publicKey: string, label?: string): void;
  removeKey(publicKey: string): void;
  listKeys(): string[];
}

export class KeyVault {
  constructor(
    private readonly secrets: SecretStore,
    private readonly index: KeyIndex,
  ) {}

  /**
   * Creates a keypair from a new recovery phrase; returns its public key (z-base-32) and the
   * phrase, for the person to write down. The keychain keeps the secret, never the phrase.
   */
  create(label = ''): { publicKey: string; phrase: string } {
    const phrase = newPhrase();
    const seed = seedFromPhrase(phrase);
    try {
      return { publicKey: this.store(seed, label), phrase };
    } finally {
      wipe(seed);
    }
  }

  /** Imports the key a recovery phrase stands for; returns the public key. */
  importPhrase(phrase: string, label = ''): string {
    const seed = seedFromPhrase(phrase);
    try {
      return this.store(seed, label);
    } finally {
      wipe(seed);
    }
  }

  list(): string[] {
    return this.index.listKeys();
  }

  /** Runs `use` with the key's libsodium secret key, wiping it afterwards. */
  private withSecretKey<T>(publicKey: string, use: (secretKey: Uint8Array) => T): T {
    const account = z32Encode(parsePublicKey(publicKey));
    const seed = this.secrets.get(account);
    if (!seed) throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    const { secretKey } = keypairFromSeed(seed);
    wipe(seed);
    try {
      return use(secretKey);
    } finally {
      wipe(secretKey);
    }
  }

  sign(publicKey: string, message: Uint8Array): Uint8Array {
    return this.withSecretKey(publicKey, (secretKey) => signDetached(secretKey, message));
  }

  /** A PacketSigner for the codec; each signature reads the key from the keychain afresh. */
  signer(publicKey: string): PacketSigner {
    const key = parsePublicKey(publicKey);
    const account = z32Encode(key);
    if (!this.secrets.get(account))
      throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    return { publicKey: key, sign: (message) => this.sign(account, message) };
  }

  /**
   * Deletes a key for good. The caller must repeat the public key as confirmation, so no code
   * path deletes a family's key by accident.
   */
  delete(publicKey: string, confirmation: string): void {
    const account = z32Encode(parsePublicKey(publicKey));
    if (confirmation !== account) {
      throw new AppError(
        'CONFIRMATION_MISMATCH',
        'To delete a key, confirm with its full public key.',
      );
    }
    this.secrets.delete(account);
    this.index.removeKey(account);
  }

  /**
   * Opens a blob sealed to this key (src-shared/crypto/sealed-box.ts) for `context`: a domain key
   * another device shared, a guardian's share. The caller owns, and wipes, what comes out.
   */
  openSealed(publicKey: string, blob: Uint8Array, context: string): Uint8Array {
    const account = z32Encode(parsePublicKey(publicKey));
    const seed = this.secrets.get(account);
    if (!seed) throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    try {
      return openSealed(blob, seed, context);
    } finally {
      wipe(seed);
    }
  }

  /**
   * The key `publicKey` sealed to another person's Pubky key, for `context`: only the holder of
   * `recipient`'s secret opens it. The seed never leaves this call in plain form.
   */
  sealKeyTo(publicKey: string, recipient: string, context: string): Uint8Array {
    const account = z32Encode(parsePublicKey(publicKey));
    const seed = this.secrets.get(account);
    if (!seed) throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    try {
      return seal(seed, parsePublicKey(recipient), context);
    } finally {
      wipe(seed);
    }
  }

  /**
   * Opens a key sealed to `myKey` and keeps it, only if it is the key `expected` names: a blob
   * that opens to another key (a server swapping blobs) is refused and nothing is stored.
   */
  importSealedKey(
    myKey: string,
    blob: Uint8Array,
    context: string,
    expected: string,
    label = '',
  ): string {
    let seed: Uint8Array;
    try {
      seed = this.openSealed(myKey, blob, context);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'INVALID_KEY_SHARE',
        'This shared key does not open with your key: ask for it to be shared again.',
      );
    }
    try {
      if (seed.length !== 32) throw new AppError('INVALID_KEY_SHARE', 'The shared key is damaged.');
      const { publicKey, secretKey } = keypairFromSeed(seed);
      wipe(secretKey);
      if (z32Encode(publicKey) !== z32Encode(parsePublicKey(expected)))
        throw new AppError(
          'INVALID_KEY_SHARE',
          'The shared key is not the domain it claims to be; nothing was kept.',
        );
      return this.store(seed, label);
    } finally {
      wipe(seed);
    }
  }

  /**
   * A threshold backup of `publicKey` for its guardians (docs/guardians.md): the seed split k of
   * n (Shamir), each share sealed to its guardian's key and committed to, and the domain key's
   * signature over the commitments. Only sealed shares and commitments come out.
   */
  async backupForGuardians(
    publicKey: string,
    guardians: readonly { readonly guardianId: string; readonly publicKey: string }[],
    threshold: number,
  ): Promise<{
    shares: { guardianId: string; sealed: Uint8Array; commitment: Uint8Array }[];
    signature: Uint8Array;
  }> {
    const account = z32Encode(parsePublicKey(publicKey));
    if (threshold < 2 || threshold > guardians.length)
      throw new AppError(
        'INVALID_BACKUP',
        `A threshold of ${threshold} needs 2 to ${guardians.length} guardians.`,
      );
    const seed = this.secrets.get(account);
    if (!seed) throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    let parts: Uint8Array[] = [];
    try {
      parts = await split(seed, guardians.length, threshold);
      const shares = guardians.map((guardian, i) => {
        const guardianKey = z32Encode(parsePublicKey(guardian.publicKey));
        return {
          guardianId: guardian.guardianId,
          guardianKey,
          sealed: seal(parts[i]!, parsePublicKey(guardianKey), shareContext(account)),
          commitment: shareCommitment(account, guardianKey, parts[i]!),
        };
      });
      const signature = this.sign(account, backupCommitmentMessage(account, threshold, shares));
      return {
        shares: shares.map(({ guardianId, sealed, commitment }) => ({
          guardianId,
          sealed,
          commitment,
        })),
        signature,
      };
    } finally {
      wipe(seed);
      for (const part of parts) wipe(part);
    }
  }

  /**
   * A guardian checks the share it holds: it opens with its key, matches its commitment, and the
   * domain key signed every commitment. Returns what is wrong, in words, or undefined.
   */
  checkGuardianShare(myKey: string, share: GuardianShareToCheck): string | undefined {
    const commitments = share.commitments.map((c) => ({
      guardianKey: c.guardianKey,
      commitment: commitmentBytes(c.commitment ?? ''),
    }));
    const message = backupCommitmentMessage(share.publicKey, share.threshold, commitments);
    if (
      !share.commitmentSignature ||
      !nativeVerifier.verify(parsePublicKey(share.publicKey), message, share.commitmentSignature)
    )
      return 'the commitments are not signed by the domain key';
    let plain: Uint8Array;
    try {
      plain = this.openSealed(myKey, share.sealed, shareContext(share.publicKey));
    } catch {
      return 'the share does not open with your key';
    }
    try {
      const mine = commitments.find((c) => c.guardianKey === z32Encode(parsePublicKey(myKey)));
      if (
        !mine ||
        toHex(mine.commitment) !== toHex(shareCommitment(share.publicKey, mine.guardianKey, plain))
      )
        return 'the share does not match its commitment';
      return undefined;
    } finally {
      wipe(plain);
    }
  }

  /** A guardian's share sealed again, to a recovery's one-time key (the plain share stays here). */
  resealGuardianShare(
    myKey: string,
    domainKey: string,
    sealed: Uint8Array,
    to: string,
  ): Uint8Array {
    const plain = this.openSealed(myKey, sealed, shareContext(domainKey));
    try {
      return seal(plain, parsePublicKey(to), shareContext(domainKey));
    } finally {
      wipe(plain);
    }
  }

  /**
   * Rebuilds a domain key from shares sealed to `oneTimeKey`: each share is checked against its
   * commitment (the domain key signed them all), those that fail are named, and the key is kept
   * only if enough good shares rebuild exactly `domainKey`.
   */
  async recoverFromShares(input: {
    readonly oneTimeKey: string;
    readonly domainKey: string;
    readonly threshold: number;
    readonly signature: Uint8Array;
    readonly shares: readonly {
      readonly guardianKey: string;
      readonly commitment: string | null;
      readonly sealed?: Uint8Array;
    }[];
    readonly label: string;
  }): Promise<{ publicKey: string; badGuardians: string[] }> {
    const domainKey = z32Encode(parsePublicKey(input.domainKey));
    const commitments = input.shares.map((s) => ({
      guardianKey: s.guardianKey,
      commitment: commitmentBytes(s.commitment ?? ''),
    }));
    if (
      !nativeVerifier.verify(
        parsePublicKey(domainKey),
        backupCommitmentMessage(domainKey, input.threshold, commitments),
        input.signature,
      )
    )
      throw new AppError(
        'INVALID_BACKUP',
        'The backup’s commitments are not signed by the domain key.',
      );
    const good: Uint8Array[] = [];
    const badGuardians: string[] = [];
    try {
      for (const share of input.shares) {
        if (!share.sealed) continue;
        let plain: Uint8Array | undefined;
        try {
          plain = this.openSealed(input.oneTimeKey, share.sealed, shareContext(domainKey));
        } catch {
          badGuardians.push(share.guardianKey);
          continue;
        }
        if (toHex(shareCommitment(domainKey, share.guardianKey, plain)) !== share.commitment) {
          badGuardians.push(share.guardianKey);
          wipe(plain);
          continue;
        }
        good.push(plain);
      }
      if (good.length < input.threshold)
        throw new AppError(
          'NOT_ENOUGH_SHARES',
          `${good.length} good shares of the ${input.threshold} needed` +
            (badGuardians.length
              ? `; these guardians' shares failed their check: ${badGuardians.join(', ')}`
              : ''),
        );
      const seed = await combine(good.slice(0, input.threshold));
      try {
        const { publicKey, secretKey } = keypairFromSeed(seed);
        wipe(secretKey);
        if (z32Encode(publicKey) !== domainKey)
          throw new AppError('NOT_ENOUGH_SHARES', 'The shares do not rebuild this domain’s key.');
        return { publicKey: this.store(seed, input.label), badGuardians };
      } finally {
        wipe(seed);
      }
    } finally {
      for (const part of good) wipe(part);
    }
  }

  exportRecoveryFile(publicKey: string, passphrase: string): Promise<Uint8Array> {
    const account = z32Encode(parsePublicKey(publicKey));
    const seed = this.secrets.get(account);
    if (!seed) throw new AppError('KEY_NOT_FOUND', `No key ${account} in the keychain.`);
    return createRecoveryFile(seed, passphrase).finally(() => wipe(seed));
  }

  /** Imports a recovery file; returns the public key. Importing a key already held is a no-op. */
  async importRecoveryFile(file: Uint8Array, passphrase: string, label = ''): Promise<string> {
    const seed = await openRecoveryFile(file, passphrase);
    try {
      return this.store(seed, label);
    } finally {
      wipe(seed);
    }
  }

  private store(seed: Uint8Array, label: string): string {
    const { publicKey, secretKey } = keypairFromSeed(seed);
    wipe(secretKey);
    const account = z32Encode(publicKey);
    const existing = this.secrets.get(account);
    if (existing) wipe(existing);
    else this.secrets.set(account, seed);
    try {
      this.index.addKey(account, label);
    } catch (error) {
      // Never leave a secret in the keychain that the app does not list.
      if (!existing) this.secrets.delete(account);
      throw error;
    }
    return account;
  }
}
