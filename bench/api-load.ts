// The load side of `npm run bench -- api`, in its own process: signs every packet before the
// clock starts, then drives the server's packet sync and the relays over keep-alive HTTP.
// Reads its plan as the first line on stdin; answers each phase command with one JSON line.
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { encodeRelayPayload, signPacket, z32Encode, type DnsRecord } from '../src-shared/pkarr';
import { benchSigner } from './bench-signer';

export interface LoadPlan {
  readonly api: string;
  readonly families: readonly { readonly token: string; readonly seeds: readonly string[] }[];
  readonly batch: number;
  /** Packets to pre-sign for the ingest phases. */
  readonly ingestPackets: number;
  /** Fresh keys to pre-sign for the relay PUT phases (every relay gets the same packets). */
  readonly relayPackets: number;
}

export type Phase =
  | { kind: 'ingest-closed'; seconds: number; concurrency: number }
  | { kind: 'ingest-open'; seconds: number; packetsPerSecond: number }
  | { kind: 'relay-put'; seconds: number; concurrency: number; base: string }
  | { kind: 'relay-get'; seconds: number; concurrency: number; base: string };

export interface PhaseResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly packetsPerSecond?: number;
  readonly statuses: Record<string, number>;
  /** Per packet, for ingest: stored, stale, duplicate, invalid, not_found. */
  readonly packetStatuses?: Record<string, number>;
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly stored?: number;
}

const records = (i: number): DnsRecord[] => [
  { type: 'A', name: '@', ttl: 300, address: `192.0.2.${i % 250}` },
  { type: 'AAAA', name: '@', ttl: 300, address: '2001:db8::1' },
  { type: 'TXT', name: '_bench', ttl: 300, strings: [`seq ${i}`] },
  { type: 'CNAME', name: 'www', ttl: 300, target: 'example.org' },
  { type: 'MX', name: '@', ttl: 300, preference: 10, exchange: 'mail.example.org' },
];

const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
const plan = JSON.parse(await nextLine()) as LoadPlan;

// Ingest bodies: each request carries `batch` packets of one family's domains, every domain's
// timestamps rising, so every packet is new and must be verified, stored and re-scored.
const bodies: { token: string; body: Buffer; packets: number }[] = [];
{
  const signers = plan.families.map((f) => f.seeds.map((s) => benchSigner(Buffer.from(s, 'hex'))));
  const base = Date.now() * 1000;
  let made = 0;
  for (let round = 0; made < plan.ingestPackets; round++) {
    for (const [f, family] of plan.families.entries()) {
      if (made >= plan.ingestPackets) break;
      const keys = signers[f]!;
      const packets = Array.from({ length: plan.batch }, (_, j) => {
        const slot = round * plan.batch + j;
        const signer = keys[slot % keys.length]!;
        const timestamp = base + slot; // µs: unique and rising per domain
        return {
          clientId: crypto.randomUUID(),
          publicKey: z32Encode(signer.publicKey),
          payload: Buffer.from(
            encodeRelayPayload(signPacket(signer, records(slot), { timestamp })),
          ).toString('base64'),
        };
      });
      bodies.push({
        token: family.token,
        body: Buffer.from(JSON.stringify({ packets })),
        packets: packets.length,
      });
      made += packets.length;
    }
  }
}
// Relay packets: fresh keys, one packet each, the same set PUT to every relay. A PUT phase that
// ran through the set would repeat packets, which relays answer differently: it stops instead.
const relaySet = Array.from({ length: plan.relayPackets }, (_, i) => {
  const signer = benchSigner();
  return {
    key: z32Encode(signer.publicKey),
    payload: Buffer.from(encodeRelayPayload(signPacket(signer, records(i)))),
  };
});

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    req.end(body);
  });
}

function summarise(
  latencies: number[],
  statuses: Record<string, number>,
  seconds: number,
  packets?: number,
  stored?: number,
): PhaseResult {
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.floor(sorted.length * q)] ?? 0) * 10) / 10;
  return {
    requests: sorted.length,
    perSecond: Math.round(sorted.length / seconds),
    ...(packets === undefined ? {} : { packetsPerSecond: Math.round(packets / seconds) }),
    statuses,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: Math.round((sorted.at(-1) ?? 0) * 10) / 10 },
    ...(stored === undefined ? {} : { stored }),
  };
}

