/**
 * Where KECS serves the task metadata endpoint (docs/architecture.md#task-metadata-endpoint): on the ECS API
 * port under `/metadata`, so one URL reaches both (`AWS_ENDPOINT_URL_ECS` and the metadata URIs
 * share host and port). The converter gets `metadataBaseUrl(<KECS endpoint as seen from the
 * cluster>)` as `metadataEndpoint` and injects `<base>/v4/<id>`, `<base>/v3/<id>`, `<base>/api/<id>`.
 */
export const METADATA_PREFIX = '/metadata'

/** The metadata base URL for a KECS endpoint (`http://host:8080` → `http://host:8080/metadata`). */
export function metadataBaseUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}${METADATA_PREFIX}`
}
