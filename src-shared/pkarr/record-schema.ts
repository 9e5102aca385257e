// The record model as a zod schema, for input that arrives untrusted (IPC payloads, HTTP
// bodies). Shape only: validateRecord() still checks names, addresses and limits.
import { z } from 'zod';
import type { DnsRecord } from './records';

const base = { name: z.string().max(300), ttl: z.number().int() };
const svcb = z.object({
  ...base,
  type: z.enum(['HTTPS', 'SVCB']),
  priority: z.number().int(),
  target: z.string().max(300),
  params: z.array(z.object({ key: z.number().int(), value: z.instanceof(Uint8Array) })).max(32),
});

export const dnsRecordSchema: z.ZodType<DnsRecord> = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('A'), address: z.string().max(64) }),
  z.object({ ...base, type: z.literal('AAAA'), address: z.string().max(64) }),
  z.object({ ...base, type: z.literal('CNAME'), target: z.string().max(300) }),
  z.object({ ...base, type: z.literal('NS'), target: z.string().max(300) }),
  z.object({ ...base, type: z.literal('TXT'), strings: z.array(z.string().max(1024)).max(64) }),
  z.object({
    ...base,
    type: z.literal('MX'),
    preference: z.number().int(),
    exchange: z.string().max(300),
  }),
  svcb,
]);

export const dnsRecordsSchema = z.array(dnsRecordSchema).max(200);
