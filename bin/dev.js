#!/usr/bin/env node
// Runs the CLI straight from TypeScript sources (no build), for development.
import { execute, settings } from '@oclif/core'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

// tsx loads the .ts sources. oclif's own dist->src mapping reads tsconfig.json, whose rootDir is "."
// (typecheck covers test/ too), so it would look for ./commands: point it at src/commands instead.
register()
settings.enableAutoTranspile = false
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
await execute({
  development: true,
  dir: import.meta.url,
  loadOptions: { root, pjson: { ...pjson, oclif: { ...pjson.oclif, commands: './src/commands' } } },
})
