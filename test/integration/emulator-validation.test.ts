import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js'

/** What a real API server refuses, the emulator refuses too: 422 Invalid naming the field, 400 for undecodable bodies. */
let t: TestEmulator
let core: CoreV1Api
let apps: AppsV1Api

beforeAll(async () => {
  t = await startTestEmulator()
  core = t.kc.makeApiClient(CoreV1Api)
  apps = t.kc.makeApiClient(AppsV1Api)
})
afterAll(async () => {
  await t?.stop()
})

async function apiError(p: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await p
  } catch (e: any) {
    return { code: e.code, status: typeof e.body === 'string' ? JSON.parse(e.body) : e.body }
  }
  throw new Error('expected the call to fail')
}

async function send(method: string, path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(t.url + path, { method, headers: { 'content-type': contentType }, body: JSON.stringify(body) })
  return { code: res.status, status: (await res.json()) as any }
}

const fields = (status: any) => (status.details?.causes ?? []).map((c: any) => c.field)

const deployment = (name: string): V1Deployment => ({
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
})

describe('emulated API server: invalid objects', () => {
  it('answers 422 Invalid with the field for creates through client-node, and stores nothing', async () => {
    let e = await apiError(
      core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'App_1', image: 'nginx' }] } } }),
    )
    expect(e.code).toBe(422)
    expect(e.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, details: { name: 'web', kind: 'Pod' } })
    expect(e.status.message).toMatch(/^Pod "web" is invalid: spec\.containers\[0\]\.name: Invalid value: "App_1": a lowercase RFC 1123 label must consist of/)
    expect(fields(e.status)).toEqual(['spec.containers[0].name'])
    expect(await apiError(core.readNamespacedPod({ name: 'web', namespace: 'default' }))).toMatchObject({ code: 404 })

    e = await apiError(core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 70000 }] } } }))
    expect(e.code).toBe(422)
    expect(e.status.details.causes[0]).toEqual({ field: 'spec.ports[0].port', reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive' })

    e = await apiError(core.createNamespace({ body: { metadata: { name: 'Kecs-Default' } } }))
    expect(e.code).toBe(422)
    expect(fields(e.status)).toEqual(['metadata.name'])

    e = await apiError(core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'db_password' }, stringData: { v: 'x' } } }))
    expect(e.code).toBe(422)
    expect(e.status.message).toContain('a lowercase RFC 1123 subdomain must consist of')

    const dup = deployment('dup')
    dup.spec!.template.spec!.containers.push({ name: 'app', image: 'busybox' })
    e = await apiError(apps.createNamespacedDeployment({ namespace: 'default', body: dup }))
    expect(e.code).toBe(422)
    expect(e.status.details).toMatchObject({ group: 'apps', kind: 'Deployment', causes: [{ field: 'spec.template.spec.containers[1].name', reason: 'FieldValueDuplicate' }] })
  })

  it('validates server-side dry runs and kubectl-style JSON bodies; undecodable fields are a 400', async () => {
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dry' }, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80, protocol: 'tcp' }] }] } }
    let r = await send('POST', '/api/v1/namespaces/default/pods?dryRun=All&fieldValidation=Strict', bad)
    expect(r.code).toBe(422)
    expect(r.status.details.causes).toEqual([
      { field: 'spec.containers[0].ports[0].protocol', reason: 'FieldValueNotSupported', message: 'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"' },
    ])
    r = await send('POST', '/api/v1/namespaces/default/pods', { ...bad, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: '80' }] }] } })
    expect(r.code).toBe(400)
    expect(r.status.reason).toBe('BadRequest')
    expect(r.status.message).toMatch(/^Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field spec\.containers\.ports\.containerPort/)
    expect(fields(r.status)).toEqual(['spec.containers[0].ports[0].containerPort'])
  })

  it('validates the result of patches and updates, immutable fields included', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') })
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
    let e = await apiError(
      apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { selector: { matchLabels: { app: 'other' } } } } }, merge),
    )
    expect(e.code).toBe(422)
    expect(fields(e.status)).toContain('spec.selector')
    expect(e.status.message).toContain('field is immutable')

    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)
    e = await apiError(
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 0 }] }] } } } } },
        strategic,
      ),
    )
    expect(e.code).toBe(422)
    expect(fields(e.status)).toEqual(['spec.template.spec.containers[0].ports[0].containerPort'])

    // client-node's default patch type: JSON patch.
    e = await apiError(
      apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: [{ op: 'replace', path: '/spec/template/spec/restartPolicy', value: 'Never' }] }),
    )
    expect(e.code).toBe(422)
    expect(e.status.details.causes[0]).toMatchObject({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported' })

    const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } })
    e = await apiError(core.replaceNamespacedService({ name: 'web', namespace: 'default', body: { ...svc, spec: { ...svc.spec, clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } } }))
    expect(e.code).toBe(422)
    expect(fields(e.status)).toEqual(['spec.clusterIPs[0]'])

    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'fixed' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } })
    const r = await send('PATCH', '/api/v1/namespaces/default/pods/fixed', { spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } }, 'application/strategic-merge-patch+json')
    expect(r.code).toBe(422)
    expect(r.status.details.causes[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' })
    const ok = await send('PATCH', '/api/v1/namespaces/default/pods/fixed', { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } }, 'application/strategic-merge-patch+json')
    expect(ok.code).toBe(200)
  })
})

describe('emulated API server: fieldValidation=Strict', () => {
  it('refuses fields the API type does not declare, as kubectl apply is answered; keeps them otherwise', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, data: { a: '1' }, datas: { b: '2' } }
    let r = await send('POST', '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', body)
    expect(r.code).toBe(400)
    expect(r.status).toMatchObject({ reason: 'BadRequest', message: 'strict decoding error: unknown field "datas"' })
    r = await send('POST', '/api/v1/namespaces/default/configmaps', body)
    expect(r.code).toBe(201)
    // A patch is judged by the fields it brings in.
    r = await send('PATCH', '/api/v1/namespaces/default/configmaps/strict?fieldValidation=Strict', { data: { a: '3' } }, 'application/merge-patch+json')
    expect(r.code).toBe(200)
    r = await send('PATCH', '/api/v1/namespaces/default/configmaps/strict?fieldValidation=Strict', { metadata: { label: 'x' } }, 'application/merge-patch+json')
    expect(r.code).toBe(400)
    expect(r.status.message).toBe('strict decoding error: unknown field "metadata.label"')
  })
})
