import { KubeStatusError } from '../types.js'

/**
 * Request bodies in Kubernetes protobuf. kubectl's typed clients (`kubectl create namespace|configmap|
 * secret|serviceaccount|deployment|service ...`) send `application/vnd.kubernetes.protobuf` and do not
 * fall back to JSON on a 415, so the emulator decodes the messages those generators produce into the
 * JSON shape. Field numbers come from k8s.io/api's generated.proto (checked against kubectl 1.32's
 * bodies). Go encodes non-pointer fields even when empty; like encoding/json with omitempty, empty
 * scalars are dropped unless the field is a pointer (`ptr`), where an explicit zero means something.
 * A field this table does not know is refused (415) rather than silently dropped.
 */
type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intstr' | 'quantity'
interface Field {
  name: string
  type: Scalar | string // a message name
  repeated?: boolean
  /** map<string, type> */
  map?: boolean
  ptr?: boolean
}
type Message = Record<number, Field>

const f = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({ name, type, ...extra })
const rep = { repeated: true }
const map = { map: true }
const ptr = { ptr: true }

const SCHEMAS: Record<string, Message> = {
  TypeMeta: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') },
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    4: f('selfLink', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int'),
    8: f('creationTimestamp', 'time'),
    9: f('deletionTimestamp', 'time'),
    10: f('deletionGracePeriodSeconds', 'int', ptr),
    11: f('labels', 'string', map),
    12: f('annotations', 'string', map),
    13: f('ownerReferences', 'OwnerReference', rep),
    14: f('finalizers', 'string', rep),
  },
  OwnerReference: {
    1: f('kind', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: f('controller', 'bool', ptr),
    7: f('blockOwnerDeletion', 'bool', ptr),
  },
  LabelSelector: { 1: f('matchLabels', 'string', map), 2: f('matchExpressions', 'LabelSelectorRequirement', rep) },
  LabelSelectorRequirement: { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', rep) },

  Namespace: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'NamespaceSpec'), 3: f('status', 'Ignored') },
  NamespaceSpec: { 1: f('finalizers', 'string', rep) },
  ConfigMap: { 1: f('metadata', 'ObjectMeta'), 2: f('data', 'string', map), 3: f('binaryData', 'bytes', map), 4: f('immutable', 'bool', ptr) },
  Secret: {
    1: f('metadata', 'ObjectMeta'),
    2: f('data', 'bytes', map),
    3: f('type', 'string'),
    4: f('stringData', 'string', map),
    5: f('immutable', 'bool', ptr),
  },
  ServiceAccount: {
    1: f('metadata', 'ObjectMeta'),
    2: f('secrets', 'ObjectReference', rep),
    3: f('imagePullSecrets', 'LocalObjectReference', rep),
    4: f('automountServiceAccountToken', 'bool', ptr),
  },
  ObjectReference: {
    1: f('kind', 'string'),
    2: f('namespace', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('fieldPath', 'string'),
  },
  LocalObjectReference: { 1: f('name', 'string') },

  Service: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'ServiceSpec'), 3: f('status', 'Ignored') },
  ServiceSpec: {
    1: f('ports', 'ServicePort', rep),
    2: f('selector', 'string', map),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: f('externalIPs', 'string', rep),
    7: f('sessionAffinity', 'string'),
    8: f('loadBalancerIP', 'string'),
    9: f('loadBalancerSourceRanges', 'string', rep),
    10: f('externalName', 'string'),
    11: f('externalTrafficPolicy', 'string'),
    12: f('healthCheckNodePort', 'int'),
    13: f('publishNotReadyAddresses', 'bool'),
    18: f('clusterIPs', 'string', rep),
    19: f('ipFamilies', 'string', rep),
    17: f('ipFamilyPolicy', 'string', ptr),
    20: f('allocateLoadBalancerNodePorts', 'bool', ptr),
    21: f('loadBalancerClass', 'string', ptr),
    22: f('internalTrafficPolicy', 'string', ptr),
  },
  ServicePort: {
    1: f('name', 'string'),
    2: f('protocol', 'string'),
    3: f('port', 'int'),
    4: f('targetPort', 'intstr'),
    5: f('nodePort', 'int'),
    6: f('appProtocol', 'string', ptr),
  },

  Deployment: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'DeploymentSpec'), 3: f('status', 'Ignored') },
  DeploymentSpec: {
    1: f('replicas', 'int', ptr),
    2: f('selector', 'LabelSelector'),
    3: f('template', 'PodTemplateSpec'),
    4: f('strategy', 'DeploymentStrategy'),
    5: f('minReadySeconds', 'int'),
    6: f('revisionHistoryLimit', 'int', ptr),
    7: f('paused', 'bool'),
    9: f('progressDeadlineSeconds', 'int', ptr),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'intstr'), 2: f('maxSurge', 'intstr') },
  PodTemplateSpec: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodSpec') },
  PodSpec: {
    2: f('containers', 'Container', rep),
    3: f('restartPolicy', 'string'),
    4: f('terminationGracePeriodSeconds', 'int', ptr),
    5: f('activeDeadlineSeconds', 'int', ptr),
    6: f('dnsPolicy', 'string'),
    7: f('nodeSelector', 'string', map),
    8: f('serviceAccountName', 'string'),
    9: f('serviceAccount', 'string'),
    10: f('nodeName', 'string'),
    11: f('hostNetwork', 'bool'),
    12: f('hostPID', 'bool'),
    13: f('hostIPC', 'bool'),
    15: f('imagePullSecrets', 'LocalObjectReference', rep),
    16: f('hostname', 'string'),
    17: f('subdomain', 'string'),
    19: f('schedulerName', 'string'),
    20: f('initContainers', 'Container', rep),
    21: f('automountServiceAccountToken', 'bool', ptr),
    24: f('priorityClassName', 'string'),
    30: f('enableServiceLinks', 'bool', ptr),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: f('command', 'string', rep),
    4: f('args', 'string', rep),
    5: f('workingDir', 'string'),
    6: f('ports', 'ContainerPort', rep),
    7: f('env', 'EnvVar', rep),
    8: f('resources', 'ResourceRequirements'),
    9: f('volumeMounts', 'VolumeMount', rep),
    13: f('terminationMessagePath', 'string'),
    14: f('imagePullPolicy', 'string'),
    16: f('stdin', 'bool'),
    17: f('stdinOnce', 'bool'),
    18: f('tty', 'bool'),
    20: f('terminationMessagePolicy', 'string'),
    24: f('restartPolicy', 'string', ptr),
  },
  ContainerPort: { 1: f('name', 'string'), 2: f('hostPort', 'int'), 3: f('containerPort', 'int'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  ResourceRequirements: { 1: f('limits', 'quantity', map), 2: f('requests', 'quantity', map) },
  VolumeMount: {
    1: f('name', 'string'),
    2: f('readOnly', 'bool'),
    3: f('mountPath', 'string'),
    4: f('subPath', 'string'),
    5: f('mountPropagation', 'string', ptr),
    6: f('subPathExpr', 'string'),
  },
  /** Status on create is reset by the API server anyway: skip its contents. */
  Ignored: {},
}

/** The top-level message for each kind we accept in protobuf. */
const KINDS: Record<string, string> = {
  Namespace: 'Namespace',
  ConfigMap: 'ConfigMap',
  Secret: 'Secret',
  ServiceAccount: 'ServiceAccount',
  Service: 'Service',
  Deployment: 'Deployment',
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]) // "k8s\0"

