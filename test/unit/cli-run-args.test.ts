import type { Task } from '@aws-sdk/client-ecs'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { buildOverrides, envContainer, essentialNames, parseEnvPairs, runExitCode, taskExitCode } from '../../src/cli/run-args.js'

describe('parseEnvPairs', () => {
  it('splits at the first =, keeps empty values and = in values; the last one given wins', () => {
    expect(parseEnvPairs(['A=1', 'URL=postgres://u:p@h/db?x=y', 'EMPTY=', 'A=2'], {})).toEqual([
      { name: 'A', value: '2' },
      { name: 'URL', value: 'postgres://u:p@h/db?x=y' },
      { name: 'EMPTY', value: '' },
    ])
  })

  it('NAME alone passes on its value from this shell, and fails when it is not set', () => {
    expect(parseEnvPairs(['TOKEN'], { TOKEN: 's3cret' })).toEqual([{ name: 'TOKEN', value: 's3cret' }])
    expect(() => parseEnvPairs(['MISSING'], {})).toThrow(/MISSING is not set/)
  })

  it('refuses a pair without a name', () => {
    expect(() => parseEnvPairs(['=x'], {})).toThrow(CliError)
    expect(() => parseEnvPairs(['A B=x'], {})).toThrow(/invalid --env/)
  })
})

describe('overrides', () => {
  const one = [{ name: 'app' }]
  const two = [{ name: 'app' }, { name: 'sidecar', essential: false }]
  it('goes to the only container, or the one --container names', () => {
    expect(envContainer(one, undefined)).toBe('app')
    expect(envContainer(two, 'sidecar')).toBe('sidecar')
    expect(buildOverrides(one, [{ name: 'A', value: '1' }], undefined)).toEqual({
      containerOverrides: [{ name: 'app', environment: [{ name: 'A', value: '1' }] }],
    })
    expect(buildOverrides(two, [], undefined)).toBeUndefined()
  })

  it('asks which container when there are several, and knows only the definition’s containers', () => {
    expect(() => envContainer(two, undefined)).toThrow(/2 containers/)
    expect(() => envContainer(two, 'nope')).toThrow(/no container "nope"/)
  })

  it('essential defaults to true', () => {
    expect([...essentialNames(two)]).toEqual(['app'])
  })
})

describe('exit code choice', () => {
  const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef'
  const stopped = (over: Partial<Task>): Task => ({ taskArn: arn, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', ...over })

  it("is the essential container's exit code", () => {
    const t = stopped({ containers: [{ name: 'app', exitCode: 3 }] })
    expect(taskExitCode(t, new Set(['app']))).toMatchObject({ code: 3, reason: expect.stringContaining('app exited with code 3') })
    expect(taskExitCode(stopped({ containers: [{ name: 'app', exitCode: 0 }] }), new Set(['app']))).toEqual({ code: 0 })
  })

  it('ignores non-essential containers', () => {
    const t = stopped({ containers: [{ name: 'app', exitCode: 0 }, { name: 'log', exitCode: 137 }] })
    expect(taskExitCode(t, new Set(['app'])).code).toBe(0)
  })

  it('takes the first non-zero essential exit code in definition order', () => {
    const t = stopped({ containers: [{ name: 'b', exitCode: 2 }, { name: 'a', exitCode: 5 }] })
    expect(taskExitCode(t, new Set(['a', 'b'])).code).toBe(5)
  })

  it('is 1 with the reason when the task failed to start', () => {
    const t = stopped({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull access denied', containers: [{ name: 'app' }] })
    expect(taskExitCode(t, new Set(['app']))).toEqual({ code: 1, reason: `task 0123456789abcdef0123456789abcdef failed to start: CannotPullContainerError: pull access denied` })
  })

  it('is 1 when an essential container has no exit code', () => {
    const t = stopped({ stopCode: 'UserInitiated', containers: [{ name: 'app', reason: 'killed' }] })
    expect(taskExitCode(t, new Set(['app']))).toMatchObject({ code: 1, reason: expect.stringContaining('(killed)') })
  })

  it('maps codes a process cannot exit with to 1', () => {
    expect(taskExitCode(stopped({ containers: [{ name: 'app', exitCode: 300 }] }), new Set(['app'])).code).toBe(1)
    expect(taskExitCode(stopped({ containers: [{ name: 'app', exitCode: -1 }] }), new Set(['app'])).code).toBe(1)
  })

  it('several tasks: the first non-zero in RunTask order, else 0', () => {
    expect(runExitCode([{ code: 0 }, { code: 4, reason: 'x' }, { code: 2 }])).toEqual({ code: 4, reason: 'x' })
    expect(runExitCode([{ code: 0 }, { code: 0 }])).toEqual({ code: 0 })
  })
})
