// Request validation shared by the API's routes: zod schemas for the shapes that recur, and one
// parse that turns a refusal into a typed INVALID error naming each bad field.
import { z } from 'zod';
import { ServiceError } from '../services/service-error';
import { MAX_SEALED_BLOB, SEALED_OVERHEAD } from '../../src-shared/crypto/sealed-box';

export const z32 = z.string().min(52).max(80);
export const uuid = z.string().uuid();

/** Base64 (standard or URL alphabet) of at most `max` bytes, decoded. */
export const base64Bytes = (max: number) =>
  z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64')
    .transform((text) => new Uint8Array(Buffer.from(text, 'base64')));

/** A blob sealed by the app (src-shared/crypto/sealed-box.ts), base64: sized like one. */
export const sealedBlob = base64Bytes(MAX_SEALED_BLOB).refine(
  (bytes) => bytes.length >= SEALED_OVERHEAD,
  'too short to be a sealed blob',
);

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ServiceError(
      'INVALID',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

/** A path parameter that must be a uuid: anything else is a member that does not exist. */
export function uuidParam(value: string): string {
  if (!uuid.safeParse(value).success) throw new ServiceError('NOT_FOUND', 'not found');
  return value;
}

/** Request bodies each route takes, sized to what it documents. */
export const BODY_LIMITS = {
  default: 16 * 1024,
  /** 100 packets of 1,072 bytes in base64 (~1,430 bytes each) with their ids. */
  sync: 256 * 1024,
  /** 255 shares of 4,096 bytes in base64 (~5,460 bytes each) with their guardian ids. */
  backup: 2 * 1024 * 1024,
} as const;