class Reader {
  pos = 0
  constructor(readonly buf: Buffer) {}
  get done() {
    return this.pos >= this.buf.length
  }
  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint')
      const b = this.buf[this.pos++]!
      result |= BigInt(b & 0x7f) << shift
      if (!(b & 0x80)) return result
      shift += 7n
      if (shift > 70n) throw malformed('varint too long')
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint())
    if (this.pos + len > this.buf.length) throw malformed('truncated field')
    const out = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return out
  }
  skip(wireType: number) {
    if (wireType === 0) this.varint()
    else if (wireType === 1) this.pos += 8
    else if (wireType === 2) this.bytes()
    else if (wireType === 5) this.pos += 4
    else throw malformed(`unsupported wire type ${wireType}`)
  }
}

const malformed = (msg: string) => new KubeStatusError(400, 'BadRequest', `the protobuf body could not be decoded: ${msg}`)
const unsupported = (what: string) =>
  new KubeStatusError(
    415,
    'UnsupportedMediaType',
    `the KECS Kubernetes emulator cannot decode ${what} from a protobuf body; send JSON instead (for kubectl create ...: add --dry-run=client -o yaml and pipe it to kubectl apply -f -)`,
  )

function fields(buf: Buffer, each: (num: number, wireType: number, r: Reader) => void) {
  const r = new Reader(buf)
  while (!r.done) {
    const key = r.varint()
    each(Number(key >> 3n), Number(key & 7n), r)
  }
}

