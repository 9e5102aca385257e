// The harness gives tests a real OS keychain (Secret Service via gnome-keyring in a private
// D-Bus session): a secret goes in, comes back, and is gone after delete.
import { Entry } from '@napi-rs/keyring';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

describe('OS keychain harness', () => {
  it('stores, reads and deletes a secret through the real Secret Service', () => {
    const account = `harness-${randomBytes(4).toString('hex')}`;
    const entry = new Entry('pubky-domains-test', account);
    const secret = randomBytes(32).toString('base64');
    entry.setPassword(secret);
    expect(new Entry('pubky-domains-test', account).getPassword()).toBe(secret);
    expect(entry.deletePassword()).toBe(true);
    expect(new Entry('pubky-domains-test', account).getPassword()).toBeNull();
  });
});
