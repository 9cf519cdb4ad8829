/** ECS API errors, shaped as AWS's JSON 1.1 protocol answers them (docs/architecture.md#wire-format). */
export class EcsError extends Error {
  readonly type: string
  readonly status: number
  /** Extra members some errors carry (e.g. ConflictException.resourceIds). */
  readonly extra?: Record<string, unknown>

  constructor(type: string, message: string, status = 400, extra?: Record<string, unknown>) {
    super(message)
    this.name = type
    this.type = type
    this.status = status
    this.extra = extra
  }
}

export const clientException = (message: string) => new EcsError('ClientException', message)
export const invalidParameter = (message: string) => new EcsError('InvalidParameterException', message)
export const clusterNotFound = (message = 'Cluster not found.') => new EcsError('ClusterNotFoundException', message)
export const serviceNotFound = (message = 'Service not found.') => new EcsError('ServiceNotFoundException', message)
export const serviceNotActive = (message = 'Service was not ACTIVE.') => new EcsError('ServiceNotActiveException', message)
export const resourceNotFound = (message: string) => new EcsError('ResourceNotFoundException', message)
export const limitExceeded = (message: string) => new EcsError('LimitExceededException', message)
export const unsupportedFeature = (message: string) => new EcsError('UnsupportedFeatureException', message)
