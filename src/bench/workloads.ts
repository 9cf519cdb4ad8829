/** Request bodies and helpers the suites share. Keep them realistic: what a CLI/Terraform user sends. */
import { parseTaskDefinitionArn as parseEcsTaskDefinitionArn } from '../ecs/arns.js'

/** A typical small Fargate-style task definition (one container, ports, env, logs). */
export function taskDefinitionInput(family: string, i: number): object {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: `public.ecr.aws/nginx/nginx:1.27`,
        essential: true,
        cpu: 256,
        memory: 512,
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        environment: [
          { name: 'BENCH_INDEX', value: String(i) },
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'FEATURE_FLAG', value: 'on' },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' },
        },
      },
    ],
  }
}

/** Small deterministic PRNG (mulberry32), so every run and every target gets the same request mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `arn:...:task-definition/family:rev` -> { family, revision }; undefined for anything else. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const p = parseEcsTaskDefinitionArn(arn)
  return p && { family: p.family, revision: p.revision }
}
