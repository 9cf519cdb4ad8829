/**
 * The simulated shell the emulated kubelet runs exec commands with: no process runs, so a small
 * POSIX-like interpreter answers `echo`, `env`/`printenv`, `cat` of the files the emulator knows,
 * `exit N` and a few builtins, with `;`, `&&`, `||`, quotes, `$VAR` expansion and redirections. Anything else is
 * "not found" with exit code 127, as dash says it. Pure: the container's env and files come in.
 */
export interface ShellContext {
  /** The container's environment, in the order the pod spec gives it. */
  env: Map<string, string>
  /** Absolute path → content. */
  files: Map<string, string>
  hostname: string
}

export interface ShellResult {
  stdout: string
  stderr: string
  exitCode: number
  /** `exit` ran: an interactive session ends. */
  exited: boolean
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh'])

/** `sh` (any shell, any path) without arguments: with stdin, an interactive session. */
export const isBareShell = (argv: readonly string[]) => argv.length === 1 && SHELLS.has(basename(argv[0]!))

/**
 * Runs an exec's argv. `sh -c SCRIPT` (any shell, any path) interprets SCRIPT; a bare shell with
 * `stdin` interprets stdin; anything else is one simple command, run without a shell (no expansion).
 */
export function runCommand(argv: readonly string[], ctx: ShellContext, stdin = ''): ShellResult {
  if (argv.length === 0) return { stdout: '', stderr: 'error: you must specify at least one command for the container\n', exitCode: 1, exited: false }
  const bin = basename(argv[0]!)
  if (SHELLS.has(bin)) {
    if (argv[1] === '-c') return runScript(argv[2] ?? '', ctx, stdin)
    if (argv.length === 1 || argv[1] === '-s' || argv[1] === '-i') return runScript(stdin, ctx, '')
  }
  const out = new Output()
  const code = simple([...argv], ctx, out, stdin, false)
  return { stdout: out.stdout, stderr: out.stderr, exitCode: code.status, exited: code.exit }
}

/** Interprets a script: lines and `;` separate commands, `&&`/`||` chain them; `exit` stops. */
export function runScript(script: string, ctx: ShellContext, stdin = ''): ShellResult {
  const out = new Output()
  let status = 0
  let lineNo = 0
  for (const line of script.split('\n')) {
    lineNo++
    let skip = false
    // Each command is expanded when it runs, so `$?` and assignments see the commands before it.
    for (const part of splitCommands(line)) {
      if (part.op) {
        skip = (part.op === '&&' && status !== 0) || (part.op === '||' && status === 0)
        continue
      }
      if (skip) continue
      let words: string[]
      try {
        words = tokenize(part.text, ctx.env, status).flatMap((t) => (t.op ? [] : [t.word]))
      } catch (e) {
        out.err(`sh: ${lineNo}: Syntax error: ${(e as Error).message}\n`)
        return { stdout: out.stdout, stderr: out.stderr, exitCode: 2, exited: true }
      }
      if (!words.length) continue
      const r = withRedirects(words, ctx, out, (argv, o) => simple(argv, ctx, o, stdin, true, lineNo))
      status = r.status
      if (r.exit) return { stdout: out.stdout, stderr: out.stderr, exitCode: status, exited: true }
    }
  }
  return { stdout: out.stdout, stderr: out.stderr, exitCode: status, exited: false }
}

type Target = { file: string; append: boolean } | 'stdout' | 'stderr' | 'null'

/**
 * `>FILE`, `>>FILE`, `2>FILE`, `2>&1`, `>&2`, `>/dev/null`: the command writes into a buffer of its
 * own, then each stream goes where it was sent; files written stay readable with `cat` in the session.
 */
function withRedirects(words: string[], ctx: ShellContext, out: Output, run: (argv: string[], o: Output) => { status: number; exit: boolean }) {
  const argv: string[] = []
  const to: { 1: Target; 2: Target } = { 1: 'stdout', 2: 'stderr' }
  for (let i = 0; i < words.length; i++) {
    const m = /^([12]?)(>>?)(&?)(.*)$/.exec(words[i]!)
    if (!m) {
      argv.push(words[i]!)
      continue
    }
    const fd = m[1] === '2' ? 2 : 1
    let target = m[4]!
    if (!target && i + 1 < words.length) target = words[++i]!
    if (m[3]) to[fd] = target === '1' ? to[1] : target === '2' ? to[2] : to[fd]
    else if (target === '/dev/null') to[fd] = 'null'
    else if (target === '/dev/stderr') to[fd] = 'stderr'
    else if (target === '/dev/stdout') to[fd] = 'stdout'
    else to[fd] = { file: target, append: m[2] === '>>' }
  }
  if (to[1] === 'stdout' && to[2] === 'stderr') return run(argv, out)
  const own = new Output()
  const r = run(argv, own)
  const send = (text: string, t: Target) => {
    if (t === 'stdout') out.out(text)
    else if (t === 'stderr') out.err(text)
    else if (t !== 'null') ctx.files.set(t.file, (t.append ? (ctx.files.get(t.file) ?? '') : '') + text)
  }
  for (const t of new Set([to[1], to[2]].filter((x) => typeof x === 'object'))) if (!(t as { append: boolean }).append) ctx.files.set((t as { file: string }).file, '')
  for (const t of [to[1], to[2]]) if (typeof t === 'object') t.append = true
  send(own.stdout, to[1])
  send(own.stderr, to[2])
  return r
}

class Output {
  stdout = ''
  stderr = ''
  out(s: string) {
    this.stdout += s
  }
  err(s: string) {
    this.stderr += s
  }
}

/** One simple command; `exit` ends the script (its status is the result). */
function simple(argv: string[], ctx: ShellContext, o: Output, stdin: string, inShell: boolean, line = 1): { status: number; exit: boolean } {
  // `VAR=value cmd` and bare assignments.
  while (argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0]!)) {
    const [name, ...rest] = argv.shift()!.split('=')
    if (argv.length === 0) {
      ctx.env.set(name!, rest.join('='))
      return { status: 0, exit: false }
    }
  }
  const [cmd, ...args] = argv
  const ok = { status: 0, exit: false }
  switch (basename(cmd!)) {
    case 'echo': {
      const noNewline = args[0] === '-n'
      o.out(args.slice(noNewline ? 1 : 0).join(' ') + (noNewline ? '' : '\n'))
      return ok
    }
    case 'env':
    case 'printenv': {
      if (args.length === 0) {
        for (const [k, v] of ctx.env) o.out(`${k}=${v}\n`)
        return ok
      }
      let status = 0
      for (const name of args) {
        const v = ctx.env.get(name)
        if (v === undefined) status = 1
        else o.out(`${v}\n`)
      }
      return { status, exit: false }
    }
    case 'cat': {
      if (args.length === 0) {
        o.out(stdin)
        return ok
      }
      let status = 0
      for (const f of args) {
        const content = ctx.files.get(f)
        if (content === undefined) {
          o.err(`cat: ${f}: No such file or directory\n`)
          status = 1
        } else o.out(content)
      }
      return { status, exit: false }
    }
    case 'exit': {
      const n = args[0] === undefined ? 0 : Number(args[0])
      if (!Number.isInteger(n) || n < 0) {
        o.err(`sh: ${line}: exit: Illegal number: ${args[0]}\n`)
        return { status: 2, exit: true }
      }
      return { status: n % 256, exit: true }
    }
    case 'true':
    case ':':
      return ok
    case 'false':
      return { status: 1, exit: false }
    case 'hostname':
      o.out(`${ctx.hostname}\n`)
      return ok
    case 'pwd':
      o.out('/\n')
      return ok
    case 'whoami':
      o.out('root\n')
      return ok
    case 'sleep':
      return ok
    case 'sh':
    case 'bash':
    case 'ash':
    case 'dash': {
      if (args[0] !== '-c') break
      const r = runScript(args[1] ?? '', ctx, stdin)
      o.out(r.stdout)
      o.err(r.stderr)
      return { status: r.exitCode, exit: false }
    }
  }
  o.err(inShell ? `sh: ${line}: ${cmd}: not found\n` : notFoundExec(cmd!))
  return { status: 127, exit: false }
}

