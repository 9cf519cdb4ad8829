import { describe, expect, it } from 'vitest'
import { handlers } from '../../src/ecs/handlers.js'
import { operation, shape, waiters } from '../../src/ecs/model/index.js'

/**
 * The waiters file names what clients poll (`aws ecs wait services-stable`, `tasks-running`, …): for
 * every waiter of an implemented operation, each member its acceptors read is one the output shape
 * has, so the serializer keeps it in the answer.
 */
interface Acceptor {
  matcher: string
  argument?: string
  expected: unknown
}

/** The shape a path of members (`services[].status`) leads to from a shape, or undefined. */
function follow(start: string, path: string[]): string | undefined {
  let cur: string | undefined = start
  for (const name of path) {
    let s = shape(cur!)
    while (s.type === 'list') {
      cur = s.member!.shape
      s = shape(cur)
    }
    cur = s.members?.[name]?.shape
    if (!cur) return undefined
  }
  return cur
}

/** Member paths an acceptor argument reads: `a[].b` plain paths, and `a[?cond]` filters' identifiers under `a`. */
function pathsOf(argument: string): string[][] {
  const filter = /(\w+)\[\?(.*)\]/.exec(argument)
  if (filter) {
    const list = filter[1]!
    const inner = filter[2]!.replace(/`[^`]*`/g, '').replace(/\blength\(/g, '(')
    return [[list], ...[...inner.matchAll(/[A-Za-z_]\w*/g)].map((m) => [list, m[0]])]
  }
  return [argument.replace(/\[\]/g, '').split('.')]
}

describe('the waiters read only members the output shapes have', () => {
  const implemented = Object.entries(waiters as Record<string, { operation: string; acceptors: Acceptor[] }>).filter(([, w]) =>
    Object.hasOwn(handlers, w.operation),
  )

  it('covers the waiters of the implemented operations (services-stable, tasks-running, ...)', () => {
    expect(implemented.map(([n]) => n).sort()).toEqual([
      'DaemonActive',
      'DaemonDeploymentStopped',
      'DaemonDeploymentSuccessful',
      'DaemonTaskDefinitionActive',
      'DaemonTaskDefinitionDeleted',
      'ServicesInactive',
      'ServicesStable',
      'TasksRunning',
      'TasksStopped',
    ])
  })

  it.each(implemented)('%s', (_name, w) => {
    const out = operation(w.operation)!.output!.shape
    for (const a of w.acceptors) {
      if (!a.argument) continue
      for (const p of pathsOf(a.argument)) {
        const at = follow(out, p)
        expect(at, `${w.operation}: ${p.join('.')} (${a.argument})`).toBeDefined()
        const s = shape(at!)
        if (s.enum && typeof a.expected === 'string') expect(s.enum, p.join('.')).toContain(a.expected)
      }
    }
  })
})
