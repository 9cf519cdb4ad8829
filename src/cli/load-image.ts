import { formatDuration } from '../lib/duration.js'
import { CliError } from '../lib/errors.js'
import { instanceDir, instanceState, kecsHome, nameSuffix } from './registry.js'
import { checkKindPrereqs } from '../cluster/prereqs.js'
import { defaultRunner, type Runner } from '../cluster/runner.js'
import { kindClusterName } from '../cluster/kind/config.js'
import { listKindClusters, loadDockerImage } from '../cluster/kind/kind-cli.js'

export interface LoadImagesOptions {
  /** The instance whose Kind cluster receives the images. */
  name: string
  images: string[]
  runner?: Runner
  home?: string
  log: (line: string) => void
}

/**
 * `kecs load-image IMAGE...`: copies locally built images from Docker into the instance's Kind
 * cluster (`kind load docker-image`), so task definitions can use them without a registry.
 */
export async function loadImages(o: LoadImagesOptions): Promise<void> {
  if (o.images.length === 0) throw new CliError('no image given', 'Usage: kecs load-image IMAGE [IMAGE...]')
  const run = o.runner ?? defaultRunner
  const st = instanceState(instanceDir(o.name, o.home ?? kecsHome()))
  const provider = st.state === 'absent' ? undefined : st.record?.clusterProvider
  if (provider && provider !== 'kind') {
    throw new CliError(
      `instance "${o.name}" uses the ${provider} cluster, not a Kind cluster: there is nothing to load images into`,
      provider === 'emulated'
        ? 'The emulated cluster simulates containers and needs no images. To run real containers, start KECS with --cluster kind.'
        : 'Push the image to a registry the cluster can pull from, or start KECS with --cluster kind.',
    )
  }
  await checkKindPrereqs(run)
  const cluster = kindClusterName(o.name)
  if (!(await listKindClusters(run)).includes(cluster)) {
    throw new CliError(`there is no Kind cluster ${cluster} to load images into`, `Create it first: kecs start --cluster kind -d${nameSuffix(o.name)}`)
  }
  for (const image of o.images) {
    const t0 = Date.now()
    o.log(`Loading ${image} into ${cluster}...`)
    await loadDockerImage(run, cluster, image)
    o.log(`Loaded ${image} into ${cluster} (${formatDuration(Date.now() - t0)}). Task definitions can use it as "image": "${image}".`)
  }
}
