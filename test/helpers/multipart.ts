/** A file field of a multipart form. */
export interface FilePart { filename: string; content: Buffer }

export type Part = string | string[] | FilePart

/** A multipart/form-data body as a browser sends it: repeated names for checkboxes, CSV files. */
export function multipart(fields: Record<string, Part>, boundary = '----fabrik-test-boundary') {
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' || Array.isArray(value)) {
      for (const v of [value].flat()) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`))
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: text/csv\r\n\r\n`))
      chunks.push(value.content, Buffer.from('\r\n'))
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` }
}
