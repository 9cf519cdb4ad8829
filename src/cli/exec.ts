import type { Readable, Writable } from 'node:stream'
import { ExecuteCommandCommand, type Task } from '@aws-sdk/client-ecs'
import { CoreV1Api, Exec, KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node'
import { CliError } from '../lib/errors.js'
import { LABELS } from '../kube/convert/labels.js'
import { withApi, type ApiTarget } from './api.js'
import { resolveTarget } from './logs.js'
import { instanceDir, instanceState, kecsHome } from './registry.js'

/**
 * `kecs exec TASK -- CMD...`: ECS Exec without the Session Manager plugin. ExecuteCommand first (so
 * KECS refuses exactly as ECS does: execute command not enabled, agent not running, unknown
 * container), then the command runs through the Kubernetes exec API of the instance's cluster.
 */
export interface ExecOptions extends ApiTarget {
  ref: string
  cluster: string
  container?: string
  command: string[]
  /** -i: pass stdin to the command. */
  stdin: boolean
  /** -t: a terminal (raw local stdin, one output stream). */
  tty: boolean
}

export interface ExecIo {
  stdout: Writable
  stderr: Writable
  stdin: Readable
}

/** Runs the command and resolves with its exit code. */
export async function runExec(o: ExecOptions, io: ExecIo): Promise<number> {
  if (o.command.length === 0) throw new CliError('no command given', 'Put it after --, e.g.: kecs exec TASK -- sh -c "echo hi"')
  const kubeconfig = instanceKubeconfig(o)
  const { task, cluster, container } = await withApi(o, async (api) => {
    const target = await resolveTarget(api.ecs, o.cluster, o.ref)
    if (target.kind !== 'task') throw new CliError(`${o.ref} is a service, not a task`, `Pick one of its tasks with: kecs tasks --cluster ${target.cluster}`)
    const answer = await api.ecs.send(
      new ExecuteCommandCommand({
        cluster: target.cluster,
        task: target.task.taskArn,
        container: o.container,
        interactive: true,
        command: o.command.join(' '),
      }),
    )
    return { task: target.task, cluster: target.cluster, container: answer.containerName! }
  })
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  const pod = await findPod(kc, task)
  if (!pod) throw new CliError(`the pod of task ${taskIdOf(task)} is gone from the cluster`, `Check the task with: kecs tasks --cluster ${cluster}`)
  return execInPod(kc, pod, container, o, io)
}

function instanceKubeconfig(o: ApiTarget): string {
  if (o.endpoint) throw new CliError('kecs exec needs the instance, not only its endpoint', 'Name it with --name (the Kubernetes exec API goes through its kubeconfig).')
  const st = instanceState(instanceDir(o.name, o.home ?? kecsHome()))
  if (st.state !== 'running') throw new CliError(`KECS "${o.name}" is not running`, 'Start it with: kecs start -d')
  if (!st.record.kubeconfig) throw new CliError(`KECS "${o.name}" runs without a cluster, so no task runs`, 'Start it with a cluster: kecs start -d --cluster emulated')
  return st.record.kubeconfig
}

const taskIdOf = (t: Task) => t.taskArn!.slice(t.taskArn!.lastIndexOf('/') + 1)

/** A RunTask pod carries the task id label; a service's pod is the one whose UID without dashes is the task id. */
async function findPod(kc: KubeConfig, task: Task): Promise<V1Pod | undefined> {
  const core = kc.makeApiClient(CoreV1Api)
  const id = taskIdOf(task)
  const labelled = await core.listPodForAllNamespaces({ labelSelector: `${LABELS.taskId}=${id}` })
  if (labelled.items.length) return labelled.items[0]
  const managed = await core.listPodForAllNamespaces({ labelSelector: `${LABELS.managedBy}=kecs` })
  return managed.items.find((p) => (p.metadata?.uid ?? '').replaceAll('-', '') === id)
}

/** The exit code a finished exec's Status carries (Kubernetes puts it in the ExitCode cause). */
export function exitCodeOf(status: V1Status | undefined): number | undefined {
  if (!status) return undefined
  if (status.status === 'Success') return 0
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
  return cause?.message !== undefined && /^\d+$/.test(cause.message) ? Number(cause.message) : undefined
}

async function execInPod(kc: KubeConfig, pod: V1Pod, container: string, o: ExecOptions, io: ExecIo): Promise<number> {
  let status: V1Status | undefined
  const raw = o.tty && o.stdin && 'setRawMode' in io.stdin && (io.stdin as NodeJS.ReadStream).isTTY
  if (raw) (io.stdin as NodeJS.ReadStream).setRawMode(true)
  try {
    const ws = await new Exec(kc)
      .exec(pod.metadata!.namespace!, pod.metadata!.name!, container, o.command, io.stdout, o.tty ? null : io.stderr, o.stdin ? io.stdin : null, o.tty, (s) => {
        status = s
      })
      .catch((e: unknown) => {
        throw new CliError(`cannot exec in task ${pod.metadata?.name}: ${(e as Error).message ?? e}`)
      })
    await new Promise<void>((resolve) => ws.on('close', () => resolve()))
  } finally {
    if (raw) (io.stdin as NodeJS.ReadStream).setRawMode(false)
    if (o.stdin) io.stdin.pause()
  }
  const code = exitCodeOf(status)
  if (code !== undefined) return code
  throw new CliError(status?.message ? `exec failed: ${status.message}` : 'the exec session ended without an exit status')
}
