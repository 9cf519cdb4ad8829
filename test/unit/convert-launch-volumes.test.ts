import { describe, expect, it } from 'vitest'
import { taskToPod } from '../../src/kube/convert/pod.js'
import type { LaunchVolume } from '../../src/kube/convert/volumes.js'
import { ctx, expectAdmitted, TASK_ID, taskDef } from './convert-golden.js'

/** EBS volumes configured at launch → pod volumes, each admitted by the upstream Pod schema. */

const td = taskDef({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }, { volumes: [{ name: 'data', configuredAtLaunch: true }] })
const convert = (launchVolumes?: LaunchVolume[]) =>
  taskToPod({ ...ctx, taskId: TASK_ID, taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${TASK_ID}`, taskDefinition: td, launchVolumes })
const dataVolume = (r: ReturnType<typeof convert>) => r.pod.spec!.volumes!.find((v) => v.name === 'data')

describe('volumes configured at launch', () => {
  it('on a cluster with persistent volumes: a claim of the size that goes with the pod', () => {
    const r = convert([{ name: 'data', sizeInGiB: 20, persistent: true }])
    expect(dataVolume(r)).toEqual({
      name: 'data',
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } } },
    })
    expect(r.ignored).toEqual([])
    expectAdmitted('ephemeral claim', r)
  })

  it('a volume kept after the task: the claim the runtime makes, by name', () => {
    const r = convert([{ name: 'data', sizeInGiB: 5, persistent: true, claimName: `${TASK_ID}-data` }])
    expect(dataVolume(r)).toEqual({ name: 'data', persistentVolumeClaim: { claimName: `${TASK_ID}-data` } })
    expectAdmitted('kept claim', r)
  })

  it('on the emulated cluster: an emptyDir of the size', () => {
    const r = convert([{ name: 'data', sizeInGiB: 8, persistent: false }])
    expect(dataVolume(r)).toEqual({ name: 'data', emptyDir: { sizeLimit: '8Gi' } })
    expectAdmitted('sized emptyDir', r)
  })

  it('without a configuration: an empty directory, reported as before', () => {
    const r = convert()
    expect(dataVolume(r)).toEqual({ name: 'data', emptyDir: {} })
    expect(r.ignored.map((i) => i.field)).toContain('volumes[data].configuredAtLaunch')
  })
})
