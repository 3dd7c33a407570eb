/** A FIFO of buffers that hands out exact byte counts, copying each byte at most once. */
export class ByteQueue {
  #buffers: Buffer[] = []
  /** Bytes of `#buffers[0]` already consumed. */
  #head = 0
  length = 0

  push(buffer: Buffer): void {
    if (buffer.length === 0) return
    this.#buffers.push(buffer)
    this.length += buffer.length
  }

  /** The first `n` bytes (n ≤ length), left in the queue. */
  peek(n: number): Buffer {
    return this.#read(n, false)
  }

  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    return this.#read(n, true)
  }

  #read(n: number, consume: boolean): Buffer {
    if (n > this.length) throw new RangeError(`ByteQueue: ${n} bytes asked, ${this.length} held`)
    const first = this.#buffers[0]
    let out: Buffer
    if (first && first.length - this.#head >= n) {
      out = first.subarray(this.#head, this.#head + n)
      if (consume) this.#advance(n)
      return out
    }
    out = Buffer.allocUnsafe(n)
    let copied = 0
    let index = 0
    let head = this.#head
    while (copied < n) {
      const b = this.#buffers[index]!
      const k = Math.min(b.length - head, n - copied)
      b.copy(out, copied, head, head + k)
      copied += k
      head += k
      if (head === b.length) {
        index++
        head = 0
      }
    }
    if (consume) {
      this.#buffers.splice(0, index)
      this.#head = head
      this.length -= n
    }
    return out
  }

  #advance(n: number): void {
    this.#head += n
    this.length -= n
    if (this.#head === this.#buffers[0]!.length) {
      this.#buffers.shift()
      this.#head = 0
    }
  }
}
