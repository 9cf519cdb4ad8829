/** What FARGATE tasks need on each target: an awsvpc network configuration and their awslogs group. */
import { CallError, createRawClient, ec2Query, LOGS } from './client.js'
import type { TargetContext } from './types.js'
import { KECS_TARGET } from './runner.js'

export interface AwsvpcConfiguration {
  subnets: string[]
  securityGroups: string[]
  assignPublicIp: 'ENABLED' | 'DISABLED'
}

const allMatches = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'g'))].map((m) => m[1]!)

/**
 * The default VPC's subnets and security group, as a FARGATE RunTask / CreateService sends them.
 * moto checks them against its EC2 backend, so they are read from its EC2 API (DescribeVpcs,
 * DescribeSubnets, DescribeSecurityGroups of the default VPC). KECS does not look the ids up (no
 * EC2 here): any well-formed ids do.
 */
export async function defaultAwsvpc(t: TargetContext): Promise<AwsvpcConfiguration> {
  if (t.target === KECS_TARGET) return { subnets: ['subnet-0bench000000000001'], securityGroups: ['sg-0bench000000000001'], assignPublicIp: 'DISABLED' }
  const vpcs = await ec2Query(t.endpoint, { Action: 'DescribeVpcs', 'Filter.1.Name': 'is-default', 'Filter.1.Value.1': 'true' })
  const vpcId = allMatches(vpcs, 'vpcId')[0]
  if (!vpcId) throw new Error(`${t.target} has no default VPC (DescribeVpcs is-default=true answered none)`)
  const subnetsXml = await ec2Query(t.endpoint, { Action: 'DescribeSubnets', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId })
  const sgXml = await ec2Query(t.endpoint, {
    Action: 'DescribeSecurityGroups',
    'Filter.1.Name': 'vpc-id',
    'Filter.1.Value.1': vpcId,
    'Filter.2.Name': 'group-name',
    'Filter.2.Value.1': 'default',
  })
  const subnets = [...new Set(allMatches(subnetsXml, 'subnetId'))].slice(0, 2)
  const securityGroups = [...new Set(allMatches(sgXml, 'groupId'))].slice(0, 1)
  if (!subnets.length || !securityGroups.length) throw new Error(`${t.target}'s default VPC ${vpcId}: no subnet or no default security group`)
  return { subnets, securityGroups, assignPublicIp: 'DISABLED' }
}

/** Creates a CloudWatch Logs group on the target (KECS stops a task whose awslogs group is missing, as ECS does). */
export async function ensureLogGroup(t: TargetContext, logGroupName: string): Promise<void> {
  const logs = createRawClient(t.endpoint, { ...LOGS, maxSockets: 1 })
  try {
    await logs.call('CreateLogGroup', { logGroupName })
  } catch (e) {
    if (!(e instanceof CallError && e.type === 'ResourceAlreadyExistsException')) throw e
  } finally {
    logs.close()
  }
}
