import type { Redactor } from './redact.js'
import { redactValue } from './redact.js'

/** Headers on every response of the handler. */
export const COMMON_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

/** A JSON response (strings redacted: no backup root, absolute path or secret leaves the server). */
export function jsonResponse(status: number, body: unknown, redact: Redactor, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(redactValue(body, redact)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...COMMON_HEADERS, ...headers },
  })
}
