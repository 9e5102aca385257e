// A token bucket per client address: `perMinute` requests, refilled continuously.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the client may go ahead; false means answer 429. */
  take(client: string): boolean {
    if (this.perMinute <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(
      this.perMinute,
      bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000,
    );
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(client, bucket);
    if (this.buckets.size > 100_000) this.buckets.clear(); // bounded memory under a flood
    return allowed;
  }

  /** Seconds until the client has a token again. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(60 / Math.max(1, this.perMinute)));
  }
}
