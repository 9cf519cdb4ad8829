import type { AwsService } from '../service.js'
import { eventHandlers } from './events.js'
import { groupHandlers } from './groups.js'
import { LogsState } from './state.js'
import { streamHandlers } from './streams.js'
import { tagHandlers } from './tags.js'

/** CloudWatch Logs (json 1.1, `Logs_20140328`): log groups, streams, events, filter patterns, tags. */
export const logsService: AwsService<LogsState> = {
  name: 'logs',
  protocol: 'json',
  modelFile: 'logs-2014-03-28.service.json',
  open: (store) => LogsState.open(store),
  handlers: { ...groupHandlers, ...streamHandlers, ...eventHandlers, ...tagHandlers },
}

export { LogsState }
