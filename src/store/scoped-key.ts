/** Key of a row scoped to an account and region (AWS isolates resources that way). */
export const scopedKey = (scope: { account: string; region: string }, ...parts: (string | number)[]) =>
  [scope.account, scope.region, ...parts].join('/')
