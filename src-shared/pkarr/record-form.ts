// One record as the editor's form holds it (name, type, value text, TTL), checked by the same
// rules main applies (validateRecord), with each failure put at the field it is about.
import { z } from 'zod';
import { PkarrError } from './errors';
import { recordFromText } from './record-text';
import { MAX_TTL, relativeName, validateRecord, type DnsRecord, type RecordType } from './records';

export const RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'NS',
  'HTTPS',
  'SVCB',
];

export const recordFormFields = z.object({
  name: z.string().trim().min(1, 'Enter a name (@ for the domain itself)').max(253),
  type: z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'HTTPS', 'SVCB']),
  value: z.string().max(2000),
  ttl: z.coerce
    .number({ error: 'TTL is a number of seconds' })
    .int('TTL is a whole number of seconds')
    .min(0, 'TTL cannot be negative')
    .max(MAX_TTL, `TTL is at most ${MAX_TTL}`),
});
export type RecordFormValues = z.input<typeof recordFormFields>;

/** The form's schema for a domain (origin = its z32 key): valid input becomes its DnsRecord. */
export function recordFormSchema(origin: string) {
  return recordFormFields.transform((form, context): DnsRecord => {
    // The name first, so its failure is reported at the name and the value's at the value.
    const step = <T>(field: 'name' | 'value', work: () => T): T | undefined => {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof PkarrError)) throw error;
        context.addIssue({ code: 'custom', path: [field], message: sentence(error.message) });
        return undefined;
      }
    };
    const name = step('name', () => relativeName(form.name, origin));
    if (name === undefined) return z.NEVER;
    const record = step('value', () =>
      validateRecord(recordFromText(form.type, name, form.value, form.ttl), origin),
    );
    return record ?? z.NEVER;
  });
}

const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);
