import { describe, expect, it } from 'vitest'
import { clusterOfArn, withClusterFromArns } from '../../src/ecs/cluster-from-arn.js'

const P = 'arn:aws:ecs:us-east-1:000000000000'

describe('an ARN names its cluster', () => {
  it('long-format service, task, task set and container instance ARNs do; others do not', () => {
    expect(clusterOfArn(`${P}:service/prod/web`)).toBe('prod')
    expect(clusterOfArn(`${P}:task/prod/0123456789abcdef0123456789abcdef`)).toBe('prod')
    expect(clusterOfArn(`${P}:task-set/prod/web/ecs-svc/123`)).toBe('prod')
    expect(clusterOfArn(`${P}:container-instance/prod/0123`)).toBe('prod')
    expect(clusterOfArn(`${P}:service/web`)).toBeUndefined() // short (old) format
    expect(clusterOfArn(`${P}:task-definition/web:1`)).toBeUndefined()
    expect(clusterOfArn('web')).toBeUndefined()
  })

  it('fills `cluster` of operations that take one, from the first resource ARN, unless given', () => {
    expect(withClusterFromArns('ListServiceDeployments', { service: `${P}:service/prod/web` })).toEqual({ service: `${P}:service/prod/web`, cluster: 'prod' })
    expect(withClusterFromArns('DescribeTasks', { tasks: ['abc', `${P}:task/b/1`, `${P}:task/c/2`] })).toMatchObject({ cluster: 'b' })
    expect(withClusterFromArns('DescribeServices', { cluster: 'given', services: [`${P}:service/prod/web`] })).toMatchObject({ cluster: 'given' })
    expect(withClusterFromArns('DescribeServices', { services: ['web'] })).toEqual({ services: ['web'] })
    // DescribeServiceDeployments has no cluster member: left as it is
    expect(withClusterFromArns('DescribeServiceDeployments', { service: `${P}:service/prod/web` })).toEqual({ service: `${P}:service/prod/web` })
  })
})
