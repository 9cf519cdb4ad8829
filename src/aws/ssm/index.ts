import type { AwsService } from '../service.js'
import { deleteParameter, deleteParameters } from './delete-parameter.js'
import { getParameter, getParameters } from './get-parameter.js'
import { labelParameterVersion, unlabelParameterVersion } from './labels.js'
import { putParameter } from './put-parameter.js'
import { describeParameters, getParameterHistory, getParametersByPath } from './query.js'
import { SsmState } from './state.js'
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags.js'

export { SsmState } from './state.js'

/** SSM Parameter Store (json 1.1, `AmazonSSM.<Op>`). */
export const ssm: AwsService<SsmState> = {
  name: 'ssm',
  protocol: 'json',
  modelFile: 'ssm-2014-11-06.service.json',
  open: (store) => SsmState.open(store),
  handlers: {
    PutParameter: putParameter,
    GetParameter: getParameter,
    GetParameters: getParameters,
    GetParametersByPath: getParametersByPath,
    DescribeParameters: describeParameters,
    GetParameterHistory: getParameterHistory,
    DeleteParameter: deleteParameter,
    DeleteParameters: deleteParameters,
    LabelParameterVersion: labelParameterVersion,
    UnlabelParameterVersion: unlabelParameterVersion,
    AddTagsToResource: addTagsToResource,
    RemoveTagsFromResource: removeTagsFromResource,
    ListTagsForResource: listTagsForResource,
  },
}
