import { once } from "node:events";
import type { Writable } from "node:stream";
import zlib from "node:zlib";

// A streaming ZIP writer: one entry at a time, deflated as it is written, each entry's CRC-32 and sizes in a data
// descriptor after its data (general purpose bit 3), the central directory at the end. Nothing is kept but one
// 46-byte directory record per entry. No ZIP64: an entry or the archive past 4 GiB is refused (an Excel sheet of
// 1,048,575 report rows is about 1 GB of XML and a tenth of that compressed).

const crcTable = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
/** CRC-32 of `buf` continuing from `crc` (zlib.crc32 where Node has it, 20.15 and later). */
export const crc32: (buf: Buffer, crc?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === "function"
    ? (buf, crc = 0) => (zlib as unknown as { crc32: (b: Buffer, c: number) => number }).crc32(buf, crc)
    : (buf, crc = 0) => {
        let c = ~crc;
        for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
        return ~c >>> 0;
      };

const LIMIT = 0xffffffff;

/** Resolves when `stream` can take more, or `out` is gone (a cancelled download must not leave a writer waiting). */
const room = async (stream: Writable, gone: Promise<unknown>) => {
  if (!stream.writableNeedDrain || stream.destroyed) return;
  const ac = new AbortController();
  await Promise.race([once(stream, "drain", { signal: ac.signal }).catch(() => undefined), gone]);
  ac.abort();
};

const dosDateTime = (d: Date) => ({
  time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
});

export type ZipEntry = {
  /** Deflates and writes `data`; resolves when the entry can take more (waits for a slow reader). */
  write(data: string | Buffer): Promise<void>;
  /** Ends the entry: flushes the deflate stream and writes its data descriptor. */
  close(): Promise<void>;
};

export class ZipWriter {
  private offset = 0;
  private readonly directory: Buffer[] = [];
  private open = false;
  private readonly stamp = dosDateTime(new Date());
  /** The open entry's deflate stream, destroyed if the reader goes away. */
  private deflate: zlib.DeflateRaw | null = null;
  /** Settles when `out` closes: a download cancelled halfway. */
  private readonly gone: Promise<void>;

  constructor(
    private readonly out: Writable,
    private readonly level = 6,
  ) {
    this.gone = new Promise((resolve) =>
      out.once("close", () => {
        this.deflate?.destroy();
        resolve();
      }),
    );
  }

  /** True once the reader is gone: callers stop producing. */
  get aborted() {
    return this.out.destroyed;
  }

  private emit(buf: Buffer) {
    this.offset += buf.length;
    if (this.offset > LIMIT) throw new Error("arquivo maior que 4 GB: divida a exportação");
    return this.out.write(buf);
  }

  /** Starts the next entry; the previous one must be closed. */
  entry(name: string): ZipEntry {
    if (this.open) throw new Error("zip: feche a entrada anterior antes de abrir outra");
    this.open = true;
    const nameBuf = Buffer.from(name, "utf8");
    const start = this.offset;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    header.writeUInt16LE(0x0808, 6); // bit 3: sizes in the data descriptor; bit 11: UTF-8 name
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(this.stamp.time, 10);
    header.writeUInt16LE(this.stamp.date, 12);
    header.writeUInt16LE(nameBuf.length, 26);
    this.emit(Buffer.concat([header, nameBuf]));

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = (this.deflate = zlib.createDeflateRaw({ level: this.level, memLevel: 9 }));
    // Compressed bytes go to `out` as they come; when `out` is full the deflate stream pauses, and its own buffer
    // filling up makes write() wait: a slow reader slows the writer down instead of filling memory.
    deflate.on("data", (chunk: Buffer) => {
      compressed += chunk.length;
      if (!this.emit(chunk) && !this.out.destroyed && !deflate.isPaused()) {
        deflate.pause();
        this.out.once("drain", () => deflate.resume());
      }
    });
    const ended = once(deflate, "end").catch(() => undefined);

    return {
      write: async (data) => {
        const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
        crc = crc32(buf, crc);
        size += buf.length;
        if (size > LIMIT) throw new Error("planilha maior que 4 GB: divida a exportação");
        if (this.out.destroyed) return;
        deflate.write(buf);
        await room(deflate, this.gone);
      },
      close: async () => {
        if (!this.out.destroyed) {
          deflate.end();
          await Promise.race([ended, this.gone]);
        }
        this.open = false;
        this.deflate = null;
        if (this.out.destroyed) return;
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc >>> 0, 4);
        descriptor.writeUInt32LE(compressed, 8);
        descriptor.writeUInt32LE(size, 12);
        this.emit(descriptor);
        const record = Buffer.alloc(46);
        record.writeUInt32LE(0x02014b50, 0);
        record.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
        record.writeUInt16LE(20, 6);
        record.writeUInt16LE(0x0808, 8);
        record.writeUInt16LE(8, 10);
        record.writeUInt16LE(this.stamp.time, 12);
        record.writeUInt16LE(this.stamp.date, 14);
        record.writeUInt32LE(crc >>> 0, 16);
        record.writeUInt32LE(compressed, 20);
        record.writeUInt32LE(size, 24);
        record.writeUInt16LE(nameBuf.length, 28);
        record.writeUInt32LE(start, 42);
        this.directory.push(Buffer.concat([record, nameBuf]));
      },
    };
  }

  /** Writes a whole entry at once (the small XML parts). */
  async file(name: string, data: string | Buffer) {
    const e = this.entry(name);
    await e.write(data);
    await e.close();
  }

  /** Writes the central directory and ends `out`. */
  async finish() {
    if (this.out.destroyed) return;
    const cdStart = this.offset;
    for (const d of this.directory) this.emit(d);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.directory.length, 8);
    end.writeUInt16LE(this.directory.length, 10);
    end.writeUInt32LE(this.offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    this.emit(end);
    this.out.end();
  }
}
