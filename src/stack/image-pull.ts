import type Docker from 'dockerode'
import { GoblinError, unreachableError } from '../core/errors.js'
import { engineMessage, engineStatus } from './docker-client.js'
import type { StackUpEvent } from './stack-report.js'

/** One line of the engine's pull progress stream (`POST /images/create`). */
interface PullLine {
  id?: string
  status?: string
  progressDetail?: { current?: number; total?: number }
  error?: string
  errorDetail?: { message?: string }
}

/** Whether the engine has the image locally. */
export async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect()
    return true
  } catch (error) {
    if (engineStatus(error) === 404) return false
    throw error
  }
}

/**
 * Pulls `ref` through the engine, reporting progress summed over the image's layers. A reference that
 * does not exist is exit 2 (fix the reference); a registry that does not answer is exit 3.
 */
export async function pullImage(
  docker: Docker,
  ref: string,
  onEvent: (event: StackUpEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  onEvent({ type: 'pull', image: ref, status: 'pulling', done: false })
  let stream: NodeJS.ReadableStream
  try {
    stream = (await docker.pull(ref, { abortSignal: signal })) as NodeJS.ReadableStream
  } catch (error) {
    throw pullError(ref, engineMessage(error), engineStatus(error), error)
  }
  const layers = new Map<string, { current: number; total: number }>()
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      ;(stream as unknown as { destroy?: () => void }).destroy?.()
      reject(new GoblinError('STACK_UP_INTERRUPTED', `interrupted while pulling ${ref}`))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    docker.modem.followProgress(
      stream,
      (error: Error | null, lines: PullLine[]) => {
        signal?.removeEventListener('abort', onAbort)
        const failed = lines?.find((l) => l.error)
        if (error || failed) {
          const message = failed?.errorDetail?.message ?? failed?.error ?? engineMessage(error)
          return reject(pullError(ref, message, undefined, error))
        }
        resolve()
      },
      (line: PullLine) => {
        if (line.id && line.progressDetail?.total) {
          layers.set(line.id, { current: line.progressDetail.current ?? 0, total: line.progressDetail.total })
        }
        const current = [...layers.values()].reduce((sum, l) => sum + l.current, 0)
        const total = [...layers.values()].reduce((sum, l) => sum + l.total, 0)
        onEvent({
          type: 'pull',
          image: ref,
          status: line.status ?? 'pulling',
          ...(total > 0 ? { current, total } : {}),
          done: false,
        })
      },
    )
  })
  const total = [...layers.values()].reduce((sum, l) => sum + l.total, 0)
  onEvent({
    type: 'pull',
    image: ref,
    status: 'pulled',
    ...(total > 0 ? { current: total, total } : {}),
    done: true,
  })
}

function pullError(ref: string, message: string, status: number | undefined, cause: unknown): GoblinError {
  const missing =
    status === 404 || /not found|manifest unknown|does not exist|unauthorized|denied/i.test(message)
  if (missing) {
    return new GoblinError(
      'STACK_IMAGE_MISSING',
      `image ${ref} cannot be pulled: ${message}; nothing was started`,
      {
        hint: 'Check the image reference (stack.images in goblin.config.json or --image SERVICE=REF), or log the engine in to its registry.',
        cause,
      },
    )
  }
  return unreachableError(
    'STACK_REGISTRY_UNREACHABLE',
    `image ${ref} cannot be pulled: ${message}; nothing was started`,
    'Check the network path from the engine to the registry, or load the image into the engine (docker load) and run again.',
    cause,
  )
}
