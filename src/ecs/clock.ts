/** The injectable clock (DESIGN rule 9). */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** ECS timestamps on the wire: epoch seconds with millisecond fractions. */
export const epochSeconds = (ms: number) => Math.round(ms) / 1000
