import { dockerName } from './container.js'
import { compact, rfc3339Nano } from './format.js'
import { dockerIdOf, taskFacts, taskLimits, type MetadataInput, type TaskContainer } from './input.js'
import type { MetadataVersion } from './container.js'

/**
 * `${URI}/stats` and `${URI}/task/stats`: Docker ContainerStats JSON (the shape `docker stats` and the
 * agent return). KECS does not measure containers, so the numbers are synthetic but plausible and
 * consistent: they grow with the container's uptime (a light load: ~2% of a CPU, a few MiB of memory,
 * ~1 KB/s of network and disk traffic) and stay within the container's memory limit. A container that
 * is not running answers what Docker answers for one: zero time and zero counters. v4 adds
 * `network_rate_stats` for awsvpc and bridge tasks.
 */
const ZERO_TIME = '0001-01-01T00:00:00Z'
const MiB = 1024 * 1024
const ONLINE_CPUS = 2
/** Host CPU time before the container started (ns): only makes system_cpu_usage look like a host's. */
const HOST_CPU_BEFORE = 86_400 * ONLINE_CPUS * 1e9

export function containerStats(input: MetadataInput, c: TaskContainer, version: MetadataVersion): Record<string, unknown> {
  const facts = taskFacts(input)
  const running = c.lastStatus === 'RUNNING'
  const startedMs = (input.task.startedAt ?? input.task.pullStoppedAt ?? input.task.createdAt ?? 0) * 1000
  const up = running ? Math.max(0, (input.nowMs - startedMs) / 1000) : 0
  const limitMiB = Number(c.memory) || taskLimits(input)?.Memory || 2048
  const iface = facts.networkMode === 'awsvpc' ? 'eth1' : facts.networkMode === 'bridge' ? 'eth0' : undefined

  const cpu = (secs: number) => {
    const total = Math.floor(secs * 0.02 * 1e9)
    const user = Math.floor(total * 0.7)
    return {
      cpu_usage: {
        total_usage: total,
        percpu_usage: [Math.floor(total * 0.6), total - Math.floor(total * 0.6)],
        usage_in_kernelmode: total - user,
        usage_in_usermode: user,
      },
      system_cpu_usage: running ? Math.floor(HOST_CPU_BEFORE + secs * ONLINE_CPUS * 1e9) : 0,
      online_cpus: running ? ONLINE_CPUS : 0,
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    }
  }
  const usage = running ? Math.min(limitMiB * MiB, Math.floor(12 * MiB + up * 1024)) : 0
  const rss = Math.floor(usage * 0.75)
  const bytes = (perSec: number) => Math.floor(up * perSec)
  const io = (read: number, write: number) =>
    running
      ? [
          { major: 259, minor: 0, op: 'Read', value: read },
          { major: 259, minor: 0, op: 'Write', value: write },
          { major: 259, minor: 0, op: 'Sync', value: write },
          { major: 259, minor: 0, op: 'Async', value: read },
          { major: 259, minor: 0, op: 'Total', value: read + write },
        ]
      : []

  return compact({
    read: running ? rfc3339Nano(input.nowMs) : ZERO_TIME,
    preread: running ? rfc3339Nano(input.nowMs - 1000) : ZERO_TIME,
    pids_stats: { current: running ? 3 : 0 },
    blkio_stats: {
      io_service_bytes_recursive: io(bytes(512), bytes(256)),
      io_serviced_recursive: io(Math.floor(up / 8), Math.floor(up / 16)),
      io_queue_recursive: [],
      io_service_time_recursive: [],
      io_wait_time_recursive: [],
      io_merged_recursive: [],
      io_time_recursive: [],
      sectors_recursive: [],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(up),
    precpu_stats: cpu(Math.max(0, up - 1)),
    memory_stats: running
      ? {
          usage,
          max_usage: Math.min(limitMiB * MiB, Math.floor(usage * 1.25)),
          stats: {
            active_anon: rss,
            active_file: usage - rss,
            cache: usage - rss,
            inactive_anon: 0,
            inactive_file: 0,
            mapped_file: Math.floor((usage - rss) / 2),
            pgfault: Math.floor(up * 10),
            pgmajfault: 0,
            rss,
            total_cache: usage - rss,
            total_rss: rss,
          },
          limit: limitMiB * MiB,
        }
      : {},
    name: `/${dockerName(facts, c)}`,
    id: dockerIdOf(input.task, c),
    networks:
      iface && running
        ? {
            [iface]: {
              rx_bytes: bytes(1200),
              rx_packets: Math.floor(up * 4),
              rx_errors: 0,
              rx_dropped: 0,
              tx_bytes: bytes(800),
              tx_packets: Math.floor(up * 3),
              tx_errors: 0,
              tx_dropped: 0,
            },
          }
        : undefined,
    network_rate_stats:
      version === 'v4' && iface && running ? { rx_bytes_per_sec: 1200, tx_bytes_per_sec: 800 } : undefined,
  })
}

/** `${URI}/task/stats`: DockerId → stats of every container of the task. */
export function taskStats(input: MetadataInput, version: MetadataVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of input.task.containers ?? []) out[dockerIdOf(input.task, c)] = containerStats(input, c, version)
  return out
}
