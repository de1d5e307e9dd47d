import { describe, expect, it } from 'vitest'
import Hello from '../src/commands/__PLUGIN_TOPIC__/hello.js'
import { greeting } from '../src/greeting.js'

describe('greeting', () => {
  it('greets by name and names the plugin', () => {
    expect(greeting('Ada')).toBe('Hello, Ada, from __PLUGIN_PACKAGE__!')
  })
})

describe('__PLUGIN_TOPIC__ hello', () => {
  it('returns the greeting as its --json document', async () => {
    const result = await Hello.run(['--name', 'Ada', '--json'], import.meta.dirname)
    expect(result).toEqual({ greeting: 'Hello, Ada, from __PLUGIN_PACKAGE__!' })
  })
})
