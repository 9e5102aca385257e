// `npm run bench -- pkarr`: our PKARR codec against the `pkarr` npm package (the protocol
// author's JS implementation, libsodium inside) on the same 5-record packet, and the raw ed25519
// rate of our backend (libsodium via sodium-native) as the ceiling.
import { Pkarr, SignedPacket as PkarrSignedPacket } from 'pkarr';
import sodium from 'sodium-native';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  signableBytes,
  signPacket,
  type DnsRecord,
} from '../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../src-node/native-ed25519';
import { compareRates, type Rate } from './measure';

const RECORDS: DnsRecord[] = [
  { type: 'A', name: '@', ttl: 300, address: '192.0.2.10' },
  { type: 'AAAA', name: '@', ttl: 300, address: '2001:db8::10' },
  { type: 'CNAME', name: 'www', ttl: 300, target: 'example.org' },
  {
    type: 'TXT',
    name: '_dnslink',
    ttl: 300,
    strings: ['dnslink=/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'],
  },
  { type: 'MX', name: '@', ttl: 3600, preference: 10, exchange: 'mail.example.org' },
];

/** The same records in dns-packet's shape, made afresh each time (pkarr rewrites names in place). */
const pkarrPacket = () => ({
  id: 0,
  type: 'response' as const,
  answers: [
    { name: '@', type: 'A' as const, ttl: 300, class: 'IN' as const, data: '192.0.2.10' },
    { name: '@', type: 'AAAA' as const, ttl: 300, class: 'IN' as const, data: '2001:db8::10' },
    { name: 'www', type: 'CNAME' as const, ttl: 300, class: 'IN' as const, data: 'example.org' },
    {
      name: '_dnslink',
      type: 'TXT' as const,
      ttl: 300,
      class: 'IN' as const,
      data: ['dnslink=/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'],
    },
    {
      name: '@',
      type: 'MX' as const,
      ttl: 3600,
      class: 'IN' as const,
      data: { preference: 10, exchange: 'mail.example.org' },
    },
  ],
});

/** pkarr's JSDoc types `options.timestamp` as an object; it is a number of microseconds. */
const pkarrSign = (keypair: ReturnType<typeof Pkarr.generateKeyPair>, timestamp: number) =>
  PkarrSignedPacket.fromPacket(keypair, pkarrPacket(), { timestamp } as unknown as {
    timestamp: object;
  });

export async function benchPkarr(seconds: number): Promise<Record<string, unknown>> {
  const seed = new Uint8Array(32).fill(42);
  const signer = seedSigner(seed);
  const keypair = Pkarr.generateKeyPair(Buffer.from(seed));
  const timestamp = 1_700_000_000_000_000;

  const ours = signPacket(signer, RECORDS, { timestamp });
  const oursPayload = encodeRelayPayload(ours);
  const oursUncompressed = encodeRelayPayload(
    signPacket(signer, RECORDS, { timestamp, compress: false }),
  );
  const theirs = pkarrSign(keypair, timestamp);
  const theirsPayload = theirs.bytes();

  // Sanity: each side reads the other's packet before we time anything.
  PkarrSignedPacket.fromBytes(signer.publicKey, oursPayload);
  decodeRelayPayload(nativeVerifier, signer.publicKey, theirsPayload);

  const signable = signableBytes(timestamp, ours.dns);
  const secretKey = Buffer.alloc(64);
  const publicKey = Buffer.alloc(32);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, Buffer.from(seed));
  const signature = Buffer.alloc(64);
  sodium.crypto_sign_detached(signature, Buffer.from(signable), secretKey);

  let ts = timestamp;
  // Each group shares rounds, so its ratios compare like with like.
  const signing = await compareRates(seconds, {
    oursSignEncode: () => encodeRelayPayload(signPacket(signer, RECORDS, { timestamp: ++ts })),
    pkarrSignEncode: () => pkarrSign(keypair, ++ts).bytes(),
    rawSign: () => sodium.crypto_sign_detached(Buffer.alloc(64), Buffer.from(signable), secretKey),
  });
  const verifying = await compareRates(seconds, {
    oursDecodeVerify: () => decodeRelayPayload(nativeVerifier, signer.publicKey, oursPayload),
    pkarrDecodeVerify: () => PkarrSignedPacket.fromBytes(signer.publicKey, oursPayload),
    rawVerify: () =>
      sodium.crypto_sign_verify_detached(signature, Buffer.from(signable), publicKey),
  });
  const rates: Record<string, Rate> = { ...signing, ...verifying };

  // Each ratio is taken within a round (the two sides timed back to back, under the same load on
  // this shared VM), then the median over the rounds: a ratio of two medians taken from
  // different rounds mixes in how much CPU the machine gave each round.
  const ratioOf = (ours: string, theirs: string) => {
    const a = rates[ours]!.rounds;
    const b = rates[theirs]!.rounds;
    const perRound = a.map((value, i) => value / (b[i] ?? Infinity)).sort((x, y) => x - y);
    return perRound[Math.floor(perRound.length / 2)] ?? 0;
  };
  const ratios = {
    signEncodeVsPkarr: ratioOf('oursSignEncode', 'pkarrSignEncode'),
    decodeVerifyVsPkarr: ratioOf('oursDecodeVerify', 'pkarrDecodeVerify'),
    decodeVerifyVsRawVerify: ratioOf('oursDecodeVerify', 'rawVerify'),
  };
  return {
    bench: 'pkarr',
    backend: 'libsodium (sodium-native)',
    packet: {
      records: RECORDS.length,
      oursPayloadBytes: oursPayload.length,
      oursUncompressedPayloadBytes: oursUncompressed.length,
      pkarrPayloadBytes: theirsPayload.length,
    },
    rates,
    ratios,
    targets: {
      signEncodeVsPkarr: { min: 1.5, met: ratios.signEncodeVsPkarr >= 1.5 },
      decodeVerifyVsPkarr: { min: 1.0, met: ratios.decodeVerifyVsPkarr >= 1.0 },
      decodeVerifyVsRawVerify: { min: 0.9, met: ratios.decodeVerifyVsRawVerify >= 0.9 },
    },
  };
}
