// The IReadable that @mcap/core's McapIndexedReader reads through: a file handle, offsets and sizes as bigint.
// Shared by validate.mjs and foxglove-check.mjs.

/** IReadable over a file handle; offsets and sizes are bigint. */
export class FileReadable {
  #handle;
  #size;
  constructor(handle, size) {
    this.#handle = handle;
    this.#size = size;
  }
  async size() {
    return this.#size;
  }
  async read(offset, length) {
    if (offset < 0n || length < 0n || offset + length > this.#size) {
      throw new Error(`read(${offset}, ${length}) outside file of ${this.#size} bytes`);
    }
    if (offset + length > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`read(${offset}, ${length}) beyond safe integer range`);
    }
    const buffer = new Uint8Array(Number(length));
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await this.#handle.read(buffer, done, buffer.length - done, Number(offset) + done);
      if (bytesRead === 0) {
        throw new Error(`unexpected end of file at ${Number(offset) + done}`);
      }
      done += bytesRead;
    }
    return buffer;
  }
}
