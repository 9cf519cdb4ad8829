/**
 * End-to-end with boto3 (Python), one of the real clients KECS is tested with: the built CLI starts an
 * instance, a Python script drives it through boto3 and prints what it saw as JSON.
 */
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT, cliHome, type CliHome, type Started } from '../helpers/cli.js'

const python = process.env.PYTHON ?? 'python3'
const probe = await execa(python, ['-c', 'import boto3, botocore; print(boto3.__version__)'], { reject: false }).catch(() => undefined)
const hasBoto3 = probe?.exitCode === 0
if (!hasBoto3) console.warn(`[e2e] ${python} with boto3 is not available: the boto3 tests are SKIPPED`)

const SCRIPT = String.raw`
import json, os, sys
import boto3
from botocore.exceptions import ClientError

ecs = boto3.client('ecs', endpoint_url=os.environ['KECS_ENDPOINT'], region_name='eu-west-1',
                   aws_access_key_id='test', aws_secret_access_key='test')
out = {}

def error(fn, **kw):
    try:
        fn(**kw)
        return None
    except ClientError as e:
        return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                'status': e.response['ResponseMetadata']['HTTPStatusCode'],
                'requestId': e.response['ResponseMetadata'].get('RequestId')}

c = ecs.create_cluster(clusterName='py', tags=[{'key': 'lang', 'value': 'python'}])['cluster']
out['cluster'] = {k: c[k] for k in ('clusterArn', 'clusterName', 'status')}

td = ecs.register_task_definition(
    family='py-web',
    containerDefinitions=[{'name': 'app', 'image': 'nginx:1.27', 'memory': 128,
                           'portMappings': [{'containerPort': 80}], 'essential': True}],
)['taskDefinition']
ecs.register_task_definition(family='py-web', containerDefinitions=[{'name': 'app', 'image': 'nginx:1.28', 'memory': 128}])
out['registered'] = {'arn': td['taskDefinitionArn'], 'revision': td['revision'], 'status': td['status'],
                     'registeredAt': type(td['registeredAt']).__name__}

d = ecs.describe_clusters(clusters=['py', 'missing'], include=['TAGS'])
out['describeClusters'] = {'names': [x['clusterName'] for x in d['clusters']], 'tags': d['clusters'][0].get('tags'),
                           'failures': d['failures']}
out['describeTaskDefinition'] = ecs.describe_task_definition(taskDefinition='py-web')['taskDefinition']['revision']
out['listClusters'] = ecs.list_clusters()['clusterArns']
pages = ecs.get_paginator('list_task_definitions').paginate(familyPrefix='py-web', PaginationConfig={'PageSize': 1})
out['listTaskDefinitionPages'] = [p['taskDefinitionArns'] for p in pages]

out['errors'] = {
    'describeTaskDefinition': error(ecs.describe_task_definition, taskDefinition='nope:1'),
    'deleteCluster': error(ecs.delete_cluster, cluster='nope'),
    'registerDuplicateNames': error(ecs.register_task_definition, family='bad', containerDefinitions=[
        {'name': 'a', 'image': 'x', 'memory': 64}, {'name': 'a', 'image': 'y', 'memory': 64}]),
}
print(json.dumps(out))
`

describe.skipIf(!hasBoto3)('boto3', { timeout: 60_000 }, () => {
  let cli: CliHome
  let inst: Started

  beforeAll(async () => {
    if (!BUILT) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    cli = cliHome('kecs-boto3-')
    inst = await cli.startDetached('boto3')
  })
  afterAll(async () => cli?.cleanup())

  it('creates a cluster, registers a task definition, describes, lists and pages; errors carry the botocore code', async () => {
    const r = await execa(python, ['-c', SCRIPT], { env: cli.env({ KECS_ENDPOINT: inst.endpoint }), extendEnv: false, reject: false })
    expect(r.exitCode, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    const arn = (res: string) => `arn:aws:ecs:eu-west-1:000000000000:${res}` // region from boto3's signature

    expect(out.cluster).toEqual({ clusterArn: arn('cluster/py'), clusterName: 'py', status: 'ACTIVE' })
    expect(out.registered).toEqual({ arn: arn('task-definition/py-web:1'), revision: 1, status: 'ACTIVE', registeredAt: 'datetime' })
    expect(out.describeClusters).toEqual({
      names: ['py'],
      tags: [{ key: 'lang', value: 'python' }],
      failures: [{ arn: arn('cluster/missing'), reason: 'MISSING' }],
    })
    expect(out.describeTaskDefinition).toBe(2)
    expect(out.listClusters).toEqual([arn('cluster/py')])
    expect(out.listTaskDefinitionPages).toEqual([[arn('task-definition/py-web:1')], [arn('task-definition/py-web:2')]])

    expect(out.errors.describeTaskDefinition).toMatchObject({ code: 'ClientException', status: 400, message: 'Unable to describe task definition.' })
    expect(out.errors.describeTaskDefinition.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(out.errors.deleteCluster).toMatchObject({ code: 'ClusterNotFoundException', status: 400, message: 'Cluster not found.' })
    expect(out.errors.registerDuplicateNames).toMatchObject({
      code: 'ClientException',
      message: 'Container names must be unique within a Task Definition.',
    })
  })
})
