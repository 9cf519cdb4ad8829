import type { HandlerMap } from './types.js'

/**
 * Every implemented operation, by name. Each resource family exports its own map; this joins them.
 * The set of names here is what the README's operations table lists as implemented.
 */
export const handlers: HandlerMap = {}
