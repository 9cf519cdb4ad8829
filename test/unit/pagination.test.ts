import { describe, expect, it } from 'vitest'
import { handlers } from '../../src/ecs/handlers.js'
import { operation, paginators, shape } from '../../src/ecs/model/index.js'
import { listPage, pageSizes, paginatorOf, type PagedOperation } from '../../src/ecs/pagination.js'
import { ecsErrorOf } from '../helpers/ecs-error.js'

const items = (n: number) => Array.from({ length: n }, (_, i) => `arn:${String(i).padStart(3, '0')}`)

describe('List* paging from the paginators file', () => {
  it('every implemented operation of the paginators file pages through listPage', () => {
    for (const op of Object.keys(paginators)) {
      if (!Object.hasOwn(handlers, op)) continue
      expect(() => pageSizes(op as PagedOperation), op).not.toThrow()
      expect(pageSizes(op as PagedOperation), op).toBeDefined()
    }
  })

  it("the paginator's result key and tokens are members of the operation's shapes", () => {
    for (const op of ['ListAccountSettings', 'ListClusters', 'ListServices', 'ListServicesByNamespace', 'ListServiceDeployments', 'ListTaskDefinitionFamilies', 'ListTaskDefinitions', 'ListTasks'] as PagedOperation[]) {
      const p = paginatorOf(op)
      const o = operation(op)!
      const out = shape(o.output!.shape).members!
      const inp = shape(o.input!.shape).members!
      expect(Object.keys(out), op).toEqual(expect.arrayContaining([p.result_key, p.output_token]))
      expect(Object.keys(inp), op).toEqual(expect.arrayContaining([p.input_token, p.limit_key]))
    }
  })

  it('answers the result under its key, with the next token while more is left', () => {
    const first = listPage('ListTasks', items(250), {}, ['f'])
    expect(first.taskArns).toHaveLength(100)
    const second = listPage('ListTasks', items(250), { nextToken: first.nextToken }, ['f'])
    expect(second.taskArns![0]).toBe('arn:100')
    const last = listPage('ListTasks', items(250), { nextToken: second.nextToken }, ['f'])
    expect(last.taskArns).toHaveLength(50)
    expect(Object.keys(last)).toEqual(['taskArns'])
  })

  it("keeps ECS's documented page sizes", () => {
    expect(listPage('ListServices', items(30), {}).serviceArns).toHaveLength(10)
    expect(listPage('ListServices', items(300), { maxResults: 100 }).serviceArns).toHaveLength(100)
    expect(listPage('ListClusters', items(300), {}).clusterArns).toHaveLength(100)
    expect(listPage('ListServiceDeployments', items(30), {}).serviceDeployments).toHaveLength(20)
    expect(listPage('ListAccountSettings', items(30), {}).settings).toHaveLength(10)
    expect(ecsErrorOf(() => listPage('ListAccountSettings', items(30), { maxResults: 11 }))).toMatchObject({ type: 'InvalidParameterException', message: 'maxResults must be between 1 and 10.' })
    expect(ecsErrorOf(() => listPage('ListTasks', items(30), { maxResults: 101 }))).toMatchObject({ type: 'InvalidParameterException', message: 'maxResults must be between 1 and 100.' })
    expect(ecsErrorOf(() => listPage('ListTasks', items(30), { maxResults: 0 })).type).toBe('InvalidParameterException')
  })

  it('refuses a token used with other filters', () => {
    const first = listPage('ListServices', items(30), {}, ['a'])
    expect(ecsErrorOf(() => listPage('ListServices', items(30), { nextToken: first.nextToken }, ['b'])).type).toBe('InvalidParameterException')
  })
})
