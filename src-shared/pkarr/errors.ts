// Typed failures of the PKARR codec. Every rejection names a stable code the app, the server and
// tests branch on; messages are for people.
export type PkarrErrorCode =
  | 'INVALID_Z32'
  | 'INVALID_PUBLIC_KEY'
  | 'PAYLOAD_TOO_SHORT'
  | 'PAYLOAD_TOO_LARGE'
  | 'PACKET_TOO_LARGE'
  | 'INVALID_SIGNATURE'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_IN_FUTURE'
  | 'MALFORMED_DNS'
  | 'INVALID_NAME'
  | 'NAME_OUTSIDE_ZONE'
  | 'INVALID_RECORD';

export class PkarrError extends Error {
  override name = 'PkarrError';
  constructor(
    readonly code: PkarrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const fail = (code: PkarrErrorCode, message: string): never => {
  throw new PkarrError(code, message);
};
