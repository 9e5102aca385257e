// Every IPC reply is a typed result: unknown channels, malformed payloads and handler failures
// come back as error codes, and an unexpected error never leaks its message or stack.
import { describe, expect, it } from 'vitest';
import { createDispatch, type IpcHandlers } from '../../src-main/ipc/dispatch';
import { AppError } from '../../src-main/errors';

// Only the channels these tests call; the rest of the contract is exercised elsewhere.
const handlers = {
  'app:info': async () => ({ name: 'Pubky Domains', version: '0.0.0' }),
  'server:status': async () => {
    throw new Error('secret internals /home/family/key');
  },
} as Partial<IpcHandlers> as IpcHandlers;

describe('IPC dispatch', () => {
  const dispatch = createDispatch(handlers);

  it('answers a known channel with ok and the value', async () => {
    expect(await dispatch('app:info', undefined)).toEqual({
      ok: true,
      value: { name: 'Pubky Domains', version: '0.0.0' },
    });
  });

  it.each([['keys:steal'], [42], [null], ['__proto__'], ['constructor']])(
    'refuses the unknown channel %j',
    async (channel) => {
      const reply = await dispatch(channel, undefined);
      expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    },
  );

  it.each([
    ['app:info', { extra: 'x' }],
    ['keys:create', { label: 42 }],
    ['keys:create', { label: 'x'.repeat(101) }],
    ['keys:delete', { publicKey: 42 }],
    ['keys:delete', {}],
    ['keys:import-recovery', { file: 'not bytes', passphrase: 'p' }],
    ['keys:import-recovery', { file: new Uint8Array(5000), passphrase: 'p' }],
    ['records:save', { domain: 'k', records: [{ type: 'SRV', name: '@', ttl: 1 }] }],
    ['records:save', { domain: 'k', records: 'nope' }],
    [
      'records:save',
      {
        domain: 'k',
        records: Array.from({ length: 201 }, () => ({
          type: 'A',
          name: '@',
          ttl: 1,
          address: '1.1.1.1',
        })),
      },
    ],
    ['records:publish', null],
  ])('refuses a payload %s does not take: %j', async (channel, payload) => {
    const reply = await dispatch(channel, payload);
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('hides an unexpected error behind INTERNAL', async () => {
    const reply = await dispatch('server:status', undefined);
    expect(reply).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.not.stringContaining('secret') },
    });
  });

  it('passes a typed AppError through with its code', async () => {
    const typed = createDispatch({
      ...handlers,
      'app:info': async () => {
        throw new AppError('KEYCHAIN_UNAVAILABLE', 'No OS keychain is available.');
      },
    });
    expect(await typed('app:info', undefined)).toEqual({
      ok: false,
      error: { code: 'KEYCHAIN_UNAVAILABLE', message: 'No OS keychain is available.' },
    });
  });
});
