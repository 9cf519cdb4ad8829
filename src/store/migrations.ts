import type { Store } from './store.js'

/**
 * Versioned schema migrations, applied in order at start. Resource tables hold one JSON document per
 * row under a primary key that includes account and region (docs/architecture.md#one-request-context); repositories keep an
 * in-memory copy and write through the queue. Append new migrations; never edit an applied one.
 */
const docTable = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (pk VARCHAR PRIMARY KEY, doc VARCHAR NOT NULL)`

const migrations: { version: number; statements: string[] }[] = [
  {
    version: 1,
    statements: [
      docTable('clusters'),
      docTable('task_definitions'),
      docTable('tags'),
      docTable('account_settings'),
      docTable('tasks'),
      docTable('services'),
      docTable('task_sets'),
      docTable('container_instances'),
      docTable('attributes'),
      docTable('capacity_providers'),
      'CREATE TABLE IF NOT EXISTS counters (pk VARCHAR PRIMARY KEY, value BIGINT NOT NULL)',
      // Kubernetes emulator objects (issue #3): key `<group/version>/<resource>/<namespace>/<name>`.
      docTable('kube_objects'),
    ],
  },
  {
    version: 2,
    statements: [
      // The tail of each container's log kept when its task stops (src/kube/task-logs.ts):
      // key `<taskArn>/<container>`, doc { taskArn, container, capturedAt, lines }.
      docTable('task_logs'),
    ],
  },
  {
    version: 3,
    statements: [
      // ECS daemons (src/ecs/daemons): the daemon with its revisions and deployments; daemon task definitions.
      docTable('daemons'),
      docTable('daemon_task_definitions'),
      // ECS gateways with their cluster associations (src/ecs/gateways).
      docTable('gateways'),
    ],
  },
  {
    version: 4,
    statements: [
      // SSM Parameter Store (src/aws/ssm): key `<account>/<region>/<name>`, doc { name, versions, tags }.
      docTable('ssm_parameters'),
      // Secrets Manager (src/aws/secretsmanager): key `<account>/<region>/<name>`, doc { arn, versions, tags, ... }.
      docTable('secrets'),
    ],
  },
  {
    version: 5,
    statements: [
      // CloudWatch Logs (src/aws/logs): groups and streams as documents (key `<account>/<region>/<group>`,
      // `<account>/<region>/<group>/<stream>`); events append-only in their own table, never rewritten.
      docTable('log_groups'),
      docTable('log_streams'),
      `CREATE TABLE IF NOT EXISTS log_events (scope VARCHAR NOT NULL, log_group VARCHAR NOT NULL, log_stream VARCHAR NOT NULL,
        ts BIGINT NOT NULL, ingestion BIGINT NOT NULL, seq BIGINT NOT NULL, message VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 6,
    statements: [
      // IAM (src/aws/iam), global: keys `<account>/<lower-cased name>` (IAM names are case-insensitive),
      // deletion tasks `<account>/<DeletionTaskId>`.
      docTable('iam_roles'),
      docTable('iam_policies'),
      docTable('iam_instance_profiles'),
      docTable('iam_deletion_tasks'),
      // IAM users with their access keys in the doc.
      docTable('iam_users'),
    ],
  },
  {
    version: 7,
    statements: [
      // The store's journal (src/store/journal.ts): row 'applied' holds the seq of the last job DuckDB has.
      'CREATE TABLE IF NOT EXISTS journal_state (pk VARCHAR PRIMARY KEY, seq BIGINT NOT NULL)',
    ],
  },
  {
    version: 8,
    statements: [
      // Cloud Map (src/aws/servicediscovery): namespaces, services and operations keyed `<account>/<region>/<id>`,
      // instances `<account>/<region>/<srv-id>/<instance id>`.
      docTable('cloudmap_namespaces'),
      docTable('cloudmap_services'),
      docTable('cloudmap_instances'),
      docTable('cloudmap_operations'),
    ],
  },
]

export async function migrate(store: Store): Promise<void> {
  await store.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)')
  const rows = await store.query<{ version: number }>('SELECT version FROM schema_migrations')
  const applied = new Set(rows.map((r) => Number(r.version)))
  for (const m of migrations) {
    if (applied.has(m.version)) continue
    await store.exec('BEGIN TRANSACTION')
    try {
      for (const sql of m.statements) await store.exec(sql)
      await store.exec('INSERT INTO schema_migrations VALUES ($1, now())', [m.version])
      await store.exec('COMMIT')
    } catch (e) {
      await store.exec('ROLLBACK').catch(() => {})
      throw e
    }
  }
}
