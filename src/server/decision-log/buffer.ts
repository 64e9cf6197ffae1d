// Bounded in-memory storage for events waiting to be uploaded. Every operation on the logging
// path (offer) is O(1); nothing here ever grows past its limits.

/** A first-in first-out queue with a fixed capacity, stored in a ring. */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; false (and nothing stored) when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** Empties the queue; returns how many items it held. */
  clear(): number {
    const n = this.count;
    while (this.count > 0) this.shift();
    this.head = 0;
    return n;
  }
}

/** One event, serialized. */
export interface BufferedEvent {
  readonly line: string;
  /** UTF-8 length of `line`. */
  readonly bytes: number;
}

export type OfferResult = "ok" | "full" | "too_large";

/**
 * Events waiting to be sent plus those taken out for sending but not yet settled (delivered or
 * given up on). Both count against the limits, so memory stays bounded while a slow upload is
 * in flight.
 */
export class EventBuffer {
  private readonly queue: RingBuffer<BufferedEvent>;
  private queuedBytes = 0;
  private heldEvents = 0;
  private heldBytes = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
  ) {
    this.queue = new RingBuffer(maxEvents);
  }

  /** Events waiting, not yet taken. */
  get queued(): number {
    return this.queue.length;
  }

  /** Everything in memory: waiting plus taken-but-unsettled. */
  get length(): number {
    return this.queue.length + this.heldEvents;
  }

  get bytes(): number {
    return this.queuedBytes + this.heldBytes;
  }

  offer(event: BufferedEvent): OfferResult {
    if (event.bytes > this.maxBytes) return "too_large";
    if (this.length >= this.maxEvents || this.bytes + event.bytes > this.maxBytes) return "full";
    this.queue.push(event);
    this.queuedBytes += event.bytes;
    return "ok";
  }

  /** True when a batch with these limits would be full right now. */
  hasFullBatch(maxEvents: number, maxBytes: number): boolean {
    return this.queue.length >= maxEvents || this.queuedBytes >= maxBytes;
  }

  /**
   * Takes the oldest waiting events, as many as fit in `maxEvents` and `maxBytes` of batch body
   * (`[a,b]`: the events, a comma between each, two brackets); always at least one event when
   * any wait, even if that one alone is larger. They stay counted until `settle`.
   */
  take(maxEvents: number, maxBytes: number): BufferedEvent[] {
    const batch: BufferedEvent[] = [];
    let size = 1;
    for (let next = this.queue.peek(); next !== undefined; next = this.queue.peek()) {
      if (batch.length >= maxEvents || (batch.length > 0 && size + 1 + next.bytes > maxBytes)) break;
      this.queue.shift();
      size += 1 + next.bytes;
      batch.push(next);
    }
    let bytes = 0;
    for (const e of batch) bytes += e.bytes;
    this.queuedBytes -= bytes;
    this.heldEvents += batch.length;
    this.heldBytes += bytes;
    return batch;
  }

  /** Releases a taken batch (delivered or dropped). */
  settle(batch: readonly BufferedEvent[]): void {
    for (const e of batch) this.heldBytes -= e.bytes;
    this.heldEvents -= batch.length;
  }

  /** Forgets everything, waiting and taken; returns how many events that was. */
  clear(): number {
    const n = this.length;
    this.queue.clear();
    this.queuedBytes = 0;
    this.heldEvents = 0;
    this.heldBytes = 0;
    return n;
  }
}
