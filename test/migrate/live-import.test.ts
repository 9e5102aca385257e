// Issue 21, acceptance 2: importing a domain live through a real DNS server on loopback (the `dns2`
// package, started here) gives the same plan as the zone file of the same data; a DNS server that
// does not answer, or a bad address for one, is said so and plans nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dns2 from 'dns2';
import { afterAll, describe, expect, it } from 'vitest';
import { startMainServices } from '../../src-main/services';
import type { PlanView } from '../../src-shared/ipc';
import { recordValueText } from '../../src-shared/pkarr';
import { PersonDialogs } from '../support/person-dialogs';

const { Packet } = dns2;
const ZONE = 'smith.example';
type Answer = Record<string, unknown> & { type: number };
/** The domain's data, as the DNS server serves it: name → answers. */
const DATA: Record<string, Answer[]> = {
  [ZONE]: [
    { type: Packet.TYPE.A, address: '192.0.2.10' },
    { type: Packet.TYPE.AAAA, address: '2001:db8::10' },
    { type: Packet.TYPE.MX, priority: 10, exchange: `mail.${ZONE}` },
    { type: Packet.TYPE.TXT, data: ['v=spf1 mx -all'] },
    { type: Packet.TYPE.TXT, data: ['two strings', 'in one record'] },
    { type: Packet.TYPE.NS, ns: 'ns1.registrar.example' },
    { type: Packet.TYPE.CAA, flags: 0, tag: 'issue', value: 'letsencrypt.org' },
  ],
  [`www.${ZONE}`]: [{ type: Packet.TYPE.CNAME, domain: ZONE }],
  [`mail.${ZONE}`]: [{ type: Packet.TYPE.A, address: '192.0.2.25' }],
  [`_sip._tcp.${ZONE}`]: [
    { type: Packet.TYPE.SRV, priority: 10, weight: 5, port: 5060, target: `sip.${ZONE}` },
  ],
};
const ZONE_FILE = `$ORIGIN ${ZONE}.
$TTL 300
@          A     192.0.2.10
@          AAAA  2001:db8::10
@          MX    10 mail
@          TXT   "v=spf1 mx -all"
@          TXT   "two strings" "in one record"
@          NS    ns1.registrar.example.
@          CAA   0 issue "letsencrypt.org"
www        CNAME @
mail       A     192.0.2.25
_sip._tcp  SRV   10 5 5060 sip
`;

const server = dns2.createServer({
  udp: true,
  handle: (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (question) {
      const name = question.name.toLowerCase();
      const answers = (DATA[name] ?? []).filter(
        (a) => a.type === question.type || a.type === Packet.TYPE.CNAME,
      );
      for (const answer of answers)
        response.answers.push({ name, class: Packet.CLASS.IN, ttl: 300, ...answer } as never);
    }
    send(response);
  },
});
const address = await new Promise<{ port: number }>((resolve) => {
  server.on('listening', () => resolve(server.addresses().udp as { port: number }));
  void server.listen({ udp: { port: 0, address: '127.0.0.1' } });
});

const dir = mkdtempSync(join(tmpdir(), 'pubky-live-import-'));
const main = await startMainServices({
  dataDir: dir,
  version: 'test',
  serverUrl: () => 'http://127.0.0.1:9',
  relays: [],
  dhtBootstrap: null,
  keychainService: `pubky-domains-live-import-${process.pid}`,
  dialogs: new PersonDialogs(),
});
const domain = (await main.handlers['keys:create']({ label: 'smith' })).publicKey;
afterAll(async () => {
  for (const key of main.vault.list()) main.vault.delete(key, key);
  await main.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const shape = (plan: PlanView) => ({
  carried: plan.carried
    .map((c) => `${c.record.type} ${c.record.name} ${c.record.ttl} ${recordValueText(c.record)}`)
    .sort(),
  leftOut: plan.leftOut.map((l) => `${l.type} ${l.name}: ${l.reason}`).sort(),
  bytes: plan.size.bytes,
});

describe('live import', () => {
  it('gives the same plan as the zone file of the same data', async () => {
    const live = await main.handlers['migrations:plan']({
      domain,
      zone: ZONE,
      source: {
        kind: 'live',
        resolver: `127.0.0.1:${address.port}`,
        names: ['www', 'mail', `_sip._tcp.${ZONE}`],
      },
      defaultTtl: 300,
    });
    const file = await main.handlers['migrations:plan']({
      domain,
      zone: ZONE,
      source: { kind: 'zone-text', text: ZONE_FILE },
      defaultTtl: 300,
    });
    expect(shape(live)).toEqual(shape(file));
    expect(shape(live).carried).toContain('TXT @ 300 two stringsin one record');
    expect(shape(live).leftOut.map((l) => l.split(' ')[0])).toEqual(['CAA', 'NS', 'SRV']);
  });

  it('a DNS server that does not answer, or no address at all, plans nothing and says so', async () => {
    await expect(
      main.handlers['migrations:plan']({
        domain,
        zone: ZONE,
        source: { kind: 'live', resolver: '127.0.0.1:9', names: [] },
        defaultTtl: 300,
      }),
    ).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    await expect(
      main.handlers['migrations:plan']({
        domain,
        zone: ZONE,
        source: { kind: 'live', resolver: 'dns.example', names: [] },
        defaultTtl: 300,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_DNS_SERVER' });
  });
});
