import { describe, expect, it } from 'vitest'
import { execContext, expand } from '../../src/emulator/kubelet/exec-context.js'
import { runCommand, runScript, tokenize, type ShellContext } from '../../src/emulator/kubelet/shell.js'
import type { KubeObject } from '../../src/emulator/types.js'

/** The simulated shell of the emulated kubelet's exec, and the env and files a container's shell sees. */
const ctx = (): ShellContext => ({
  env: new Map([
    ['GREETING', 'hello world'],
    ['EMPTY', ''],
  ]),
  files: new Map([['/etc/app.conf', 'port=80\n']]),
  hostname: 'web-1',
})

describe('simulated shell', () => {
  it('echo, with -n and expansion of $VAR, ${VAR} and $?', () => {
    expect(runCommand(['echo', 'hi', 'there'], ctx())).toEqual({ stdout: 'hi there\n', stderr: '', exitCode: 0, exited: false })
    expect(runCommand(['sh', '-c', 'echo -n "$GREETING"'], ctx()).stdout).toBe('hello world')
    expect(runCommand(['/bin/sh', '-c', 'echo ${GREETING}!; false; echo $?'], ctx()).stdout).toBe('hello world!\n1\n')
    // Without a shell nothing is expanded, as the container runtime passes argv verbatim.
    expect(runCommand(['echo', '$GREETING'], ctx()).stdout).toBe('$GREETING\n')
  })

  it('quotes: single quotes keep $, double quotes expand, backslash escapes', () => {
    expect(runScript(`echo '$GREETING' "a  b" c\\ d`, ctx()).stdout).toBe('$GREETING a  b c d\n')
    expect(runScript('echo "unterminated', ctx())).toMatchObject({ exitCode: 2, stderr: 'sh: 1: Syntax error: Unterminated quoted string\n' })
  })

  it('env lists the environment in order; printenv prints one, 1 when unset', () => {
    expect(runCommand(['env'], ctx()).stdout).toBe('GREETING=hello world\nEMPTY=\n')
    expect(runCommand(['printenv', 'GREETING'], ctx())).toMatchObject({ stdout: 'hello world\n', exitCode: 0 })
    expect(runCommand(['printenv', 'NOPE'], ctx())).toMatchObject({ stdout: '', exitCode: 1 })
  })

  it('cat of a known file, of an unknown one, and of stdin', () => {
    expect(runCommand(['cat', '/etc/app.conf'], ctx()).stdout).toBe('port=80\n')
    expect(runCommand(['cat', '/nope'], ctx())).toMatchObject({ stderr: 'cat: /nope: No such file or directory\n', exitCode: 1 })
    expect(runCommand(['cat'], ctx(), 'piped\n').stdout).toBe('piped\n')
  })

  it('exit N ends the script with N (mod 256); an illegal number is 2', () => {
    expect(runCommand(['sh', '-c', 'echo before; exit 3; echo after'], ctx())).toEqual({ stdout: 'before\n', stderr: '', exitCode: 3, exited: true })
    expect(runCommand(['sh', '-c', 'exit 257'], ctx()).exitCode).toBe(1)
    expect(runCommand(['sh', '-c', 'exit x'], ctx())).toMatchObject({ exitCode: 2, stderr: 'sh: 1: exit: Illegal number: x\n' })
  })

  it('an unknown command is 127: the shell says "not found", a direct exec the runtime message', () => {
    expect(runCommand(['sh', '-c', 'frobnicate --now'], ctx())).toMatchObject({ stderr: 'sh: 1: frobnicate: not found\n', exitCode: 127 })
    expect(runCommand(['frobnicate'], ctx())).toMatchObject({
      exitCode: 127,
      stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "frobnicate": executable file not found in $PATH: unknown\n',
    })
  })

  it('&& and || chain on the status; ; always continues; # starts a comment', () => {
    expect(runScript('false && echo no || echo yes; echo next # ignored', ctx()).stdout).toBe('yes\nnext\n')
    expect(runScript('true && echo one', ctx()).stdout).toBe('one\n')
  })

  it('redirections: to files cat can read, append, /dev/null, 2>&1 and >&2', () => {
    const c = ctx()
    expect(runScript('echo one > /tmp/f; echo two >>/tmp/f; cat /tmp/f', c).stdout).toBe('one\ntwo\n')
    expect(runScript('echo gone >/dev/null; nosuch 2>/dev/null; echo $?', c)).toMatchObject({ stdout: '127\n', stderr: '' })
    expect(runScript('nosuch 2>&1', c)).toMatchObject({ stdout: 'sh: 1: nosuch: not found\n', stderr: '' })
    expect(runScript('echo warn >&2', c)).toMatchObject({ stdout: '', stderr: 'warn\n' })
    expect(runScript('cat /nope > /tmp/g 2>&1; cat /tmp/g', c).stdout).toBe('cat: /nope: No such file or directory\n')
  })

  it('a bare shell interprets stdin line by line; assignments persist', () => {
    expect(runCommand(['sh'], ctx(), 'X=5\necho $X\nhostname\nexit 4\necho never\n')).toMatchObject({ stdout: '5\nweb-1\n', exitCode: 4, exited: true })
  })

  it('tokenize keeps operators apart from words', () => {
    expect(tokenize('a&&b;c||d', new Map())).toEqual([{ word: 'a' }, { op: '&&' }, { word: 'b' }, { op: ';' }, { word: 'c' }, { op: '||' }, { word: 'd' }])
    // An unquoted expansion to nothing is no word; a quoted one is an empty word.
    expect(tokenize('echo $EMPTY "$EMPTY"', new Map([['EMPTY', '']]))).toEqual([{ word: 'echo' }, { word: '' }])
  })
})