let nextBody = 0;
/** How many of the relay packets each relay was sent, so GETs ask for what it was given. */
const putCounts = new Map<string, number>();
let packetTally: Record<string, number> = {};
function takeBody() {
  const item = bodies[nextBody++];
  if (!item) throw new Error('ran out of pre-signed ingest packets: raise ingestPackets');
  return item;
}

async function ingestOnce(latencies: number[], statuses: Record<string, number>, since: number) {
  const item = takeBody();
  const { status, text } = await send(
    `${plan.api}/sync/packets`,
    'POST',
    { 'Content-Type': 'application/json', Authorization: `Bearer ${item.token}` },
    item.body,
  );
  latencies.push(performance.now() - since);
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status !== 200) return 0;
  const results = (JSON.parse(text) as { results: { status: string }[] }).results;
  for (const result of results) packetTally[result.status] = (packetTally[result.status] ?? 0) + 1;
  return results.filter((r) => r.status === 'stored').length;
}

async function closedLoop(
  seconds: number,
  concurrency: number,
  work: (latencies: number[], statuses: Record<string, number>, since: number) => Promise<number>,
): Promise<{ latencies: number[]; statuses: Record<string, number>; done: number }> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const n = await work(latencies, statuses, performance.now());
        done += n; // after the await: `done += await …` would read `done` before it
      }
    }),
  );
  return { latencies, statuses, done };
}

async function run(phase: Phase): Promise<PhaseResult> {
  packetTally = {};
  switch (phase.kind) {
    case 'ingest-closed': {
      const { latencies, statuses, done } = await closedLoop(
        phase.seconds,
        phase.concurrency,
        ingestOnce,
      );
      return {
        ...summarise(latencies, statuses, phase.seconds, done, done),
        packetStatuses: packetTally,
      };
    }
    case 'ingest-open': {
      // Open loop: requests leave on a fixed schedule whatever the server does, and latency
      // counts from the scheduled time, so queueing shows instead of hiding (no coordinated
      // omission).
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      const interval = (1000 * plan.batch) / phase.packetsPerSecond;
      const start = performance.now();
      const total = Math.floor((phase.seconds * 1000) / interval);
      let stored = 0;
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(
          ingestOnce(latencies, statuses, due).then((n) => {
            stored += n;
          }),
        );
      }
      await Promise.all(inFlight);
      const elapsed = (performance.now() - start) / 1000;
      return {
        ...summarise(latencies, statuses, elapsed, stored, stored),
        packetStatuses: packetTally,
      };
    }
    case 'relay-put': {
      let next = 0;
      const { latencies, statuses } = await closedLoop(
        phase.seconds,
        phase.concurrency,
        async (l, s, since) => {
          const item = relaySet[next++];
          if (!item) throw new Error('ran out of relay packets: raise relayPackets');
          const { status } = await send(
            `${phase.base}/${item.key}`,
            'PUT',
            { 'Content-Type': 'application/pkarr.org/relays#payload' },
            item.payload,
          );
          l.push(performance.now() - since);
          s[status] = (s[status] ?? 0) + 1;
          return 1;
        },
      );
      putCounts.set(phase.base, next);
      return summarise(latencies, statuses, phase.seconds);
    }
    case 'relay-get': {
      const given = putCounts.get(phase.base) ?? relaySet.length;
      let next = 0;
      const { latencies, statuses } = await closedLoop(
        phase.seconds,
        phase.concurrency,
        async (l, s, since) => {
          const item = relaySet[next++ % given]!;
          const { status } = await send(`${phase.base}/${item.key}`, 'GET', {});
          l.push(performance.now() - since);
          s[status] = (s[status] ?? 0) + 1;
          return 1;
        },
      );
      return summarise(latencies, statuses, phase.seconds);
    }
  }
}

console.log(JSON.stringify({ ready: true, signed: bodies.length }));
for (;;) {
  const line = await nextLine();
  if (line === 'stop') break;
  console.log(JSON.stringify(await run(JSON.parse(line) as Phase)));
}
agent.destroy();
process.exit(0);
