import { describe, expect, it } from 'vitest'
import { compileService } from '../../src/aws/protocol/compiled.js'
import { formInput } from '../../src/aws/protocol/form.js'
import { AwsError, type AwsService } from '../../src/aws/service.js'
import { sts } from '../../src/aws/sts/index.js'
import { formCall, routerApp, scope } from '../helpers/aws-router.js'

/** The query codec on STS and a fake IAM over the real IAM model. */
let lastInput: any
const iam: AwsService<any> = {
  name: 'iam',
  protocol: 'query',
  modelFile: 'iam-2010-05-08.service.json',
  open: async () => ({}),
  handlers: {
    CreateRole: (input) => {
      lastInput = input
      return {
        Role: { RoleName: input.RoleName, Path: '/', RoleId: 'AROAEXAMPLE', Arn: 'arn:aws:iam::123456789012:role/r', AssumeRolePolicyDocument: input.AssumeRolePolicyDocument, CreateDate: Date.UTC(2019, 10, 13, 16, 45, 56) / 1000, Tags: input.Tags, internal: 'x' },
      }
    },
    DeleteRole: (input) => {
      if (input.RoleName === 'missing') throw new AwsError('NoSuchEntityException', 'The role with name missing cannot be found.')
      return undefined
    },
    GetAccountSummary: () => ({ SummaryMap: { Roles: 3, 'Policies<&>': 1 } }),
    ListRoles: () => {
      throw new Error('a bug')
    },
  },
}
const { app } = routerApp([sts, iam])
const post = async (params: Record<string, string>, headers?: Record<string, string>) => {
  const res = await app.request('/', formCall(params, headers))
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() }
}
const iamCall = (params: Record<string, string>) => post({ Version: '2010-05-08', ...params }, { Authorization: scope('iam', 'us-east-1') })

describe('query codec', () => {
  it('reads lists and coerces numbers, and writes the result as XML with the model envelope', async () => {
    const r = await iamCall({
      Action: 'CreateRole',
      RoleName: 'r',
      AssumeRolePolicyDocument: '{"Statement":["<&>"]}',
      MaxSessionDuration: '7200',
      'Tags.member.2.Key': 'k2',
      'Tags.member.2.Value': 'v2',
      'Tags.member.1.Key': 'k1',
      'Tags.member.1.Value': 'v 1',
    })
    expect(r.status).toBe(200)
    expect(r.type).toBe('text/xml')
    expect(lastInput).toEqual({
      RoleName: 'r',
      AssumeRolePolicyDocument: '{"Statement":["<&>"]}',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'k1', Value: 'v 1' }, { Key: 'k2', Value: 'v2' }],
    })
    expect(r.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateRoleResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><CreateRoleResult><Role>/)
    expect(r.body).toContain('<Role><Arn>arn:aws:iam::123456789012:role/r</Arn><AssumeRolePolicyDocument>{"Statement":["&lt;&amp;&gt;"]}</AssumeRolePolicyDocument><CreateDate>2019-11-13T16:45:56Z</CreateDate><Path>/</Path><RoleId>AROAEXAMPLE</RoleId><RoleName>r</RoleName>')
    expect(r.body).toContain('<Tags><member><Key>k1</Key><Value>v 1</Value></member><member><Key>k2</Key><Value>v2</Value></member></Tags>')
    expect(r.body).not.toContain('internal')
    expect(r.body).toMatch(/<\/CreateRoleResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/CreateRoleResponse>$/)
  })

  it('writes maps as entries, and no result element for an operation without output', async () => {
    const s = await iamCall({ Action: 'GetAccountSummary' })
    expect(s.body).toContain('<SummaryMap><entry><key>Roles</key><value>3</value></entry><entry><key>Policies&lt;&amp;&gt;</key><value>1</value></entry></SummaryMap>')
    const d = await iamCall({ Action: 'DeleteRole', RoleName: 'r' })
    expect(d.body).toMatch(/^<\?xml[^>]*>\n<DeleteRoleResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DeleteRoleResponse>$/)
  })

  it("answers a handler's error with the model's code, status and Sender type", async () => {
    const r = await iamCall({ Action: 'DeleteRole', RoleName: 'missing' })
    expect(r.status).toBe(404)
    expect(r.body).toMatch(
      /<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The role with name missing cannot be found.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    )
    const bug = await iamCall({ Action: 'ListRoles' })
    expect(bug.status).toBe(500)
    expect(bug.body).toContain('<Type>Receiver</Type><Code>ServiceFailure</Code>')
  })

  it('validates as ValidationError: missing members, bounds, patterns and types', async () => {
    const r = await iamCall({ Action: 'CreateRole', RoleName: 'bad name', MaxSessionDuration: '60' })
    expect(r.status).toBe(400)
    expect(r.body).toContain('<Code>ValidationError</Code>')
    expect(r.body).toContain(
      "<Message>3 validation errors detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null; " +
        "Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600; " +
        "Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+</Message>",
    )
    const t = await iamCall({ Action: 'CreateRole', RoleName: 'r', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 'lots' })
    expect(t.body).toContain("<Code>ValidationError</Code><Message>Expected an integer at 'maxSessionDuration', got a string.</Message>")
  })

  it('answers InvalidAction for an unknown Action and NotImplemented for one KECS lacks', async () => {
    const u = await iamCall({ Action: 'MakeCoffee' })
    expect(u.status).toBe(400)
    expect(u.body).toContain('<Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation MakeCoffee for version 2010-05-08</Message>')
    const n = await iamCall({ Action: 'ListUsers' })
    expect(n.status).toBe(400)
    expect(n.body).toContain('<Code>NotImplemented</Code><Message>KECS does not implement iam:ListUsers')
  })

  it('routes by Version when there is no signature, and accepts GET with a query string', async () => {
    const byVersion = await post({ Action: 'GetCallerIdentity', Version: '2011-06-15' })
    expect(byVersion.body).toContain('<GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId></GetCallerIdentityResult>')
    const get = await app.request('/?Action=GetCallerIdentity&Version=2011-06-15')
    expect(get.status).toBe(200)
    expect(await get.text()).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
  })

  it('reads maps, flattened lists and empty lists from a form', () => {
    const svc = compileService(iam)
    const shapes: Record<string, any> = {
      In: { type: 'structure', members: { Attrs: { shape: 'M' }, Flat: { shape: 'FL' }, Empty: { shape: 'L' }, Nested: { shape: 'In2' } } },
      In2: { type: 'structure', members: { On: { shape: 'B' } } },
      M: { type: 'map', key: { shape: 'S' }, value: { shape: 'S' } },
      FL: { type: 'list', member: { shape: 'S' }, flattened: true },
      L: { type: 'list', member: { shape: 'S' } },
      S: { type: 'string' },
      B: { type: 'boolean' },
    }
    const fake = { ...svc, shape: (n: string) => shapes[n] }
    const params = new URLSearchParams('Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=__proto__&Attrs.entry.2.value=2&Flat.2=y&Flat.1=x&Empty=&Nested.On=TRUE&Action=X')
    expect(formInput(fake, 'In', params)).toEqual({ Attrs: { a: '1', ['__proto__']: '2' }, Flat: ['x', 'y'], Empty: [], Nested: { On: true } })
  })
})
