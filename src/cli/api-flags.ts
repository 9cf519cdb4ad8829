import { Flags } from '@oclif/core'

/** Flags of the commands that talk to a running instance's ECS API (beside `nameFlag`). */
export const endpointFlag = Flags.string({
  description: 'ECS endpoint of the instance (instead of --name), e.g. http://127.0.0.1:8080',
})

export const clusterFlag = Flags.string({ description: 'cluster name or ARN', default: 'default' })

export const jsonFlag = Flags.boolean({ description: 'print JSON (the ECS API shapes) instead of a table' })
