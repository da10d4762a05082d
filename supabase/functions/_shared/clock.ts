/** The time, injected so handlers can be tested at a chosen instant. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
