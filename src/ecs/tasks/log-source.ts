/** Where container logs come from: the cluster (src/kube/pod-logs.ts reads them through the API server). */
export interface PodLogRequest {
  namespace: string
  pod: string
  container: string
  follow?: boolean
  tailLines?: number
  sinceSeconds?: number
  timestamps?: boolean
}

/** The API answered with an error: 404 pod gone, 400 container not started (or not in the pod). */
export class PodLogError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message)
  }
}

export interface PodLogSource {
  /**
   * Opens one container's log. Resolves once the API server answered 200 (the stream is open; with
   * follow it stays open until the container stops or the pod goes), with the log as text chunks (not
   * cut at line ends). Rejects with PodLogError when the API answers an error.
   */
  open(req: PodLogRequest, signal?: AbortSignal): Promise<AsyncIterable<string>>
}
