const CLI_ERROR = Symbol.for('kecs.CliError')

/**
 * A failure the CLI reports as one line plus a hint, with a non-zero exit code (docs/architecture.md#cli-errors).
 * Library code throws it; commands turn it into `this.error(message, {exit, suggestions})`.
 */
export class CliError extends Error {
  /**
   * `instanceof CliError` also holds for a CliError from another copy of this module: the bundled
   * instance `kecs start` loads (dist/bundle) has its own, and the command's catch must still see it.
   */
  static override [Symbol.hasInstance](v: unknown): boolean {
    if (this !== CliError) return Function.prototype[Symbol.hasInstance].call(this, v)
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[CLI_ERROR] === true
  }

  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
    /** Lines shown before the reason, e.g. the tail of kecs.log. */
    readonly details: string[] = [],
  ) {
    super(message)
    this.name = 'CliError'
  }
}
Object.defineProperty(CliError.prototype, CLI_ERROR, { value: true })

/** The one-line form: `reason (hint)`, for logs and for the detached parent. */
export function oneLine(e: unknown): string {
  if (e instanceof CliError) return e.hint ? `${e.message}. ${e.hint}` : e.message
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name
  return String(e)
}
