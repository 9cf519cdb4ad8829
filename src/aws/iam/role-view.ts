import { encodeDocument } from './policy-document.js'
import type { RoleDoc } from './state.js'
import { tagsOut } from './tags.js'

/**
 * The model's Role shape. GetRole carries RoleLastUsed (empty until STS records a use),
 * PermissionsBoundary and Tags; list answers (ListRoles, roles inside an instance profile) leave
 * those out, as AWS does. CreateRole answers without RoleLastUsed (as AWS's recorded create-role
 * outputs do).
 */
export function roleOut(r: RoleDoc, full: boolean | 'created' = true): Record<string, unknown> {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: r.CreateDate,
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    ...(r.Description !== undefined ? { Description: r.Description } : {}),
    MaxSessionDuration: r.MaxSessionDuration,
    ...(full && r.PermissionsBoundaryArn
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.PermissionsBoundaryArn } }
      : {}),
    ...(full ? tagsOut(r.Tags) : {}),
    ...(full === true ? { RoleLastUsed: r.lastUsed ? { ...r.lastUsed } : {} } : {}),
  }
}

/** List answers sort by name, case-insensitively; the marker is that key. */
export const nameSortKey = (name: string) => name.toLowerCase()
