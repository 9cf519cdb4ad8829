import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AwsService } from '../../src/aws/service.js'
import { sts } from '../../src/aws/sts/index.js'
import { formCall, jsonCall, routerApp, scope } from '../helpers/aws-router.js'

/** Routing on the shared port: ECS untouched, neighbours by target / scope / Version, other services forwarded or refused. */
const ssm: AwsService<any> = { name: 'ssm', protocol: 'json', modelFile: 'ssm-2014-11-06.service.json', open: async () => ({}), handlers: { GetParameter: () => ({}) } }

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}
let fake: Server
let fakeUrl: string
const seen: Seen[] = []

beforeAll(async () => {
  fake = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      res.writeHead(418, { 'Content-Type': 'application/x-amz-json-1.1', 'X-Upstream': 'yes' })
      res.end('{"from":"upstream"}')
    })
  })
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r))
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => fake.close(() => r())))

describe('routing on the API port', () => {
  const { app, metrics } = routerApp([ssm, sts])

  it('leaves ECS calls, target-less JSON and calls signed for ECS to ECS', async () => {
    for (const init of [
      jsonCall('AmazonEC2ContainerServiceV20141113.ListClusters', {}),
      jsonCall('NoDotHere', {}),
      jsonCall('Foo.Bar', {}, { Authorization: scope('ecs') }),
      { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1' }, body: '{}' },
    ]) {
      expect(await (await app.request('/', init)).json()).toEqual({ answeredBy: 'ecs' })
    }
  })

  it('sends a JSON call to the service of its target prefix, a form call to the service of its SigV4 scope', async () => {
    const j = await app.request('/', jsonCall('AmazonSSM.GetParameter', { Name: 'p' }))
    expect(j.status).toBe(200)
    const q = await app.request('/', formCall({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, { Authorization: scope('sts') }))
    expect(await q.text()).toContain('<GetCallerIdentityResponse')
  })

  it('refuses a service KECS does not serve in the JSON shape, naming it and the flag', async () => {
    const r = await app.request('/', jsonCall('AWSCognitoIdentityProviderService.ListUserPools', {}, { Authorization: scope('cognito-idp') }))
    expect(r.status).toBe(400)
    expect(r.headers.get('x-amzn-errortype')).toBe('UnknownServiceException')
    const body = (await r.json()) as { __type: string; message: string }
    expect(body.__type).toBe('UnknownServiceException')
    expect(body.message).toContain('"cognito-idp"')
    expect(body.message).toContain('--aws-endpoint')
    expect(body.message).toContain('ecs, ssm, sts')
  })

  it('refuses a query call for another service in the XML shape', async () => {
    const r = await app.request('/', formCall({ Action: 'DescribeLoadBalancers', Version: '2015-12-01' }, { Authorization: scope('elasticloadbalancing') }))
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toBe('text/xml')
    expect(await r.text()).toMatch(/<ErrorResponse><Error><Type>Sender<\/Type><Code>UnknownServiceException<\/Code><Message>KECS does not serve the AWS service "elasticloadbalancing"/)
    const unsigned = await app.request('/', formCall({ Action: 'DescribeLoadBalancers', Version: '2015-12-01' }))
    expect(await unsigned.text()).toContain('<Code>UnknownServiceException</Code><Message>KECS does not serve the AWS service "of API version 2015-12-01"')
    expect(metrics.render()).toContain('kecs_requests_total{operation="UnknownService",status="400"}')
  })

  it('answers a REST call signed for another service, and leaves other unknown paths alone', async () => {
    const r = await app.request('/2015-03-31/functions', { headers: { Authorization: scope('lambda') } })
    expect(((await r.json()) as { __type: string }).__type).toBe('UnknownServiceException')
    expect(await (await app.request('/nope')).json()).toEqual({ answeredBy: 'not-found' })
  })
})

describe('forwarding to --aws-endpoint', () => {
  it('passes the call on unchanged and returns the answer as is', async () => {
    const { app, metrics, lines } = routerApp([ssm, sts], { awsEndpoint: new URL(fakeUrl) })
    seen.length = 0
    const auth = scope('cognito-idp')
    const r = await app.request('http://127.0.0.1:8080/?x=1', jsonCall('AWSCognitoIdentityProviderService.ListUserPools', { MaxResults: 5 }, { Authorization: auth, 'X-Amz-Date': '20260102T030405Z' }))
    expect(r.status).toBe(418)
    expect(r.headers.get('x-upstream')).toBe('yes')
    expect(await r.text()).toBe('{"from":"upstream"}')
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/?x=1', body: '{"MaxResults":5}' })
    expect(seen[0]!.headers).toMatchObject({ authorization: auth, 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools', 'x-amz-date': '20260102T030405Z', host: '127.0.0.1:8080' })
    expect(metrics.render()).toContain('kecs_requests_total{operation="Forwarded",status="418"}')
    expect(lines.at(-1)?.operation).toBe('forward cognito-idp')
  })

  it('forwards query and REST calls of other services, but still serves its own', async () => {
    const { app } = routerApp([ssm, sts], { awsEndpoint: new URL(`${fakeUrl}/base/`) })
    seen.length = 0
    await app.request('/', formCall({ Action: 'DescribeLoadBalancers', Version: '2015-12-01' }, { Authorization: scope('elasticloadbalancing') }))
    await app.request('/2015-03-31/functions?Marker=m', { headers: { Authorization: scope('lambda') } })
    const own = await app.request('/', formCall({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, { Authorization: scope('sts') }))
    expect(own.status).toBe(200)
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/base/', 'Action=DescribeLoadBalancers&Version=2015-12-01'],
      ['GET', '/base/2015-03-31/functions?Marker=m', ''],
    ])
  })

  it('answers 502 in the protocol shape when the endpoint cannot be reached', async () => {
    const { app } = routerApp([ssm], { awsEndpoint: new URL('http://127.0.0.1:1') })
    const r = await app.request('/', jsonCall('AWSCognitoIdentityProviderService.ListUserPools', {}))
    expect(r.status).toBe(502)
    const body = (await r.json()) as { __type: string; message: string }
    expect(body.__type).toBe('ServiceUnavailable')
    expect(body.message).toContain('http://127.0.0.1:1/')
  })
})
