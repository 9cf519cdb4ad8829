/**
 * Type-level tests, checked by `npm run typecheck` (never run): the compiler rejects a handler whose
 * result does not match its operation's output type. Each `@ts-expect-error` fails the typecheck
 * when the line below it compiles. (A result with an extra member beside matching ones is structurally
 * allowed; the dispatcher drops it at run time, test/unit/model-serialize.test.ts.)
 */
import { handlers } from '../../src/ecs/handlers.js'
import type { Handler, HandlerMap } from '../../src/ecs/types.js'

// The right result compiles.
const listClusters: Handler<'ListClusters'> = async (input) => ({ clusterArns: [`x${input.maxResults ?? 0}`], nextToken: 't' })

// @ts-expect-error clusterArns is a list of strings
const wrongMemberType: Handler<'ListClusters'> = async () => ({ clusterArns: [1] })

// @ts-expect-error ListClusters' output has no member `clusters` (and the result has none of its members)
const unknownMember: Handler<'ListClusters'> = async () => ({ clusters: [] })

// @ts-expect-error timestamps travel as epoch seconds, not Date
const dateTimestamp: Handler<'DescribeTasks'> = async () => ({ tasks: [{ createdAt: new Date() }] })

// @ts-expect-error an enum member takes the model's values only
const wrongEnum: Handler<'DescribeTasks'> = async () => ({ tasks: [{ launchType: 'SPACESHIP' }] })

// @ts-expect-error the input is the operation's request: RunTask has no `serviceName`
const wrongInput: Handler<'RunTask'> = async (input) => ({ tasks: [{ group: input.serviceName }] })

const map: HandlerMap = {
  ListClusters: listClusters,
  // @ts-expect-error a ListClusters handler is not a DescribeClusters handler
  DescribeClusters: listClusters,
}

const unknownOperation: HandlerMap = {
  // @ts-expect-error only operations of the model
  ListPets: listClusters,
}

// The real table: every entry is typed by its operation.
const runTask: Handler<'RunTask'> | undefined = handlers.RunTask
// @ts-expect-error a RunTask handler does not answer DescribeServices
const notDescribeServices: Handler<'DescribeServices'> | undefined = handlers.RunTask

export const checked = [wrongMemberType, unknownMember, dateTimestamp, wrongEnum, wrongInput, map, unknownOperation, runTask, notDescribeServices]
