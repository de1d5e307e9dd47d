import type { Hook } from '@oclif/core'
import { GoblinError } from '../../core/errors.js'
import { suggestCommand } from '../suggest.js'

/**
 * oclif's `command_not_found` hook: "did you mean `goblin trace list`?" in the user's own spelling, as a usage
 * error (exit 2) that the entry point renders like every other error (one JSON document under --json).
 * Loaded only when a command is not found, so it costs nothing on the everyday path.
 */
const hook: Hook<'command_not_found'> = async (options) => {
  const { config } = options
  const typedWords = [...options.id.split(':'), ...(options.argv ?? [])].filter(
    (w) => w !== '' && !w.startsWith('-'),
  )
  if (typedWords.length === 0)
    throw new GoblinError('UNKNOWN_COMMAND', `no ${config.bin} command given (${options.id} alone)`, {
      hint: `Name a command, e.g. \`${config.bin} doctor ${options.id}\`; \`${config.bin} --help\` lists them.`,
    })
  const visible = config.commands.filter((c) => !c.hidden)
  const ids = [...visible.map((c) => c.id), ...visible.flatMap((c) => c.aliases)]
  const spaced = (id: string) => id.replaceAll(':', ' ')
  // A command first; a topic only when no command is close, and never the topic that was typed already.
  const topics = config.topics
    .filter((t) => !t.hidden)
    .map((t) => spaced(t.name))
    .filter((topic) => topic !== typedWords.slice(0, topic.split(' ').length).join(' '))
  const suggestion =
    suggestCommand(typedWords, [...new Set(ids)].map(spaced)) ?? suggestCommand(typedWords, topics)
  const bin = config.bin
  const typed = typedWords.join(' ') || options.id.replaceAll(':', ' ')
  if (!suggestion)
    throw new GoblinError('UNKNOWN_COMMAND', `\`${bin} ${typed}\` is not a ${bin} command.`, {
      hint: `Run \`${bin} --help\` for the list of commands.`,
    })
  const rest = typedWords.slice(suggestion.typed.split(' ').length)
  throw new GoblinError(
    'UNKNOWN_COMMAND',
    `\`${bin} ${suggestion.typed}\` is not a ${bin} command. Did you mean \`${bin} ${suggestion.command}\`?`,
    {
      hint: `Run \`${bin} ${[suggestion.command, ...rest].join(' ')}\`, or \`${bin} ${suggestion.command} --help\` for its usage.`,
    },
  )
}

export default hook