function scalar(type: Scalar, wireType: number, r: Reader): unknown {
  switch (type) {
    case 'string':
      return r.bytes().toString('utf8')
    case 'bytes':
      return r.bytes().toString('base64')
    case 'int':
      return Number(BigInt.asIntN(64, r.varint()))
    case 'bool':
      return r.varint() !== 0n
    case 'time': {
      let seconds = 0
      let nanos = 0
      fields(r.bytes(), (n, wt, rr) => {
        if (n === 1) seconds = Number(BigInt.asIntN(64, rr.varint()))
        else if (n === 2) nanos = Number(rr.varint())
        else rr.skip(wt)
      })
      if (seconds === 0 && nanos === 0) return undefined
      return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    }
    case 'intstr': {
      let kind = 0
      let intVal = 0
      let strVal = ''
      fields(r.bytes(), (n, wt, rr) => {
        if (n === 1) kind = Number(rr.varint())
        else if (n === 2) intVal = Number(BigInt.asIntN(64, rr.varint()))
        else if (n === 3) strVal = rr.bytes().toString('utf8')
        else rr.skip(wt)
      })
      return kind === 1 ? strVal : intVal
    }
    case 'quantity': {
      let s = ''
      fields(r.bytes(), (n, wt, rr) => {
        if (n === 1) s = rr.bytes().toString('utf8')
        else rr.skip(wt)
      })
      return s
    }
  }
  void wireType
}

const isScalar = (t: string): t is Scalar => ['string', 'bytes', 'int', 'bool', 'time', 'intstr', 'quantity'].includes(t)
const isEmpty = (v: unknown) => v === undefined || v === '' || v === 0 || v === false

function decodeMessage(name: string, buf: Buffer): Record<string, unknown> {
  const schema = SCHEMAS[name]!
  const out: Record<string, unknown> = {}
  if (name === 'Ignored') return out
  fields(buf, (num, wireType, r) => {
    const field = schema[num]
    if (!field) {
      const start = r.pos
      r.skip(wireType)
      // An empty value of an unknown field changes nothing; real content would be lost: refuse.
      const raw = r.buf.subarray(start, r.pos)
      const empty = wireType === 0 ? raw.every((b) => b === 0) : wireType === 2 ? raw.length === 1 && raw[0] === 0 : false
      if (!empty) throw unsupported(`field ${num} of ${name}`)
      return
    }
    if (field.map) {
      let key = ''
      let value: unknown
      fields(r.bytes(), (n, wt, rr) => {
        if (n === 1) key = rr.bytes().toString('utf8')
        else if (n === 2) value = isScalar(field.type) ? scalar(field.type, wt, rr) : decodeMessage(field.type, rr.bytes())
        else rr.skip(wt)
      })
      const m = (out[field.name] ??= {}) as Record<string, unknown>
      m[key] = value ?? (field.type === 'string' || field.type === 'bytes' ? '' : value)
      return
    }
    const value = isScalar(field.type) ? scalar(field.type, wireType, r) : decodeMessage(field.type, r.bytes())
    if (field.repeated) {
      ;((out[field.name] ??= []) as unknown[]).push(value)
      return
    }
    if (value === undefined || (!field.ptr && isEmpty(value))) return
    out[field.name] = value
  })
  return out
}

/**
 * Decodes a `k8s\0` + runtime.Unknown envelope into a JSON-shaped object with apiVersion and kind.
 * Throws 415 for kinds or fields the table above does not cover.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformed('missing the k8s protobuf prefix')
  let apiVersion = ''
  let kind = ''
  let raw: Buffer | undefined
  fields(body.subarray(4), (n, wt, r) => {
    if (n === 1) {
      const tm = decodeMessage('TypeMeta', r.bytes())
      apiVersion = String(tm.apiVersion ?? '')
      kind = String(tm.kind ?? '')
    } else if (n === 2) raw = r.bytes()
    else r.skip(wt)
  })
  const message = KINDS[kind]
  if (!message || !raw) throw unsupported(`a ${kind || 'typeless'} object`)
  return { apiVersion, kind, ...decodeMessage(message, raw) }
}
