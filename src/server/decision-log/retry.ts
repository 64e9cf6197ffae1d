// Retry timing for uploads: exponential backoff with jitter.

export interface RetryPolicy {
  readonly min_delay_ms: number;
  readonly max_delay_ms: number;
}

/**
 * The wait before retry number `attempt` (1 for the first retry). The ceiling doubles from
 * `min_delay_ms` up to `max_delay_ms`; the wait is a random point in the upper half of it
 * ("equal jitter"), so it keeps growing while many servers that failed together spread out.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const doublings = Math.min(Math.max(attempt - 1, 0), 40);
  const ceiling = Math.min(policy.max_delay_ms, policy.min_delay_ms * 2 ** doublings);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
