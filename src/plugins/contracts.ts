import { z } from 'zod'

/**
 * The hooks plugins implement. Each answer carries `apiVersion` so the contract can grow without
 * breaking published plugins; goblin rejects (and reports) an answer of a version it does not know.
 */
export const HOOK_API_VERSION = 1

/** `goblin:doctor-checks`: a plugin runs its own checks and returns their results. */
export const DOCTOR_CHECKS_HOOK = 'goblin:doctor-checks'

export const doctorChecksAnswer = z.object({
  apiVersion: z.literal(HOOK_API_VERSION),
  checks: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9][a-z0-9:-]*$/),
      title: z.string().min(1),
      status: z.enum(['ok', 'warn', 'fail', 'skip']),
      detail: z.string(),
      fix: z.string().optional(),
    }),
  ),
})
export type DoctorChecksAnswer = z.infer<typeof doctorChecksAnswer>
