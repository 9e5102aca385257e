// The OS keychain behind one small interface. On Linux we require the Secret Service: the
// binding would otherwise fall back to the kernel keyring, which forgets everything on reboot.
import { Entry } from '@napi-rs/keyring';
import { AppError } from '../errors';

export interface SecretStore {
  get(account: string): Uint8Array | null;
  set(account: string, secret: Uint8Array): void;
  delete(account: string): boolean;
}

export const KEYCHAIN_SERVICE = 'pubky-domains';

export class KeychainUnavailableError extends AppError {
  constructor(detail: string) {
    super(
      'KEYCHAIN_UNAVAILABLE',
      `No OS keychain is available (${detail}). Keys are never stored without one: on Linux install and unlock a Secret Service such as gnome-keyring (apt-get install gnome-keyring) or KWallet; on macOS and Windows the system keychain is used.`,
    );
  }
}

/** Errors of the binding that mean "there is no usable keychain", as opposed to a missing entry. */
function unavailable(error: unknown): KeychainUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  return new KeychainUnavailableError(message.split('\n')[0] ?? 'unknown error');
}

export function osKeychain(service = KEYCHAIN_SERVICE): SecretStore {
  const entry = (account: string) =>
    new Entry(service, account, { linux: { store: 'secret-service' } });
  const guarded = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
    get: (account) =>
      guarded(() => {
        const secret = entry(account).getSecret();
        if (!secret) return null;
        const bytes = Uint8Array.from(secret);
        secret.fill(0);
        return bytes;
      }),
    set: (account, secret) => guarded(() => entry(account).setSecret(secret)),
    delete: (account) => guarded(() => entry(account).deleteCredential()),
  };
}
