/**
 * Fargate's task sizes: the valid task-level cpu → memory pairs (cpu units → MiB), as the ECS
 * Developer Guide lists them ("Troubleshoot Amazon ECS task definition invalid CPU or memory errors").
 */
const GiB = 1024

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const out: number[] = []
  for (let g = fromGiB; g <= toGiB; g += stepGiB) out.push(g * GiB)
  return out
}

export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1 * GiB, 2 * GiB]],
  [512, range(1, 4, 1)],
  [1024, range(2, 8, 1)],
  [2048, range(4, 16, 1)],
  [4096, range(8, 30, 1)],
  [8192, range(16, 60, 4)],
  [16384, range(32, 120, 8)],
])

/** True when Fargate offers this task size. */
export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.get(cpu)?.includes(memory) ?? false
}

export const noFargateConfiguration = (cpu: string, memory: string) =>
  `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`
