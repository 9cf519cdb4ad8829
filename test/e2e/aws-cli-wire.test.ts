/**
 * End-to-end with the real `aws` CLI against the built CLI's instance: the request context (region from
 * the signature, account from KECS_ACCOUNT_ID) and how the aws CLI shows KECS's protocol errors.
 * For an unknown operation and wrong member types, the aws CLI is given a doctored copy of the ECS model
 * (AWS_DATA_PATH) that has an extra operation and a string `maxResults`, so its own client-side
 * checks let the request through and KECS's answer is what the user sees.
 */
import { execa } from 'execa'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, ROOT, cliHome, hasCommand, type CliHome, type Started } from '../helpers/cli.js'

const hasAws = await hasCommand('aws', ['--version'])
if (!hasAws) console.warn('[e2e] the `aws` CLI is not installed: the AWS CLI wire tests are SKIPPED')

const ACCOUNT = '123456789012'

describe.skipIf(!hasAws)('aws CLI: request context and protocol errors', { timeout: 60_000 }, () => {
  let cli: CliHome
  let inst: Started
  let dataPath: string

  const aws = (args: string[], extra: Record<string, string> = {}) =>
    execa('aws', ['--endpoint-url', inst.endpoint, '--output', 'json', 'ecs', ...args], {
      env: cli.env(extra),
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    })
  const json = async (args: string[], extra?: Record<string, string>) => {
    const r = await aws(args, extra)
    if (r.exitCode !== 0) throw new Error(`aws ecs ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`)
    return JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-aws-wire-')
    inst = await cli.startDetached('wire', { env: { KECS_ACCOUNT_ID: ACCOUNT } })

    const model = JSON.parse(readFileSync(join(ROOT, 'src/ecs/model/ecs-2014-11-13.service.json'), 'utf8'))
    model.operations.DescribeWidgets = { ...model.operations.ListClusters, name: 'DescribeWidgets' }
    model.shapes.ListClustersRequest.members.maxResults = { shape: 'String' }
    dataPath = join(cli.home, 'aws-models')
    mkdirSync(join(dataPath, 'ecs', '2014-11-13'), { recursive: true })
    writeFileSync(join(dataPath, 'ecs', '2014-11-13', 'service-2.json'), JSON.stringify(model))
  })
  afterAll(async () => cli?.cleanup())

  it('uses KECS_ACCOUNT_ID in every ARN', async () => {
    const c = await json(['create-cluster', '--cluster-name', 'acct'])
    expect(c.cluster.clusterArn).toBe(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/acct`)
    const td = await json(['register-task-definition', '--family', 'acct', '--container-definitions', '[{"name":"app","image":"nginx","memory":64}]'])
    expect(td.taskDefinition.taskDefinitionArn).toBe(`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/acct:1`)
    expect(td.taskDefinition.registeredBy).toBe(`arn:aws:iam::${ACCOUNT}:root`)
  })

  it('isolates resources by the region of the request signature (--region)', async () => {
    const east = await json(['create-cluster', '--cluster-name', 'same'])
    const west = await json(['--region', 'eu-west-1', 'create-cluster', '--cluster-name', 'same'])
    expect(east.cluster.clusterArn).toBe(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/same`)
    expect(west.cluster.clusterArn).toBe(`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/same`)
    // The instance was started with AWS_REGION us-east-1; the aws CLI signs with its own region, and that wins.
    expect((await json(['list-clusters'], { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' })).clusterArns).toEqual([
      west.cluster.clusterArn,
    ])
    expect((await json(['--region', 'ap-south-1', 'list-clusters'])).clusterArns).toEqual([])

    // Revisions count per region.
    const td = ['register-task-definition', '--family', 'regional', '--container-definitions', '[{"name":"app","image":"nginx","memory":64}]']
    await json(td)
    await json(td)
    expect((await json(['--region', 'eu-west-1', ...td])).taskDefinition.revision).toBe(1)

    // Deleting in one region leaves the other alone.
    expect((await json(['--region', 'eu-west-1', 'delete-cluster', '--cluster', 'same'])).cluster.status).toBe('INACTIVE')
    const left = await json(['describe-clusters', '--clusters', 'same'])
    expect(left.clusters[0]).toMatchObject({ clusterArn: east.cluster.clusterArn, status: 'ACTIVE' })
    const gone = await aws(['--region', 'eu-west-1', 'describe-task-definition', '--task-definition', 'acct'])
    expect(gone.exitCode).toBe(255)
    expect(gone.stderr).toContain('(ClientException) when calling the DescribeTaskDefinition operation')
  })

  it('shows UnknownOperationException for an operation ECS does not have', async () => {
    const r = await aws(['describe-widgets'], { AWS_DATA_PATH: dataPath })
    expect(r.exitCode).toBe(255)
    expect(r.stderr.trim()).toBe('An error occurred (UnknownOperationException) when calling the DescribeWidgets operation: Unknown operation DescribeWidgets')
  })

  it('shows InvalidParameterException naming the member for a wrong type', async () => {
    const r = await aws(['list-clusters', '--max-results', 'ten'], { AWS_DATA_PATH: dataPath })
    expect(r.exitCode).toBe(255)
    expect(r.stderr).toContain("An error occurred (InvalidParameterException) when calling the ListClusters operation: Invalid parameter at 'maxResults': expected an integer")
  })

  it("answers the agent's own call, and shows the error of an out-of-range value", async () => {
    // Every operation is served now: the container agent's DiscoverPollEndpoint answers its endpoints.
    let r = await aws(['discover-poll-endpoint'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(JSON.parse(String(r.stdout)).endpoint).toMatch(/^https:\/\//)
    r = await aws(['list-clusters', '--max-results', '101'])
    expect(r.exitCode).toBe(255)
    expect(r.stderr).toContain('(InvalidParameterException) when calling the ListClusters operation')
  })
})
