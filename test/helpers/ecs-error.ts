import { EcsError } from '../../src/ecs/errors.js'

/** The EcsError `fn` throws; fails the test when it throws nothing or something else. */
export function ecsErrorOf(fn: () => unknown): EcsError {
  try {
    fn()
  } catch (e) {
    if (e instanceof EcsError) return e
    throw e
  }
  throw new Error('expected an EcsError')
}
