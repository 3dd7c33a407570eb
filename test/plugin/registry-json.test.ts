import { describe, expect, it, vi } from 'vitest'
import { registryJson } from '../../plugin/core/generate/registry-json.js'
import type { BackupRegistry } from '../../runtime/types.js'

describe('the registry\'s JSON, made once per frozen registry', () => {
  const registry = () => ({ formatVersion: 1, tool: 'koan-backup@0', entities: [], scopes: [], shapes: [], diagnostics: [] }) as unknown as BackupRegistry

  it('is JSON.stringify of the registry, made once for a frozen one however often it is asked', () => {
    const frozen = Object.freeze(registry())
    const stringify = vi.spyOn(JSON, 'stringify')
    try {
      const first = registryJson(frozen)
      expect(registryJson(frozen)).toBe(first)
      expect(registryJson(frozen)).toBe(first)
      expect(stringify).toHaveBeenCalledTimes(1)
    } finally {
      stringify.mockRestore()
    }
    expect(registryJson(frozen)).toBe(JSON.stringify(frozen))
  })

  it('is made again for a registry that is not frozen (it could change)', () => {
    const open = registry() as unknown as { tool: string }
    expect(registryJson(open as unknown as BackupRegistry)).toContain('koan-backup@0')
    open.tool = 'changed'
    expect(registryJson(open as unknown as BackupRegistry)).toContain('"tool":"changed"')
  })
})
