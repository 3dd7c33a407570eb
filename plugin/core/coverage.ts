import type { BackupScopeMode, EntityBackupOptions, EntityStatus, PolicySource } from '../../runtime/types.js'

/** The scope that applies to an entity: a scope file or the plugin option. */
export interface EffectiveScope {
  mode: BackupScopeMode
  encryptByDefault: boolean
  source: PolicySource
}

/** What the entity's own `@EntityBackup` says: absent, unreadable, or its options and location. */
export type DeclaredPolicy =
  | { kind: 'absent' }
  | { kind: 'unreadable' }
  | { kind: 'declared'; options: EntityBackupOptions; source: PolicySource }

/** An entity's resolved coverage. */
export interface Coverage {
  status: EntityStatus
  policy: { encrypt: boolean; includeSchema: boolean } | null
  reason?: string
  scopeMode?: BackupScopeMode
  source: PolicySource
}

/**
 * Resolves an entity's policy: an explicit `@EntityBackup` beats the scope; `enabled: false` excludes;
 * no decorator under mode `all` includes (source: the scope); otherwise the entity is uncovered.
 * `encryptByDefault` is inherited unless the entity sets `encrypt` itself.
 */
export function resolveCoverage(declared: DeclaredPolicy, scope: EffectiveScope): Coverage {
  if (declared.kind === 'unreadable') return { status: 'unreadable', policy: null, source: { kind: 'none' } }
  if (declared.kind === 'declared') {
    const { options, source } = declared
    if (options.enabled === false) {
      return options.reason === undefined
        ? { status: 'excluded', policy: null, source }
        : { status: 'excluded', policy: null, reason: options.reason, source }
    }
    return {
      status: 'included',
      policy: { encrypt: options.encrypt ?? scope.encryptByDefault, includeSchema: options.includeSchema ?? true },
      source,
    }
  }
  if (scope.mode === 'all') {
    return { status: 'included', policy: { encrypt: scope.encryptByDefault, includeSchema: true }, source: scope.source }
  }
  return { status: 'uncovered', policy: null, scopeMode: scope.mode, source: scope.source }
}
