import type { Hook } from '@oclif/core'
import { GoblinError } from '../../core/errors.js'
import { jsonRequested } from '../error-output.js'

/**
 * oclif's `init` hook: a topic (`goblin trace`) shows its help as text, which is no answer under --json.
 * There it is a usage error naming the topic's commands, so stdout stays one JSON document.
 */
const hook: Hook<'init'> = async (options) => {
  const { config, id } = options
  if (!id || config.findCommand(id) || !config.findTopic(id)) return
  if (!jsonRequested(options.argv, process.env)) return
  const spaced = id.replaceAll(':', ' ')
  const commands = config.commands
    .filter((c) => !c.hidden && c.id.startsWith(`${id}:`))
    .map((c) => `${config.bin} ${c.id.replaceAll(':', ' ')}`)
  const error = new GoblinError(
    'USAGE',
    `\`${config.bin} ${spaced}\` is a topic, not a command: name one of its commands.`,
    { hint: `Its commands: ${commands.join(', ')}.` },
  )
  // oclif lets a hook's error end the run only when it carries an oclif exit code.
  throw Object.assign(error, { oclif: { exit: error.exit } })
}

export default hook
