import { DocTable } from '../../store/doc-table.js'
import { scopedKey } from '../../store/scoped-key.js'
import type { Store } from '../../store/store.js'

export type ParameterType = 'String' | 'StringList' | 'SecureString'

/** One retained version of a parameter (PutParameter writes one). */
export interface ParameterVersion {
  version: number
  type: ParameterType
  value: string
  /** SecureString only: the KMS key the value is "encrypted" with (recorded, not used). */
  keyId?: string
  description?: string
  allowedPattern?: string
  tier: string
  dataType: string
  policies?: string
  labels: string[]
  /** Epoch ms. */
  lastModified: number
  lastModifiedUser: string
}

/** A parameter: its retained versions (oldest first, at most 100) and its tags. */
export interface ParameterDoc {
  account: string
  region: string
  name: string
  versions: ParameterVersion[]
  tags: Record<string, string>
}

export type Scope = { account: string; region: string }

/** SSM Parameter Store state: one row per parameter, keyed by account, region and name. */
export class SsmState {
  constructor(readonly parameters: DocTable<ParameterDoc>) {}

  static async open(store: Store): Promise<SsmState> {
    return new SsmState(await new DocTable<ParameterDoc>(store, 'ssm_parameters').load())
  }

  get(scope: Scope, name: string): ParameterDoc | undefined {
    return this.parameters.get(scopedKey(scope, name))
  }

  put(doc: ParameterDoc): Promise<void> {
    return this.parameters.put(scopedKey(doc, doc.name), doc)
  }

  delete(scope: Scope, name: string): Promise<void> {
    return this.parameters.delete(scopedKey(scope, name))
  }

  /** The scope's parameters, by name. */
  list(scope: Scope): ParameterDoc[] {
    const out: ParameterDoc[] = []
    for (const p of this.parameters.values()) if (p.account === scope.account && p.region === scope.region) out.push(p)
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }
}

export const latest = (p: ParameterDoc): ParameterVersion => p.versions[p.versions.length - 1]!
