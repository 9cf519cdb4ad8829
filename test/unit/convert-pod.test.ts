import { describe, expect, it } from 'vitest'
import type { V1Container, V1Pod } from '@kubernetes/client-node'
import { EcsError } from '../../src/ecs/errors.js'
import { containerRuntimeId } from '../../src/ecs/tasks/container-ids.js'
import { clusterToNamespace } from '../../src/kube/convert/namespace.js'
import { taskToPod, type TaskToPodInput, type TaskToPodResult } from '../../src/kube/convert/pod.js'
import { envSecretKey, envSecretName, registryOf, registrySecretName } from '../../src/kube/convert/secrets.js'
import { ctx, expectGolden, TASK_ID, taskDef } from './convert-golden.js'

/** One row per mapping of docs/ecs-on-kubernetes.md: a task definition fragment → the pod fragment it must give. */
interface Row {
  name: string
  input: Partial<TaskToPodInput> & Pick<TaskToPodInput, 'taskDefinition'>
  check: (r: TaskToPodResult, c: (name: string) => V1Container) => void
}

const convert = (input: Row['input']) =>
  taskToPod({ ...ctx, taskId: TASK_ID, taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${TASK_ID}`, ...input })

/** A container of the pod by name, wherever it is (containers or initContainers). */
const finder = (pod: V1Pod) => (name: string) => {
  const c = [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers].find((x) => x.name === name)
  if (!c) throw new Error(`no container ${name}`)
  return c
}
const env = (c: V1Container, name: string) => c.env?.find((e) => e.name === name)

const rows: Row[] = [
  {
    name: 'minimal',
    input: { taskDefinition: taskDef({ memory: 512 }) },
    check: ({ pod, ignored, secrets }, c) => {
      expect(pod.metadata).toMatchObject({
        name: TASK_ID,
        namespace: 'kecs-default',
        labels: {
          'kecs.dev/managed-by': 'kecs',
          'kecs.dev/cluster': 'default',
          'kecs.dev/task-id': TASK_ID,
          'kecs.dev/task-definition': 'web.3',
          'kecs.dev/task-definition-family': 'web',
        },
        annotations: {
          'kecs.dev/task-arn': `arn:aws:ecs:us-east-1:000000000000:task/default/${TASK_ID}`,
          'kecs.dev/task-definition': 'web:3',
          'kecs.dev/task-definition-arn': 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3',
          'kecs.dev/cluster-arn': ctx.clusterArn,
          'kecs.dev/cluster-name': 'default',
          'kecs.dev/group': 'family:web',
          'kecs.dev/essential-containers': 'app',
        },
      })
      expect(pod.spec).toMatchObject({ restartPolicy: 'Never', enableServiceLinks: false, automountServiceAccountToken: false, terminationGracePeriodSeconds: 30 })
      expect(c('app')).toMatchObject({ image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' })
      expect(ignored).toEqual([])
      expect(secrets).toEqual([])
    },
  },
  {
    name: 'injected-env',
    input: { taskDefinition: taskDef({ memory: 512 }) },
    check: (_r, c) => {
      const id = containerRuntimeId(TASK_ID, 'app')
      expect(id).toMatch(new RegExp(`^${TASK_ID}-\\d{10}$`))
      expect(c('app').env).toEqual([
        { name: 'KECS_TASK_ID', value: TASK_ID },
        { name: 'ECS_CONTAINER_METADATA_URI_V4', value: `http://kecs.example:8090/v4/${id}` },
        { name: 'ECS_CONTAINER_METADATA_URI', value: `http://kecs.example:8090/v3/${id}` },
        { name: 'ECS_AGENT_URI', value: `http://kecs.example:8090/api/${id}` },
        { name: 'AWS_REGION', value: 'us-east-1' },
        { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
        { name: 'AWS_EXECUTION_ENV', value: 'AWS_ECS_EC2' },
        { name: 'AWS_ENDPOINT_URL_ECS', value: 'http://kecs.example:8080' },
        { name: 'AWS_ENDPOINT_URL', value: 'http://kecs.example:8080' },
      ])
    },
  },
  {
    name: 'task-role-fargate',
    input: {
      taskDefinition: taskDef({}, { taskRoleArn: 'arn:aws:iam::000000000000:role/app', cpu: '256', memory: '512' }),
      launchType: 'FARGATE',
      startedBy: 'ci',
      group: 'family:custom',
    },
    check: ({ pod }, c) => {
      expect(env(c('app'), 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).toEqual({ name: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', value: `/v2/credentials/${TASK_ID}` })
      expect(env(c('app'), 'AWS_EXECUTION_ENV')?.value).toBe('AWS_ECS_FARGATE')
      expect(pod.metadata!.annotations).toMatchObject({
        'kecs.dev/task-role-arn': 'arn:aws:iam::000000000000:role/app',
        'kecs.dev/launch-type': 'FARGATE',
        'kecs.dev/started-by': 'ci',
        'kecs.dev/group': 'family:custom',
      })
    },
  },
  {
    name: 'repository-credentials',
    input: {
      taskDefinition: taskDef(
        { memory: 512, image: 'registry.example.com:5000/team/app:1', repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbC' } },
        {},
        [{ name: 'side', image: 'busybox', essential: false, memory: 64, repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbC' } }],
      ),
    },
    check: ({ pod, secrets }) => {
      // the task's own pull secret (per task: a changed login reaches new tasks only), one per parameter
      const name = registrySecretName(TASK_ID, 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbC')
      expect(name).toMatch(new RegExp(`^kecs-regcred-${TASK_ID}-[0-9a-f]{8}$`))
      expect(pod.spec!.imagePullSecrets).toEqual([{ name }])
      expect(secrets).toEqual([
        {
          name,
          type: 'kubernetes.io/dockerconfigjson',
          key: '.dockerconfigjson',
          valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbC',
          usage: 'repositoryCredentials',
          registries: ['registry.example.com:5000', 'https://index.docker.io/v1/'],
        },
      ])
    },
  },
  {
    name: 'entrypoint-command',
    input: { taskDefinition: taskDef({ memory: 512, entryPoint: ['sh', '-c'], command: ['echo $HOME $(date)'] }) },
    check: (_r, c) => {
      expect(c('app').command).toEqual(['sh', '-c'])
      // '$' doubled: Kubernetes would otherwise expand $(date) and eat '$$'.
      expect(c('app').args).toEqual(['echo $$HOME $$(date)'])
    },
  },
  {
    name: 'command-override',
    input: {
      taskDefinition: taskDef({ memory: 512, command: ['serve'] }),
      overrides: { containerOverrides: [{ name: 'app', command: ['migrate', '--yes'] }] },
    },
    check: (_r, c) => {
      expect(c('app').command).toBeUndefined()
      expect(c('app').args).toEqual(['migrate', '--yes'])
    },
  },
  {
    name: 'environment-overrides',
    input: {
      taskDefinition: taskDef({
        memory: 512,
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'cost $5' },
          { name: 'C', value: '3' },
          { name: 'AWS_REGION', value: 'eu-west-1' },
        ],
      }),
      overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'D', value: '4' }, { name: 'B', value: 'two' }] }] },
    },
    check: (_r, c) => {
      const user = c('app').env!.filter((e) => ['A', 'B', 'C', 'D'].includes(e.name))
      expect(user).toEqual([
        { name: 'A', value: '1' },
        { name: 'B', value: 'two' },
        { name: 'C', value: '3' },
        { name: 'D', value: '4' },
      ])
      expect(env(c('app'), 'AWS_REGION')?.value).toBe('eu-west-1')
    },
  },
  {
    name: 'secrets',
    input: {
      taskDefinition: taskDef({
        memory: 512,
        environment: [{ name: 'DB_PASSWORD', value: 'plain' }],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/db/password' },
          { name: 'API_KEY', valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:api-XyZ:key::' },
        ],
      }),
    },
    check: ({ secrets }, c) => {
      // one Secret of the task's own, a key per reference
      const name = envSecretName(TASK_ID)
      expect(name).toBe(`kecs-secrets-${TASK_ID}`)
      const db = envSecretKey('arn:aws:ssm:us-east-1:000000000000:parameter/db/password')
      const api = envSecretKey('arn:aws:secretsmanager:us-east-1:000000000000:secret:api-XyZ:key::')
      expect(db).toMatch(/^v-[0-9a-f]{16}$/)
      expect(env(c('app'), 'DB_PASSWORD')).toEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name, key: db } } })
      expect(env(c('app'), 'API_KEY')).toEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name, key: api } } })
      expect(c('app').env!.filter((e) => e.name === 'DB_PASSWORD')).toHaveLength(1)
      expect(secrets.map((s) => [s.name, s.key, s.valueFrom, s.usage])).toEqual([
        [name, db, 'arn:aws:ssm:us-east-1:000000000000:parameter/db/password', 'environment'],
        [name, api, 'arn:aws:secretsmanager:us-east-1:000000000000:secret:api-XyZ:key::', 'environment'],
      ])
    },
  },
  {
    name: 'aws-endpoint',
    input: { taskDefinition: taskDef({ memory: 512 }) },
    check: (_r, c) => {
      // every AWS SDK in the container reaches KECS's API (SSM, Secrets Manager, Logs, STS, IAM, ECS)
      expect(env(c('app'), 'AWS_ENDPOINT_URL')).toEqual({ name: 'AWS_ENDPOINT_URL', value: 'http://kecs.example:8080' })
    },
  },
  {
    name: 'aws-endpoint-set-by-task-definition',
    input: { taskDefinition: taskDef({ memory: 512, environment: [{ name: 'AWS_ENDPOINT_URL', value: 'http://mine:4566' }] }) },
    check: (_r, c) => {
      expect(c('app').env!.filter((e) => e.name === 'AWS_ENDPOINT_URL')).toEqual([{ name: 'AWS_ENDPOINT_URL', value: 'http://mine:4566' }])
    },
  },
  {
    name: 'aws-endpoint-off',
    input: { taskDefinition: taskDef({ memory: 512 }), awsEndpoint: undefined },
    check: (_r, c) => {
      expect(env(c('app'), 'AWS_ENDPOINT_URL')).toBeUndefined()
      expect(env(c('app'), 'AWS_ENDPOINT_URL_ECS')?.value).toBe('http://kecs.example:8080')
    },
  },
  {
    name: 'env-names',
    input: {
      taskDefinition: taskDef({
        memory: 512,
        environment: [
          { name: 'KECS_TASK_ID', value: 'spoof' },
          { name: 'A=B', value: '1' },
          { name: '1ST.ok-name', value: '2' },
        ],
        secrets: [{ name: 'BAD=', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/x' }],
      }),
    },
    check: ({ ignored, secrets }, c) => {
      expect(env(c('app'), 'KECS_TASK_ID')?.value).toBe(TASK_ID)
      expect(env(c('app'), '1ST.ok-name')?.value).toBe('2')
      expect(env(c('app'), 'A=B')).toBeUndefined()
      expect(secrets).toEqual([])
      expect(ignored.map((i) => i.field)).toEqual([
        'containerDefinitions[app].environment',
        'containerDefinitions[app].environment',
        'containerDefinitions[app].secrets',
      ])
    },
  },
  {
    name: 'port-mappings',
    input: {
      taskDefinition: taskDef({
        memory: 512,
        portMappings: [
          { containerPort: 80, hostPort: 8080, protocol: 'tcp', name: 'web' },
          { containerPort: 53, hostPort: 0, protocol: 'udp', name: 'DNS_Port_With_A_Long_Name' },
          { containerPort: 9090 },
        ],
      }),
    },
    check: ({ pod }, c) => {
      const ports = c('app').ports!
      expect(ports[0]).toEqual({ containerPort: 80, protocol: 'TCP', name: 'web' })
      expect(ports[1]).toMatchObject({ containerPort: 53, protocol: 'UDP' })
      expect(ports[1]!.name).toMatch(/^[a-z0-9-]{1,15}$/)
      expect(ports[2]).toEqual({ containerPort: 9090, protocol: 'TCP' })
      expect(ports.some((p) => p.hostPort !== undefined)).toBe(false)
      expect(JSON.parse(pod.metadata!.annotations!['kecs.dev/host-ports']!)).toEqual([
        { container: 'app', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { container: 'app', containerPort: 53, hostPort: 0, protocol: 'udp' },
      ])
    },
  },
  {
    name: 'container-cpu-memory',
    input: { taskDefinition: taskDef({ cpu: 256, memory: 512, memoryReservation: 128 }) },
    check: (_r, c) => {
      expect(c('app').resources).toEqual({ limits: { cpu: '250m', memory: '512Mi' }, requests: { cpu: '250m', memory: '128Mi' } })
    },
  },
  {
    name: 'container-memory-reservation-only',
    input: { taskDefinition: taskDef({ cpu: 10, memoryReservation: 64 }) },
    check: (_r, c) => {
      expect(c('app').resources).toEqual({ limits: { cpu: '10m' }, requests: { cpu: '10m', memory: '64Mi' } })
    },
  },
  {
    name: 'task-size-spread',
    input: {
      taskDefinition: taskDef({ cpu: 0 }, { cpu: '1024', memory: '2048' }, [
        { name: 'sidecar', image: 'envoy', essential: true, cpu: 256, memory: 256 },
        { name: 'log', image: 'fluent-bit', essential: false, memoryReservation: 64 },
      ]),
    },
    check: ({ pod }, c) => {
      // app and log have no cpu: limit = task, request = (1024-256)/2 units = 384 units = 375m.
      expect(c('app').resources).toEqual({ limits: { cpu: '1000m', memory: '2048Mi' }, requests: { cpu: '375m', memory: '1728Mi' } })
      expect(c('sidecar').resources).toEqual({ limits: { cpu: '250m', memory: '256Mi' }, requests: { cpu: '250m', memory: '256Mi' } })
      expect(c('log').resources).toEqual({ limits: { cpu: '1000m', memory: '2048Mi' }, requests: { cpu: '375m', memory: '64Mi' } })
      expect(pod.metadata!.annotations).toMatchObject({ 'kecs.dev/task-cpu': '1024', 'kecs.dev/task-memory': '2048' })
    },
  },
  {
    name: 'size-overrides',
    input: {
      taskDefinition: taskDef({ cpu: 256, memory: 512 }, { cpu: '512', memory: '1024' }),
      overrides: { cpu: '1 vCPU', memory: '4 GB', containerOverrides: [{ name: 'app', cpu: 512, memory: 2048, memoryReservation: 1024 }] },
    },
    check: ({ pod }, c) => {
      expect(c('app').resources).toEqual({ limits: { cpu: '500m', memory: '2048Mi' }, requests: { cpu: '500m', memory: '1024Mi' } })
      expect(pod.metadata!.annotations).toMatchObject({ 'kecs.dev/task-cpu': '1024', 'kecs.dev/task-memory': '4096' })
    },
  },
  {
    name: 'gpu',
    input: {
      taskDefinition: taskDef({ memory: 512, resourceRequirements: [{ type: 'GPU', value: '2' }] }),
    },
    check: (_r, c) => {
      expect(c('app').resources!.limits).toMatchObject({ 'nvidia.com/gpu': '2' })
    },
  },
  {
    name: 'gpu-override',
    input: {
      taskDefinition: taskDef({ memory: 512, resourceRequirements: [{ type: 'GPU', value: '2' }] }),
      overrides: { containerOverrides: [{ name: 'app', resourceRequirements: [{ type: 'GPU', value: '1' }] }] },
    },
    check: (_r, c) => {
      expect(c('app').resources!.limits).toMatchObject({ 'nvidia.com/gpu': '1' })
    },
  },
  {
    name: 'essential',
    input: {
      taskDefinition: taskDef({ memory: 256 }, {}, [
        { name: 'helper', image: 'busybox', essential: false, memory: 64 },
        { name: 'proxy', image: 'envoy', memory: 64 },
      ]),
    },
    check: ({ pod }) => {
      expect(pod.metadata!.annotations!['kecs.dev/essential-containers']).toBe('app,proxy')
      expect(pod.spec!.containers.map((x) => x.name)).toEqual(['app', 'helper', 'proxy'])
    },
  },
  {
    name: 'depends-on-start-healthy',
    input: {
      taskDefinition: taskDef(
        { memory: 256, dependsOn: [{ containerName: 'proxy', condition: 'HEALTHY' }, { containerName: 'cache', condition: 'START' }] },
        {},
        [
          { name: 'proxy', image: 'envoy', memory: 64, healthCheck: { command: ['CMD', '/bin/check'], interval: 10, timeout: 2, retries: 3, startPeriod: 30 } },
          { name: 'cache', image: 'redis', memory: 64 },
        ],
      ),
    },
    check: ({ pod }, c) => {
      expect(pod.spec!.initContainers!.map((x) => x.name)).toEqual(['proxy', 'cache'])
      expect(pod.spec!.containers.map((x) => x.name)).toEqual(['app'])
      expect(c('proxy').restartPolicy).toBe('Always')
      expect(c('cache').restartPolicy).toBe('Always')
      // HEALTHY: dependants start once the startup probe passed; budget = startPeriod/interval + retries.
      expect(c('proxy').startupProbe).toEqual({ exec: { command: ['/bin/check'] }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6, successThreshold: 1 })
      expect(c('cache').startupProbe).toBeUndefined()
      expect(JSON.parse(pod.metadata!.annotations!['kecs.dev/dependencies']!)).toEqual({
        app: [
          { containerName: 'proxy', condition: 'HEALTHY' },
          { containerName: 'cache', condition: 'START' },
        ],
      })
    },
  },
  {
    name: 'depends-on-complete-success',
    input: {
      taskDefinition: taskDef({ memory: 256, dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }] }, {}, [
        { name: 'migrate', image: 'app', essential: false, memory: 64, dependsOn: [{ containerName: 'fetch', condition: 'COMPLETE' }], healthCheck: { command: ['CMD', 'true'] } },
        { name: 'fetch', image: 'curl', essential: false, memory: 64 },
      ]),
    },
    check: ({ pod, ignored }, c) => {
      // fetch must finish before migrate, migrate before app: init containers in dependency order.
      expect(pod.spec!.initContainers!.map((x) => x.name)).toEqual(['fetch', 'migrate'])
      expect(c('fetch').restartPolicy).toBeUndefined()
      expect(c('migrate').restartPolicy).toBeUndefined()
      expect(c('migrate').readinessProbe).toBeUndefined()
      expect(ignored).toContainEqual({ field: 'containerDefinitions[migrate].healthCheck', reason: expect.stringContaining('init container') })
      expect(JSON.parse(pod.metadata!.annotations!['kecs.dev/dependencies']!)).toMatchObject({ migrate: [{ containerName: 'fetch', condition: 'COMPLETE' }] })
    },
  },
  {
    name: 'health-check-cmd',
    input: { taskDefinition: taskDef({ memory: 256, healthCheck: { command: ['CMD', 'curl', '-f', 'http://localhost/'], interval: 15, timeout: 3, retries: 4, startPeriod: 60 } }) },
    check: (_r, c) => {
      expect(c('app').readinessProbe).toEqual({ exec: { command: ['curl', '-f', 'http://localhost/'] }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4, successThreshold: 1 })
      // A standalone task is not killed for being unhealthy (as in ECS): no liveness probe.
      expect(c('app').livenessProbe).toBeUndefined()
      expect(c('app').startupProbe).toBeUndefined()
    },
  },
  {
    name: 'health-check-cmd-shell',
    input: { taskDefinition: taskDef({ memory: 256, healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } }) },
    check: (_r, c) => {
      expect(c('app').readinessProbe).toEqual({ exec: { command: ['sh', '-c', 'curl -f http://localhost/ || exit 1'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 })
    },
  },
  {
    name: 'security-context',
    input: {
      taskDefinition: taskDef({
        memory: 256,
        workingDirectory: '/srv',
        user: '1000:2000',
        privileged: true,
        readonlyRootFilesystem: true,
        linuxParameters: { capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['ALL'] } },
        interactive: true,
        pseudoTerminal: true,
      }),
    },
    check: (_r, c) => {
      expect(c('app').workingDir).toBe('/srv')
      expect(c('app').securityContext).toEqual({
        runAsUser: 1000,
        runAsGroup: 2000,
        privileged: true,
        readOnlyRootFilesystem: true,
        capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['ALL'] },
      })
      expect(c('app').stdin).toBe(true)
      expect(c('app').tty).toBe(true)
    },
  },
  {
    name: 'user-root-and-name',
    input: {
      taskDefinition: taskDef({ memory: 256, user: 'root' }, {}, [{ name: 'web', image: 'nginx', memory: 64, user: 'nginx:nginx' }]),
    },
    check: ({ ignored }, c) => {
      expect(c('app').securityContext).toEqual({ runAsUser: 0 })
      expect(c('web').securityContext).toBeUndefined()
      expect(ignored).toContainEqual({ field: 'containerDefinitions[web].user', reason: expect.stringContaining('not numeric') })
    },
  },
  {
    name: 'no-new-privileges',
    input: { taskDefinition: taskDef({ memory: 256, dockerSecurityOptions: ['no-new-privileges', 'label:type:foo_t'] }) },
    check: ({ ignored }, c) => {
      expect(c('app').securityContext).toEqual({ allowPrivilegeEscalation: false })
      expect(ignored.map((i) => i.field)).toEqual(['containerDefinitions[app].dockerSecurityOptions'])
    },
  },
  {
    name: 'init-process',
    input: { taskDefinition: taskDef({ memory: 256, linuxParameters: { initProcessEnabled: true } }) },
    check: ({ pod }) => {
      expect(pod.spec!.shareProcessNamespace).toBe(true)
    },
  },
  {
    name: 'shm-tmpfs',
    input: {
      taskDefinition: taskDef({ memory: 256, linuxParameters: { sharedMemorySize: 128, tmpfs: [{ containerPath: '/run', size: 64, mountOptions: ['noexec'] }] } }),
    },
    check: ({ pod, ignored }, c) => {
      const vols = pod.spec!.volumes!
      const shm = vols.find((v) => v.name.startsWith('kecs-shm-'))!
      const tmp = vols.find((v) => v.name.startsWith('kecs-tmpfs-'))!
      expect(shm.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '128Mi' })
      expect(tmp.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '64Mi' })
      expect(c('app').volumeMounts).toEqual([
        { name: tmp.name, mountPath: '/run' },
        { name: shm.name, mountPath: '/dev/shm' },
      ])
      expect(ignored.map((i) => i.field)).toEqual(['containerDefinitions[app].linuxParameters.tmpfs[0].mountOptions'])
    },
  },
  {
    name: 'stop-timeout',
    input: { taskDefinition: taskDef({ memory: 256, stopTimeout: 10 }, {}, [{ name: 'slow', image: 'x', memory: 64, stopTimeout: 90 }]) },
    check: ({ pod }) => {
      expect(pod.spec!.terminationGracePeriodSeconds).toBe(90)
    },
  },
  {
    name: 'stop-timeout-default',
    input: { taskDefinition: taskDef({ memory: 256, stopTimeout: 5 }, {}, [{ name: 'other', image: 'x', memory: 64 }]) },
    check: ({ pod }) => {
      // `other` has ECS's default of 30 s.
      expect(pod.spec!.terminationGracePeriodSeconds).toBe(30)
    },
  },
  {
    name: 'docker-labels',
    input: {
      taskDefinition: taskDef(
        {
          memory: 256,
          dockerLabels: {
            'com.example.team': 'payments',
            'traefik.http.routers.web.rule': 'Host(`x`)',
            'bad key!': 'v',
            'kecs.simulate.exit-code': '3',
            'kecs.dev/task-arn': 'spoof',
          },
        },
        {},
        [{ name: 'worker', image: 'x', memory: 64, dockerLabels: { 'kecs.simulate.run-seconds': '5', 'com.example.team': 'other' } }],
      ),
    },
    check: ({ pod, ignored }) => {
      const a = pod.metadata!.annotations!
      expect(a['com.example.team']).toBe('payments')
      expect(a['traefik.http.routers.web.rule']).toBe('Host(`x`)')
      expect(a['kecs.simulate.exit-code.app']).toBe('3')
      expect(a['kecs.simulate.run-seconds.worker']).toBe('5')
      expect(a['kecs.dev/task-arn']).toBe(`arn:aws:ecs:us-east-1:000000000000:task/default/${TASK_ID}`)
      const renamed = Object.keys(a).find((k) => k.startsWith('bad-key'))!
      expect(renamed).toMatch(/^bad-key-[0-9a-f]{6}$/)
      expect(ignored.map((i) => i.field).sort()).toEqual([
        'containerDefinitions[app].dockerLabels.bad key!',
        'containerDefinitions[app].dockerLabels.kecs.dev/task-arn',
        'containerDefinitions[worker].dockerLabels',
      ])
    },
  },
  {
    name: 'hostname-hosts-dns',
    input: {
      taskDefinition: taskDef(
        {
          memory: 256,
          hostname: 'Web1',
          extraHosts: [
            { hostname: 'db.local', ipAddress: '10.0.0.5' },
            { hostname: 'cache.local', ipAddress: '10.0.0.5' },
          ],
          links: ['redis:cache'],
          dnsServers: ['1.1.1.1', '8.8.8.8'],
          dnsSearchDomains: ['corp.example'],
        },
        {},
        [{ name: 'redis', image: 'redis', memory: 64, dnsServers: ['8.8.8.8', '9.9.9.9', '8.8.4.4'] }],
      ),
    },
    check: ({ pod, ignored }) => {
      expect(pod.spec!.hostname).toBe('web1')
      expect(pod.spec!.hostAliases).toEqual([
        { ip: '10.0.0.5', hostnames: ['db.local', 'cache.local'] },
        { ip: '127.0.0.1', hostnames: ['redis', 'cache'] },
      ])
      expect(pod.spec!.dnsPolicy).toBe('None')
      expect(pod.spec!.dnsConfig).toEqual({ nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'], searches: ['corp.example'] })
      expect(ignored).toEqual([{ field: 'containerDefinitions[redis].dnsServers', reason: expect.stringContaining("'8.8.4.4'") }])
    },
  },
  {
    name: 'dns-search-only',
    input: { taskDefinition: taskDef({ memory: 256, dnsSearchDomains: ['corp.example'] }) },
    check: ({ pod }) => {
      expect(pod.spec!.dnsPolicy).toBeUndefined()
      expect(pod.spec!.dnsConfig).toEqual({ searches: ['corp.example'] })
    },
  },
  {
    name: 'volumes',
    input: {
      taskDefinition: taskDef(
        {
          memory: 256,
          mountPoints: [
            { sourceVolume: 'logs', containerPath: '/var/log/app' },
            { sourceVolume: 'Scratch_Space', containerPath: '/scratch', readOnly: true },
            { sourceVolume: 'shared', containerPath: '/shared' },
          ],
        },
        {
          volumes: [
            { name: 'logs', host: { sourcePath: '/var/log/kecs' } },
            { name: 'Scratch_Space', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
            { name: 'shared', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
            { name: 'plain' },
          ],
        },
        [{ name: 'reader', image: 'x', memory: 64, volumesFrom: [{ sourceContainer: 'app', readOnly: true }] }],
      ),
    },
    check: ({ pod, ignored }, c) => {
      const vols = pod.spec!.volumes!
      expect(vols[0]).toEqual({ name: 'logs', hostPath: { path: '/var/log/kecs' } })
      expect(vols[1]!.name).toMatch(/^scratch-space-[0-9a-f]{6}$/)
      expect(vols[1]!.emptyDir).toEqual({})
      expect(vols[2]).toEqual({ name: 'shared', emptyDir: {} })
      expect(vols[3]).toEqual({ name: 'plain', emptyDir: {} })
      expect(c('app').volumeMounts).toEqual([
        { name: 'logs', mountPath: '/var/log/app' },
        { name: vols[1]!.name, mountPath: '/scratch', readOnly: true },
        { name: 'shared', mountPath: '/shared' },
      ])
      // volumesFrom: the same mounts as the source container, all read-only here.
      expect(c('reader').volumeMounts).toEqual([
        { name: 'logs', mountPath: '/var/log/app', readOnly: true },
        { name: vols[1]!.name, mountPath: '/scratch', readOnly: true },
        { name: 'shared', mountPath: '/shared', readOnly: true },
      ])
      expect(ignored).toEqual([{ field: 'volumes[shared].dockerVolumeConfiguration.scope', reason: expect.stringContaining('not kept between tasks') }])
    },
  },
  {
    name: 'host-namespaces',
    input: { taskDefinition: taskDef({ memory: 256, linuxParameters: { initProcessEnabled: true } }, { networkMode: 'host', pidMode: 'host', ipcMode: 'host' }) },
    check: ({ pod, ignored }) => {
      expect(pod.spec).toMatchObject({ hostNetwork: true, hostPID: true, hostIPC: true })
      expect(pod.spec!.shareProcessNamespace).toBeUndefined()
      expect(ignored.map((i) => i.field)).toEqual(['containerDefinitions[app].linuxParameters.initProcessEnabled'])
    },
  },
  {
    name: 'pid-mode-task',
    input: { taskDefinition: taskDef({ memory: 256 }, { pidMode: 'task', ipcMode: 'task' }) },
    check: ({ pod }) => {
      expect(pod.spec!.shareProcessNamespace).toBe(true)
      expect(pod.spec!.hostIPC).toBeUndefined()
    },
  },
  {
    name: 'log-configuration',
    input: {
      taskDefinition: taskDef({ memory: 256, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } } }),
    },
    check: ({ pod, ignored }) => {
      expect(JSON.parse(pod.metadata!.annotations!['kecs.dev/log-configuration']!)).toEqual({
        app: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } },
      })
      expect(ignored).toEqual([])
    },
  },
  {
    name: 'system-controls',
    input: {
      taskDefinition: taskDef({
        memory: 256,
        systemControls: [
          { namespace: 'net.ipv4.tcp_keepalive_time', value: '500' },
          { namespace: 'net.core.somaxconn', value: '1024' },
        ],
      }),
    },
    check: ({ pod, ignored }) => {
      expect(pod.spec!.securityContext).toEqual({ sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '500' }] })
      expect(ignored).toEqual([{ field: 'containerDefinitions[app].systemControls', reason: expect.stringContaining('net.core.somaxconn') }])
    },
  },
  {
    name: 'tags',
    input: { taskDefinition: taskDef({ memory: 256 }), tags: [{ key: 'team', value: 'a' }] },
    check: ({ pod }) => {
      expect(JSON.parse(pod.metadata!.annotations!['kecs.dev/tags']!)).toEqual([{ key: 'team', value: 'a' }])
    },
  },
  {
    name: 'ignored-settings',
    input: {
      taskDefinition: taskDef(
        {
          memory: 256,
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
          linuxParameters: { devices: [{ hostPath: '/dev/fuse' }], maxSwap: 0, swappiness: 10 },
          environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }],
          disableNetworking: false,
          restartPolicy: { enabled: true },
          startTimeout: 30,
          firelensConfiguration: { type: 'fluentbit' },
          portMappings: [{ containerPortRange: '7000-7010' }],
        },
        {
          runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
          ephemeralStorage: { sizeInGiB: 50 },
          proxyConfiguration: { type: 'APPMESH', containerName: 'app' },
          placementConstraints: [{ type: 'memberOf', expression: 'attribute:x == y' }],
          networkMode: 'none',
        },
      ),
    },
    check: ({ ignored }) => {
      expect(ignored.map((i) => i.field).sort()).toEqual(
        [
          'containerDefinitions[app].environmentFiles',
          'containerDefinitions[app].firelensConfiguration',
          'containerDefinitions[app].linuxParameters.devices',
          'containerDefinitions[app].linuxParameters.maxSwap',
          'containerDefinitions[app].linuxParameters.swappiness',
          'containerDefinitions[app].portMappings[0].containerPortRange',
          'containerDefinitions[app].restartPolicy',
          'containerDefinitions[app].startTimeout',
          'containerDefinitions[app].ulimits',
          'ephemeralStorage',
          'networkMode',
          'placementConstraints',
          'proxyConfiguration',
          'runtimePlatform.cpuArchitecture',
        ].sort(),
      )
      for (const i of ignored) expect(i.reason.length).toBeGreaterThan(10)
    },
  },
]

