import type { Readable } from 'node:stream'

/**
 * A web ReadableStream over a Node Readable that pulls one chunk per read (the source is read
 * only as fast as the consumer reads); cancelling it destroys the source.
 */
export function webStreamOf(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(typeof value === 'string' ? Buffer.from(value) : (value as Uint8Array))
      } catch (error) {
        controller.error(error)
      }
    },
    async cancel() {
      source.destroy()
      await chunks.return?.().catch(() => {})
    },
  }, { highWaterMark: 0 })
}
