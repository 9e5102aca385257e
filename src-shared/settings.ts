// The app's settings and the rules they obey, for main (which stores them) and the Settings
// screen (which checks them as typed): relays are http(s) URLs without credentials, query or
// fragment; the republish interval keeps packets fresh before relays and DHT nodes drop them.
import { z } from 'zod';

export const MAX_RELAYS = 20;

const httpUrl = z
  .string()
  .trim()
  .min(1, 'Enter a URL')
  .max(300)
  .superRefine((text, context) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      context.addIssue({ code: 'custom', message: `“${text.slice(0, 60)}” is not a URL` });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      context.addIssue({
        code: 'custom',
        message: 'The URL starts with https:// (or http://)',
      });
    else if (url.username || url.password || url.search || url.hash)
      context.addIssue({
        code: 'custom',
        message: 'The URL has no user name, password, query or fragment',
      });
  })
  .transform((text) => text.replace(/\/+$/, ''));

export const appSettingsSchema = z.object({
  relays: z
    .array(httpUrl)
    .max(MAX_RELAYS, `At most ${MAX_RELAYS} relays`)
    .refine((relays) => new Set(relays).size === relays.length, 'Each relay once'),
  dhtEnabled: z.boolean(),
  /** The family's companion server (absent: the one the app was started with). */
  serverUrl: httpUrl.optional(),
  republishIntervalMinutes: z.coerce
    .number({ error: 'A number of minutes' })
    .int('A whole number of minutes')
    .min(15, 'At least every 15 minutes')
    .max(1440, 'At least once a day (1440 minutes): relays and DHT nodes forget older packets'),
});

export type AppSettings = z.output<typeof appSettingsSchema>;
