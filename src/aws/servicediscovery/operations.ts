import { epochSeconds } from '../paging.js'
import { AwsError, type AwsContext } from '../service.js'
import { applyFilters, page, type FilterSpec } from './filters.js'
import { newOperationId } from './ids.js'
import type { CloudMapState, OperationDoc, OperationType, Scope } from './state.js'

/**
 * Cloud Map's asynchronous operations (namespace create/update/delete, service update, instance
 * register/deregister) return an OperationId for GetOperation. KECS applies the change before it
 * answers, so the operation is SUCCESS from the start: Terraform's waiter and the CLI see it done.
 */
export function newOperation(
  scope: Scope,
  now: number,
  type: OperationType,
  targets: OperationDoc['targets'],
  request?: { id?: string; fingerprint: string },
): OperationDoc {
  const op: OperationDoc = { account: scope.account, region: scope.region, id: newOperationId(), type, status: 'SUCCESS', targets, created: now, updated: now }
  if (request?.id) {
    op.requestId = request.id
    op.fingerprint = request.fingerprint
  }
  return op
}

/**
 * A request repeated with the idempotency token of an earlier one: the same request answers the
 * earlier operation; a different one is DuplicateRequest.
 */
export function replayed(state: CloudMapState, scope: Scope, requestId: string | undefined, fingerprint: string): OperationDoc | undefined {
  if (!requestId) return undefined
  const prior = state.operationByRequest(scope, requestId)
  if (!prior) return undefined
  if (prior.fingerprint !== fingerprint) {
    throw new AwsError('DuplicateRequest', `The request token ${requestId} was already used for a different request (operation ${prior.id}).`)
  }
  return prior
}

const render = (o: OperationDoc) => ({
  Id: o.id,
  OwnerAccount: o.account,
  Type: o.type,
  Status: o.status,
  CreateDate: epochSeconds(o.created),
  UpdateDate: epochSeconds(o.updated),
  Targets: o.targets,
})

export function getOperation(input: any, ctx: AwsContext, state: CloudMapState) {
  const scope = { account: input.OwnerAccount ?? ctx.account, region: ctx.region }
  const o = state.operation(scope, String(input.OperationId))
  if (!o) throw new AwsError('OperationNotFound', `Operation not found: ${input.OperationId}`)
  return { Operation: render(o) }
}

const OPERATION_FILTERS: FilterSpec<OperationDoc> = {
  NAMESPACE_ID: { conditions: ['EQ'], value: (o) => o.targets.NAMESPACE },
  SERVICE_ID: { conditions: ['EQ'], value: (o) => o.targets.SERVICE },
  STATUS: { conditions: ['EQ', 'IN'], value: (o) => o.status },
  TYPE: { conditions: ['EQ', 'IN'], value: (o) => o.type },
  UPDATE_DATE: { conditions: ['BETWEEN'], value: (o) => epochSeconds(o.updated) },
}

export function listOperations(input: any, ctx: AwsContext, state: CloudMapState) {
  const all = applyFilters(state.listOperations(ctx), input.Filters, OPERATION_FILTERS)
  const { page: items, nextToken } = page(all, input, 'ListOperations')
  return { Operations: items.map((o) => ({ Id: o.id, Status: o.status })), ...(nextToken ? { NextToken: nextToken } : {}) }
}
