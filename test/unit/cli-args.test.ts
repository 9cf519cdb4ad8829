import { Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import Start from '../../src/commands/start.js'
import Stop from '../../src/commands/stop.js'
import Status from '../../src/commands/status.js'
import { formatDuration, parseDuration } from '../../src/lib/duration.js'
import { envLines, shellQuote } from '../../src/cli/env.js'
import { CliError, oneLine } from '../../src/lib/errors.js'
import { startArgs, type StartOptions } from '../../src/cli/start-options.js'
import { isPlainOutput } from '../../src/cli/foreground.js'

const parseStart = (argv: string[]) => Parser.parse(argv, { flags: Start.flags, strict: true })

describe('duration parsing', () => {
  it('accepts units, combinations and bare seconds', () => {
    expect(parseDuration('180s')).toBe(180_000)
    expect(parseDuration('3m')).toBe(180_000)
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('45')).toBe(45_000)
    expect(parseDuration(' 10S ')).toBe(10_000)
  })

  it('rejects anything else with a hint', () => {
    for (const bad of ['', 's', '10x', 'ten', '10s5', '-5s', '1m 30s']) {
      expect(() => parseDuration(bad), bad).toThrow(CliError)
    }
    try {
      parseDuration('soon')
    } catch (e) {
      expect(oneLine(e)).toMatch(/invalid duration "soon".*180s/)
    }
  })

  it('formats uptimes briefly', () => {
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(45_900)).toBe('45s')
    expect(formatDuration(192_000)).toBe('3m 12s')
    expect(formatDuration(7_500_000)).toBe('2h 5m')
    expect(formatDuration(97_200_000)).toBe('1d 3h')
  })
})

describe('kecs start flags', () => {
  it('has the documented defaults', async () => {
    const { flags } = await parseStart([])
    expect(flags).toMatchObject({
      name: 'default',
      port: 8080,
      'admin-port': 8081,
      host: '127.0.0.1',
      cluster: 'auto',
      timeout: 180_000,
    })
    expect(flags.detach).toBeFalsy()
  })

  it('parses every flag of the contract', async () => {
    const { flags } = await parseStart([
      ...['--name', 'ci', '--port', '0', '--admin-port', '9001', '--host', '0.0.0.0', '--cluster', 'kind'],
      ...['--kubeconfig', '/k', '--context', 'c', '-d', '--timeout', '2m'],
    ])
    expect(flags).toMatchObject({
      name: 'ci',
      port: 0,
      'admin-port': 9001,
      host: '0.0.0.0',
      cluster: 'kind',
      kubeconfig: '/k',
      context: 'c',
      detach: true,
      timeout: 120_000,
    })
    expect((await parseStart(['--detach'])).flags.detach).toBe(true)
  })

  it('rejects bad values', async () => {
    await expect(parseStart(['--cluster', 'minikube'])).rejects.toThrow(/minikube/)
    await expect(parseStart(['--port', '70000'])).rejects.toThrow()
    await expect(parseStart(['--port', 'http'])).rejects.toThrow()
    await expect(parseStart(['--timeout', 'forever'])).rejects.toThrow(/duration/)
    await expect(parseStart(['--name', '../etc'])).rejects.toThrow(/instance name/)
  })

  it('stop and status take --name, --delete-cluster and --json', async () => {
    expect((await Parser.parse(['--delete-cluster'], { flags: Stop.flags })).flags).toMatchObject({
      name: 'default',
      'delete-cluster': true,
    })
    expect((await Parser.parse(['--name', 'x', '--json'], { flags: Status.flags })).flags).toMatchObject({
      name: 'x',
      json: true,
    })
  })

  it('rebuilds the arguments a detached child runs (no -d), so they parse back to the same options', async () => {
    const o: StartOptions = {
      name: 'ci',
      host: '127.0.0.1',
      port: 0,
      adminPort: 9001,
      cluster: 'auto',
      context: 'c',
      timeoutMs: 90_000,
    }
    const args = startArgs(o)
    expect(args[0]).toBe('start')
    expect(args).not.toContain('-d')
    expect(args).not.toContain('--detach')
    const { flags } = await parseStart(args.slice(1))
    expect(flags).toMatchObject({ name: 'ci', port: 0, 'admin-port': 9001, cluster: 'auto', context: 'c', timeout: 90_000 })
    expect(flags.kubeconfig).toBeUndefined()
    expect(flags['inject-endpoint']).toBe(true)
  })

  it('--no-inject-endpoint reaches the options and survives the detached child', async () => {
    const { flags } = await parseStart(['--no-inject-endpoint'])
    expect(flags['inject-endpoint']).toBe(false)
    const o: StartOptions = { name: 'ci', host: '127.0.0.1', port: 0, adminPort: 0, cluster: 'auto', timeoutMs: 1000, injectEndpoint: false }
    const args = startArgs(o)
    expect(args).toContain('--no-inject-endpoint')
    expect((await parseStart(args.slice(1))).flags['inject-endpoint']).toBe(false)
  })
})

describe('kecs env lines', () => {
  it('exports the endpoint, region and dummy credentials', () => {
    expect(envLines({ endpoint: 'http://127.0.0.1:8080', region: 'eu-west-1' })).toEqual([
      'export AWS_ENDPOINT_URL_ECS=http://127.0.0.1:8080',
      ...['SSM', 'SECRETS_MANAGER', 'CLOUDWATCH_LOGS', 'STS', 'IAM', 'SERVICEDISCOVERY'].map((s) => `export AWS_ENDPOINT_URL_${s}=http://127.0.0.1:8080`),
      'export AWS_REGION=eu-west-1',
      'export AWS_DEFAULT_REGION=eu-west-1',
      'export AWS_DISABLE_HOST_PREFIX_INJECTION=true',
      'export AWS_ACCESS_KEY_ID=test',
      'export AWS_SECRET_ACCESS_KEY=test',
    ])
  })

  it('quotes values the shell would split', () => {
    expect(shellQuote('http://[::1]:8080')).toBe(`'http://[::1]:8080'`)
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`)
  })
})

describe('output mode', () => {
  it('uses plain lines in CI or without a TTY', () => {
    expect(isPlainOutput({}, { isTTY: true })).toBe(false)
    expect(isPlainOutput({ CI: 'true' }, { isTTY: true })).toBe(true)
    expect(isPlainOutput({ CI: 'false' }, { isTTY: true })).toBe(false)
    expect(isPlainOutput({}, { isTTY: false })).toBe(true)
    expect(isPlainOutput({}, {})).toBe(true)
  })
})
