import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";

// Reading an uploaded XLSX (a ZIP) that is already in memory: its central directory first, so what the parts declare
// once unpacked can be refused before any of them is inflated, then one part at a time, inflated as it is read and
// stopped the moment it passes the size it declared (declared sizes can lie). Nothing touches the disk.

export type ZipPart = {
  name: string;
  /** 0 stored, 8 deflate; anything else is refused when read. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** As declared by the central directory (ZIP64 sizes included). */
  size: number;
  /** Where the local header starts. */
  offset: number;
};

/** A file that is not a ZIP we can read (no end record, a directory pointing outside the file…). */
export class ZipFormatError extends Error {}

/** A part inflated past the size it declared: a damaged or crafted file. */
export class ZipSizeLieError extends Error {
  constructor(readonly part: string) {
    super(`zip: ${part} passa do tamanho declarado`);
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const U32 = 0xffffffff;

const findEnd = (buf: Buffer) => {
  // The end record is the last 22 bytes plus a comment of up to 64 KB; its comment length must reach the end.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - MAX_COMMENT); i--)
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  return -1;
};

// ZIP64 extra field (0x0001): the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
const zip64 = (extra: Buffer, part: { size: number; compressedSize: number; offset: number }) => {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const length = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let at = i + 4;
      const next = () => {
        if (at + 8 > i + 4 + length) throw new ZipFormatError("zip: campo ZIP64 curto");
        const value = Number(extra.readBigUInt64LE(at));
        at += 8;
        return value;
      };
      if (part.size === U32) part.size = next();
      if (part.compressedSize === U32) part.compressedSize = next();
      if (part.offset === U32) part.offset = next();
      return;
    }
    i += 4 + length;
  }
};

/** The parts listed in the central directory, in its order. Throws ZipFormatError for anything malformed. */
export const readZipDirectory = (bytes: Uint8Array): ZipPart[] => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(buf);
  if (end < 0) throw new ZipFormatError("zip: sem registro final");
  const count = buf.readUInt16LE(end + 10);
  const dirSize = buf.readUInt32LE(end + 12);
  const dirStart = buf.readUInt32LE(end + 16);
  // A multi-disk archive, or a ZIP64 end record (65,535 parts or more, or past 4 GB): no upload of 10 MB needs one.
  if (buf.readUInt16LE(end + 4) !== 0 || count === 0xffff || dirStart === U32) throw new ZipFormatError("zip: ZIP64 ou multivolume");
  if (dirStart + dirSize > end) throw new ZipFormatError("zip: diretório fora do arquivo");
  const parts: ZipPart[] = [];
  let p = dirStart;
  for (let n = 0; n < count; n++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError("zip: diretório corrompido");
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    if (p + 46 + nameLength + extraLength + commentLength > end) throw new ZipFormatError("zip: diretório corrompido");
    const part: ZipPart = {
      name: buf.toString("utf8", p + 46, p + 46 + nameLength),
      method: buf.readUInt16LE(p + 10),
      encrypted: (buf.readUInt16LE(p + 8) & 1) === 1,
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
    };
    zip64(buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), part);
    parts.push(part);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
};

/** Where a part's data lies in the file (after its local header). */
const dataOf = (buf: Buffer, part: ZipPart) => {
  const at = part.offset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL) throw new ZipFormatError(`zip: cabeçalho de ${part.name}`);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  if (start + part.compressedSize > buf.length) throw new ZipFormatError(`zip: ${part.name} fora do arquivo`);
  return buf.subarray(start, start + part.compressedSize);
};

const CHUNK = 64 * 1024;

/**
 * A part's content as UTF-8 text, chunk by chunk (a character split between two chunks is kept whole), inflated as
 * it is consumed. Throws ZipSizeLieError as soon as more comes out than the part declared; `onChunk` sees every
 * raw chunk first (the caller's own limits). Stopping early (break) ends the inflation.
 */
export async function* partText(bytes: Uint8Array, part: ZipPart, onChunk?: (chunk: Buffer) => void): AsyncGenerator<string> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (part.encrypted || (part.method !== 0 && part.method !== 8)) throw new ZipFormatError(`zip: método ${part.method}`);
  const data = dataOf(buf, part);
  const decoder = new StringDecoder("utf8");
  let out = 0;
  const take = (chunk: Buffer) => {
    out += chunk.length;
    if (out > part.size) throw new ZipSizeLieError(part.name);
    onChunk?.(chunk);
    return decoder.write(chunk);
  };
  if (part.method === 0) {
    for (let i = 0; i < data.length; i += CHUNK) yield take(data.subarray(i, i + CHUNK));
  } else {
    const inflate = zlib.createInflateRaw({ chunkSize: CHUNK });
    inflate.end(data);
    // for await destroys the stream when the loop is left early or throws.
    for await (const chunk of inflate as AsyncIterable<Buffer>) yield take(chunk);
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
