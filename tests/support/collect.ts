import { PassThrough } from "node:stream";

/** Everything `write` writes into a stream, once it has ended it. */
export const collect = async (write: (out: PassThrough) => Promise<void>) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => out.on("end", r));
  await write(out);
  await ended;
  return Buffer.concat(chunks);
};
