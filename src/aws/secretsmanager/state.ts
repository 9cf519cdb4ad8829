import { DocTable } from '../../store/doc-table.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Store } from '../../store/store.js'

export interface SecretVersion {
  versionId: string
  stages: string[]
  /** Epoch ms. */
  created: number
  secretString?: string
  /** Base64 of the bytes. */
  secretBinary?: string
  /** The KMS key the secret had when this version was written. */
  kmsKeyId?: string
  lastAccessed?: number
}

export interface SecretDoc {
  account: string
  region: string
  name: string
  arn: string
  description?: string
  kmsKeyId?: string
  type?: string
  tags: { Key: string; Value: string }[]
  /** Epoch ms. */
  created: number
  lastChanged: number
  lastAccessed?: number
  /** Set while the secret is scheduled for deletion: when it was deleted and when it will be purged. */
  deletedAt?: number
  deletionDate?: number
  policy?: string
  /** Oldest first; versions without stages are deprecated. */
  versions: SecretVersion[]
}

export type Scope = { account: string; region: string }

/** Secrets Manager state: one row per secret, keyed by account, region and name. */
export class SecretsState {
  constructor(readonly secrets: DocTable<SecretDoc>) {}

  static async open(store: Store): Promise<SecretsState> {
    return new SecretsState(await new DocTable<SecretDoc>(store, 'secrets').load())
  }

  /** The secret of that exact name, purging it first when its recovery window has passed. */
  byName(scope: Scope, name: string, now: number): SecretDoc | undefined {
    const s = this.secrets.get(scopedKey(scope, name))
    if (s && this.expired(s, now)) return undefined
    return s
  }

  /** The scope's secrets (expired ones purged), in creation order. */
  list(scope: Scope, now: number): SecretDoc[] {
    const out: SecretDoc[] = []
    for (const s of [...this.secrets.values()]) {
      if (s.account !== scope.account || s.region !== scope.region) continue
      if (!this.expired(s, now)) out.push(s)
    }
    return out.sort((a, b) => a.created - b.created || (a.name < b.name ? -1 : 1))
  }

  put(doc: SecretDoc): Promise<void> {
    return this.secrets.put(scopedKey(doc, doc.name), doc)
  }

  delete(doc: SecretDoc): Promise<void> {
    return this.secrets.delete(scopedKey(doc, doc.name))
  }

  /**
   * A secret past its recovery window is gone: dropped from the copy at once (so no caller sees it) and
   * from the table by a write nobody waits for.
   */
  private expired(s: SecretDoc, now: number): boolean {
    if (s.deletionDate === undefined || s.deletionDate > now) return false
    void this.delete(s).catch(() => {})
    return true
  }
}
