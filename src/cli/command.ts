import { Command, Flags } from '@oclif/core'
import { parseDuration } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { DEFAULT_NAME, validateName } from './registry.js'

/**
 * Base of every kecs command: a CliError becomes `Error: <reason>` and `Hint: <hint>` on stderr (each
 * one unwrapped line, so scripts can grep them) and its exit code.
 */
export abstract class KecsCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof CliError) {
      for (const line of err.details) this.logToStderr(line)
      this.logToStderr(`Error: ${err.message}`)
      if (err.hint) this.logToStderr(`Hint: ${err.hint}`)
      this.exit(err.exitCode)
    }
    return super.catch(err)
  }
}

/** Flags several commands share. */
export const nameFlag = Flags.string({
  description: 'instance name (a directory under $KECS_HOME/instances)',
  default: DEFAULT_NAME,
  parse: async (s) => validateName(s),
})

export const durationFlag = Flags.custom<number>({
  parse: async (s) => parseDuration(s),
})