/** What the container runtime says when exec names a binary that is not there. */
const notFoundExec = (cmd: string) =>
  `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1)

type Token = { word: string; op?: undefined } | { op: ';' | '&&' | '||'; word?: undefined }

/** A line cut at `;`, `&&` and `||` outside quotes (and before a `#` comment), each part unexpanded. */
export function splitCommands(line: string): ({ text: string; op?: undefined } | { op: ';' | '&&' | '||'; text?: undefined })[] {
  const out: ({ text: string; op?: undefined } | { op: ';' | '&&' | '||'; text?: undefined })[] = []
  let start = 0
  let quote = ''
  let i = 0
  const cut = (op: ';' | '&&' | '||', len: number) => {
    out.push({ text: line.slice(start, i) }, { op })
    i += len
    start = i
  }
  while (i < line.length) {
    const c = line[i]!
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = ''
      i++
    } else if (c === '\\') i += 2
    else if (c === "'" || c === '"') {
      quote = c
      i++
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break
    else if (c === ';') cut(';', 1)
    else if ((c === '&' || c === '|') && line[i + 1] === c) cut(c === '&' ? '&&' : '||', 2)
    else i++
  }
  out.push({ text: line.slice(start, i) })
  return out
}

/** Splits a line into words and operators: single and double quotes, backslash, `$VAR`, `${VAR}`, `$?`, `#` comments. */
export function tokenize(line: string, env: Map<string, string>, status = 0): Token[] {
  const out: Token[] = []
  let word = ''
  let inWord = false
  const end = () => {
    if (inWord) out.push({ word })
    word = ''
    inWord = false
  }
  const expand = (i: number): [string, number] => {
    const rest = line.slice(i + 1)
    if (rest[0] === '?') return [String(status), i + 2]
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest)
    if (braced) return [env.get(braced[1]!) ?? '', i + 1 + braced[0].length]
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)
    if (bare) return [env.get(bare[0]) ?? '', i + 1 + bare[0].length]
    return ['$', i + 1]
  }
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === ' ' || c === '\t') {
      end()
      i++
    } else if (c === '#' && !inWord) {
      break
    } else if (c === ';') {
      end()
      out.push({ op: ';' })
      i++
    } else if ((c === '&' || c === '|') && line[i + 1] === c) {
      end()
      out.push({ op: c === '&' ? '&&' : '||' })
      i += 2
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1)
      if (close < 0) throw new Error('Unterminated quoted string')
      word += line.slice(i + 1, close)
      inWord = true
      i = close + 1
    } else if (c === '"') {
      inWord = true
      i++
      for (;;) {
        if (i >= line.length) throw new Error('Unterminated quoted string')
        const d = line[i]!
        if (d === '"') {
          i++
          break
        }
        if (d === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) {
          word += line[i + 1]
          i += 2
        } else if (d === '$') {
          const [v, next] = expand(i)
          word += v
          i = next
        } else {
          word += d
          i++
        }
      }
    } else if (c === '\\') {
      word += line[i + 1] ?? ''
      inWord = true
      i += 2
    } else if (c === '$') {
      const [v, next] = expand(i)
      word += v
      // An unquoted expansion to nothing is no word.
      inWord = inWord || v !== ''
      i = next
    } else {
      word += c
      inWord = true
      i++
    }
  }
  end()
  return out
}
