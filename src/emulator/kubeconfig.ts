import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * The kubeconfig for the emulated cluster. `insecure-skip-tls-verify: true` is required by
 * @kubernetes/client-node 1.4.0 for any http:// server (docs/architecture.md#what-kubectl-and-client-node-need); kubectl does not mind it.
 */
export const EMULATED_CLUSTER = 'kecs-emulated'
export const EMULATED_CONTEXT = 'kecs'
export const EMULATED_USER = 'kecs-emulated-user'

export function kubeconfigYaml(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${EMULATED_CLUSTER}`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${EMULATED_USER}`,
    '  user:',
    '    token: kecs-emulated-token',
    'contexts:',
    `- name: ${EMULATED_CONTEXT}`,
    '  context:',
    `    cluster: ${EMULATED_CLUSTER}`,
    `    user: ${EMULATED_USER}`,
    '    namespace: default',
    `current-context: ${EMULATED_CONTEXT}`,
    'preferences: {}',
    '',
  ].join('\n')
}

/** Writes the kubeconfig (mode 0600: it holds a token, even if a dummy one). */
export function writeKubeconfig(path: string, server: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, kubeconfigYaml(server), { mode: 0o600 })
}
