import { Args } from '@oclif/core'
import { KecsCommand, nameFlag } from '../cli/command.js'
import { loadImages } from '../cli/load-image.js'

export default class LoadImage extends KecsCommand {
  static override summary = "Load local Docker images into the instance's Kind cluster"
  static override description =
    'Runs `kind load docker-image IMAGE --name kecs-<name>` for each image, so task definitions can use images ' +
    'you built locally without pushing them to a registry (KECS creates pods with imagePullPolicy IfNotPresent, ' +
    'so a loaded image is used as it is).'
  static override examples = ['<%= config.bin %> load-image my-app:dev', '<%= config.bin %> load-image api:1.2 worker:1.2 --name ci']
  static override strict = false

  static override args = {
    image: Args.string({ description: 'image(s) to load, as Docker names them (repo:tag)', required: true }),
  }

  static override flags = { name: nameFlag }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(LoadImage)
    await loadImages({ name: flags.name, images: argv as string[], log: (l) => this.log(l) })
  }
}
