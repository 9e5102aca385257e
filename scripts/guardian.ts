// `npm run guardian -- <command>`: a guardian without the desktop app (docs/guardians.md). It
// runs main's own services on a data directory and an OS keychain service of its own, so a share
// is checked, acknowledged and sealed again exactly as the app does it, with a key that never
// leaves this machine's keychain.
//
//   key                       make (once) and show this guardian's key
//   invitations               invitations addressed to it
//   accept <invitationId>     accept one (signed with the key)
//   shares                    the shares it holds, each checked against its commitments
//   acknowledge <backupId>    acknowledge a share that checked out
//   recoveries                recoveries waiting for it
//   approve <recoveryId> --confirm <first 8 characters of the asking machine's key>
//   freeze <familyId> [hours] stop a family's recoveries (default 24 h)
//
// PUBKY_SERVER names the companion server; PUBKY_GUARDIAN_DIR and PUBKY_GUARDIAN_KEYCHAIN (the
// keychain service) keep this guardian apart from anything else on the machine.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startMainServices, type MainServices } from '../src-main/services';
import type { ConfirmRequest, Dialogs } from '../src-main/dialogs';
import type { IpcChannel, IpcRequest, IpcResponse, IpcResult } from '../src-shared/ipc';
import { createDispatch } from '../src-main/ipc/dispatch';

const [command, ...args] = process.argv.slice(2);
const server = process.env['PUBKY_SERVER'];
const dataDir =
  process.env['PUBKY_GUARDIAN_DIR'] ?? join(homedir(), '.local', 'share', 'pubky-domains-guardian');
const keychainService = process.env['PUBKY_GUARDIAN_KEYCHAIN'] ?? 'pubky-domains-guardian';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (!command)
  fail(
    'usage: npm run guardian -- key | invitations | accept | shares | acknowledge | recoveries | approve | freeze',
  );
if (!server) fail('Set PUBKY_SERVER to the family’s companion server (https://…).');

/** The one confirmation a command may need comes from its arguments, never from a prompt. */
const confirmFlag = args.indexOf('--confirm');
const confirmation = confirmFlag >= 0 ? args[confirmFlag + 1] : undefined;
const dialogs: Dialogs = {
  async confirm(request: ConfirmRequest) {
    // Approving names the asking machine's key: the guardian types its first characters back.
    const named = /to the key (\w{52})/.exec(request.message)?.[1];
    const ok =
      !!named && !!confirmation && confirmation.length >= 8 && named.startsWith(confirmation);
    if (!ok)
      process.stderr.write(
        `${request.title}\n${request.message}\n${request.detail}\nRun again with --confirm ${named?.slice(0, 8) ?? '<key>'} once you checked it with the family.\n`,
      );
    return ok;
  },
  chooseSavePath: async () => undefined,
  chooseOpenPath: async () => undefined,
};

mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const main: MainServices = await startMainServices({
  dataDir,
  version: 'guardian-cli',
  serverUrl: () => server,
  relays: [],
  dhtBootstrap: null,
  keychainService,
  dialogs,
});
// Through main's dispatcher: every argument is checked as an IPC payload would be.
const dispatch = createDispatch(main.handlers);
async function ask<C extends IpcChannel>(
  channel: C,
  request: IpcRequest<C>,
): Promise<IpcResponse<C>> {
  const result = (await dispatch(channel, request)) as IpcResult<C>;
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** This guardian's key (made on first use), signed in to the server. */
async function me(): Promise<string> {
  let [key] = main.vault.list();
  if (!key) {
    const created = await ask('keys:create', { label: 'guardian' });
    key = created.publicKey;
    const phrase = await ask('keys:reveal-phrase', { publicKey: key });
    process.stderr.write(
      `A new guardian key. Write these 12 words down and keep them offline:\n  ${phrase.words.join(' ')}\n`,
    );
  }
  const session = await ask('session:get', undefined);
  if (session.state !== 'signed-in' || session.publicKey !== key)
    await ask('session:sign-in', { publicKey: key });
  return key;
}

try {
  const key = await me();
  switch (command) {
    case 'key':
      print({ publicKey: key });
      break;
    case 'invitations':
      print(await ask('invitations:list', undefined));
      break;
    case 'accept':
      print(await ask('invitations:accept', { invitationId: args[0] ?? '' }));
      break;
    case 'shares':
      print((await ask('guarding:list', undefined)).shares);
      break;
    case 'acknowledge':
      print(await ask('guarding:acknowledge', { backupId: args[0] ?? '' }));
      break;
    case 'recoveries':
      print((await ask('guarding:list', undefined)).recoveries);
      break;
    case 'approve': {
      const answer = await ask('guarding:approve', { recoveryId: args[0] ?? '' });
      print(answer);
      if (!answer.approved) process.exitCode = 2;
      break;
    }
    case 'freeze':
      print(
        await ask('guarding:freeze', { familyId: args[0] ?? '', hours: Number(args[1] ?? 24) }),
      );
      break;
    default:
      fail(`unknown command ${command}`);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
} finally {
  await main.close();
}
