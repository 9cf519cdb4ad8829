import { Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import ExecCommand from '../../src/commands/exec.js'
import { exitCodeOf } from '../../src/cli/exec.js'

/** `kecs exec`: what follows `--` is the command, flags before it are kecs's; the exit code from the exec Status. */
const parse = (argv: string[]) => Parser.parse(argv, { args: ExecCommand.args, flags: ExecCommand.flags, strict: false })

describe('kecs exec', () => {
  it('everything after -- is the command, even what looks like a flag', async () => {
    const r = await parse(['abcd', '--cluster', 'prod', '-it', '--', 'sh', '-c', 'echo hi --container x'])
    expect(r.args.task).toBe('abcd')
    expect(r.flags).toMatchObject({ cluster: 'prod', interactive: true, tty: true })
    expect(r.flags.container).toBeUndefined()
    expect((r.argv as string[]).slice(1)).toEqual(['sh', '-c', 'echo hi --container x'])
  })

  it('takes the exit code from the Status the kubelet sends', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0)
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '42' }] } })).toBe(42)
    expect(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'boom' })).toBeUndefined()
    expect(exitCodeOf(undefined)).toBeUndefined()
  })
})
