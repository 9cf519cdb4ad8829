import { describe, expect, it } from 'vitest'
import { buildTask } from '../../src/ecs/tasks/build-task.js'
import { managedVolumesFor } from '../../src/ecs/tasks/managed-volumes.js'
import type { TaskDefinitionDoc } from '../../src/ecs/task-definitions/task-definition-doc.js'
import { KubeTaskRuntime } from '../../src/kube/task-runtime.js'

/** The task runtime's side of EBS volumes configured at launch: which claims it makes before the pod. */

const TASK_ID = '0123456789abcdef0123456789abcdef'
const td: TaskDefinitionDoc = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/db:1',
  family: 'db',
  revision: 1,
  status: 'ACTIVE',
  compatibilities: ['EC2'],
  containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }],
  volumes: [{ name: 'data', configuredAtLaunch: true }],
}

function prepared(persistentVolumes: boolean, deleteOnTermination: boolean) {
  const task = buildTask({
    scope: { account: '000000000000', region: 'us-east-1' },
    clusterName: 'c1',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c1',
    taskDefinition: td,
    taskId: TASK_ID,
    nowMs: 0,
    launchType: 'EC2',
  })
  task.kecs.managedVolumes = managedVolumesFor(td, [
    { name: 'data', managedEBSVolume: { roleArn: 'arn:aws:iam::000000000000:role/r', sizeInGiB: 12, terminationPolicy: { deleteOnTermination } } },
  ])
  const runtime = new KubeTaskRuntime({} as never, {} as never, {} as never, {
    ecsEndpoint: () => 'http://kecs:5373',
    metadataEndpoint: () => 'http://kecs:5374',
    retentionMs: 1000,
    persistentVolumes,
  })
  return runtime.prepare(task, td, []) as unknown as { pod: any; claims: any[] }
}

describe('KubeTaskRuntime: EBS volumes configured at launch', () => {
  it('a volume deleted with the task is a claim that goes with the pod: nothing to make beforehand', () => {
    const p = prepared(true, true)
    expect(p.claims).toEqual([])
    expect(p.pod.spec.volumes.find((v: any) => v.name === 'data').ephemeral.volumeClaimTemplate.spec.resources.requests.storage).toBe('12Gi')
  })

  it('a kept volume is a claim of its own on the default StorageClass, made before the pod', () => {
    const p = prepared(true, false)
    expect(p.claims).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${TASK_ID}-data`, namespace: p.pod.metadata.namespace, labels: p.pod.metadata.labels },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '12Gi' } } },
      },
    ])
    expect(p.pod.spec.volumes.find((v: any) => v.name === 'data')).toEqual({ name: 'data', persistentVolumeClaim: { claimName: `${TASK_ID}-data` } })
  })

  it('without persistent volumes (the emulated cluster): an emptyDir of the size, no claim', () => {
    const p = prepared(false, false)
    expect(p.claims).toEqual([])
    expect(p.pod.spec.volumes.find((v: any) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '12Gi' } })
  })
})
