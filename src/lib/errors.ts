/**
 * A failure the CLI reports as one line plus a hint, with a non-zero exit code (docs/architecture.md#cli-errors).
 * Library code throws it; commands turn it into `this.error(message, {exit, suggestions})`.
 */
export class CliError extends Error {
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

/** The one-line form: `reason (hint)`, for logs and for the detached parent. */
export function oneLine(e: unknown): string {
  if (e instanceof CliError) return e.hint ? `${e.message}. ${e.hint}` : e.message
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name
  return String(e)
}