describe('exec context', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'task-1', namespace: 'kecs-default', uid: 'u-1', labels: { app: 'web' } },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'app',
          envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
          env: [
            { name: 'A', value: 'one' },
            { name: 'B', value: '$(A)-two $$(A) $(UNSET)' },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'kecs-secret-1', key: 'value' } } },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          ],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/conf/' }],
        },
      ],
      volumes: [{ name: 'conf', secret: { secretName: 'kecs-secret-1' } }],
    },
    status: { podIP: '10.244.0.7' },
  }
  const objects = {
    get: (kind: string, _ns: string | undefined, name: string) =>
      kind === 'secrets' && name === 'kecs-secret-1'
        ? ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { value: Buffer.from('s3cret').toString('base64') } } as KubeObject)
        : kind === 'configmaps' && name === 'cm'
          ? ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { MODE: 'fast' } } as KubeObject)
          : undefined,
  }

  it('resolves env as the kubelet does: envFrom, values with $(VAR), secrets and the downward API', () => {
    const c = execContext(pod, 'app', objects)
    expect(Object.fromEntries(c.env)).toMatchObject({
      HOSTNAME: 'task-1',
      CM_MODE: 'fast',
      A: 'one',
      B: 'one-two $(A) $(UNSET)',
      PASSWORD: 's3cret',
      POD: 'task-1',
      APP: 'web',
      HOME: '/root',
    })
    expect(runCommand(['sh', '-c', 'echo $PASSWORD'], c).stdout).toBe('s3cret\n')
  })

  it('knows /etc/hostname, /etc/hosts and the keys of secret volumes', () => {
    const c = execContext(pod, 'app', objects)
    expect(c.files.get('/etc/hostname')).toBe('task-1\n')
    expect(c.files.get('/etc/hosts')).toContain('10.244.0.7\ttask-1\n')
    expect(c.files.get('/etc/conf/value')).toBe('s3cret')
  })

  it('expand leaves unknown references and turns $$ into $', () => {
    expect(expand('$(X)/$$(X)/$(Y)', new Map([['X', '1']]))).toBe('1/$(X)/$(Y)')
  })
})
