/** ECS timestamps on the wire: epoch seconds with millisecond fractions. */
export const epochSeconds = (ms: number) => Math.round(ms) / 1000
