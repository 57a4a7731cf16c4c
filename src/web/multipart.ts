// The pieces every route that takes a file shares (the partners' CSV import, the platform form): multipart
// bodies are read only by those routes, once their login is known, and mapped to French 400/413 answers.

/** What the multipart reader could not take: too big (413) or not a form at all (400). */
export class BodyRefused extends Error {
  constructor(readonly status: 400 | 413) {
    super(status === 413 ? 'multipart body too large' : 'unreadable multipart body')
  }
}

/** @fastify/multipart's codes for a body over one of its limits (answered 413). */
export const TOO_LARGE = new Set(['FST_REQ_FILE_TOO_LARGE', 'FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT'])

/**
 * The fields as a urlencoded form gives them (strings, the file as a Buffer), from what @fastify/multipart
 * attached (attachFieldsToBody: true); a field cut at its size limit refuses the body (the reader would
 * silently truncate it).
 */
export function multipartValues(body: Record<string, unknown>): Record<string, unknown> {
  const one = (part: unknown): unknown => {
    const p = part as { type?: string; value?: unknown; valueTruncated?: boolean; _buf?: Buffer | null }
    if (p.type === 'file') return p._buf ?? Buffer.alloc(0)
    if (p.valueTruncated) throw new BodyRefused(413)
    return p.value
  }
  return Object.fromEntries(Object.entries(body).map(([key, part]) => [key, Array.isArray(part) ? part.map(one) : one(part)]))
}
