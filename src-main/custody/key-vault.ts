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
import type { SecretStore } from './secret-store';

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