describe('taskToPod: one row per mapping', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (name, row) => {
    const result = convert(row.input)
    row.check(result, finder(result.pod))
    expectGolden(`pod/${name}`, result)
  })
})

describe('taskToPod: refused settings throw', () => {
  const refused: [string, Row['input'], string, string][] = [
    ['efs volume', { taskDefinition: taskDef({ memory: 256 }, { volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }) }, 'ClientException', 'volumes[data].efsVolumeConfiguration'],
    [
      'fsx volume',
      { taskDefinition: taskDef({ memory: 256 }, { volumes: [{ name: 'data', fsxWindowsFileServerVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/' } }] }) },
      'ClientException',
      'volumes[data].fsxWindowsFileServerVolumeConfiguration',
    ],
    ['unknown mount volume', { taskDefinition: taskDef({ memory: 256, mountPoints: [{ sourceVolume: 'nope', containerPath: '/x' }] }) }, 'ClientException', 'containerDefinitions[app].mountPoints[0].sourceVolume'],
    ['unknown volumesFrom', { taskDefinition: taskDef({ memory: 256, volumesFrom: [{ sourceContainer: 'nope' }] }) }, 'ClientException', 'containerDefinitions[app].volumesFrom'],
    [
      'dependency cycle',
      {
        taskDefinition: taskDef({ memory: 256, dependsOn: [{ containerName: 'b', condition: 'START' }] }, {}, [
          { name: 'b', image: 'x', memory: 64, dependsOn: [{ containerName: 'app', condition: 'START' }] },
        ]),
      },
      'ClientException',
      'circular dependency',
    ],
    [
      'COMPLETE on an essential container',
      { taskDefinition: taskDef({ memory: 256, dependsOn: [{ containerName: 'b', condition: 'COMPLETE' }] }, {}, [{ name: 'b', image: 'x', memory: 64 }]) },
      'ClientException',
      'containerDefinitions[app].dependsOn[0].condition',
    ],
    [
      'HEALTHY without a health check',
      { taskDefinition: taskDef({ memory: 256, dependsOn: [{ containerName: 'b', condition: 'HEALTHY' }] }, {}, [{ name: 'b', image: 'x', memory: 64 }]) },
      'ClientException',
      'HEALTHY needs a healthCheck',
    ],
    ['unknown dependency', { taskDefinition: taskDef({ memory: 256, dependsOn: [{ containerName: 'ghost', condition: 'START' }] }) }, 'ClientException', "'ghost'"],
    [
      'override for an unknown container',
      { taskDefinition: taskDef({ memory: 256 }), overrides: { containerOverrides: [{ name: 'ghost', command: ['x'] }] } },
      'InvalidParameterException',
      'Override for container named ghost is not a container in the TaskDefinition.',
    ],
    [
      'container memory above the task after overrides',
      { taskDefinition: taskDef({ memory: 256 }, { memory: '512' }), overrides: { containerOverrides: [{ name: 'app', memory: 1024 }] } },
      'ClientException',
      "The 'memory' setting for container 'app' is greater than for the task.",
    ],
    [
      'container cpu above the task after overrides',
      { taskDefinition: taskDef({ memory: 256, cpu: 256 }, { cpu: '512' }), overrides: { cpu: '128' } },
      'ClientException',
      "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
    ],
    [
      'reservation above memory',
      { taskDefinition: taskDef({ memory: 256 }), overrides: { containerOverrides: [{ name: 'app', memoryReservation: 512 }] } },
      'ClientException',
      "'memoryReservation' must be less than or equal to 'memory'",
    ],
    [
      'same port in two containers',
      { taskDefinition: taskDef({ memory: 256, portMappings: [{ containerPort: 80 }] }, {}, [{ name: 'b', image: 'x', memory: 64, portMappings: [{ containerPort: 80, protocol: 'tcp' }] }]) },
      'ClientException',
      'containerDefinitions[b].portMappings[0].containerPort',
    ],
    ['windows', { taskDefinition: taskDef({ memory: 256 }, { runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } }) }, 'ClientException', 'runtimePlatform.operatingSystemFamily'],
    ['no containers', { taskDefinition: taskDef({}, { containerDefinitions: [] }) }, 'ClientException', 'containerDefinitions'],
    ['bad GPU value', { taskDefinition: taskDef({ memory: 256, resourceRequirements: [{ type: 'GPU', value: 'two' }] }) }, 'ClientException', 'GPU'],
  ]
  it.each(refused)('%s', (_name, input, type, text) => {
    let error: unknown
    try {
      convert(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(EcsError)
    expect((error as EcsError).type).toBe(type)
    expect((error as EcsError).message).toContain(text)
  })
})

describe('taskToPod: namespace', () => {
  it("a task of another region's cluster of the same name goes to that cluster's own namespace", () => {
    const here = convert({ taskDefinition: taskDef({ memory: 256 }) }).pod.metadata!.namespace
    const arn = 'arn:aws:ecs:eu-west-1:000000000000:cluster/default'
    const there = convert({ taskDefinition: taskDef({ memory: 256 }), region: 'eu-west-1', clusterArn: arn }).pod.metadata!.namespace
    expect(here).toBe(clusterToNamespace('default', ctx.clusterArn).metadata!.name)
    expect(there).toBe(clusterToNamespace('default', arn).metadata!.name)
    expect(there).not.toBe(here)
  })
})

describe('taskToPod: purity', () => {
  it('gives the same output for the same input and does not change its input', () => {
    const td = taskDef({ memory: 256, environment: [{ name: 'A', value: '1' }], dependsOn: [{ containerName: 'b', condition: 'START' }] }, {}, [{ name: 'b', image: 'x', memory: 64 }])
    const before = structuredClone(td)
    const a = convert({ taskDefinition: td })
    const b = convert({ taskDefinition: td })
    expect(a).toEqual(b)
    expect(td).toEqual(before)
  })
})

describe('registryOf: the dockerconfigjson auths key of an image', () => {
  it.each([
    ['nginx:1.27', 'https://index.docker.io/v1/'],
    ['team/app', 'https://index.docker.io/v1/'],
    ['ghcr.io/team/app:1', 'ghcr.io'],
    ['localhost/app', 'localhost'],
    ['registry.local:5000/app', 'registry.local:5000'],
    ['000000000000.dkr.ecr.us-east-1.amazonaws.com/app', '000000000000.dkr.ecr.us-east-1.amazonaws.com'],
  ])('%s → %s', (image, registry) => expect(registryOf(image)).toBe(registry))
})
