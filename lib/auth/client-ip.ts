import { isIP } from "node:net";

/**
 * The address a sign-in came from, for the per-address limit (login.ts) and the session row. The right-most
 * X-Forwarded-For entry is the one the nearest proxy added; entries to its left are whatever the client sent
 * (left-most would let anyone pick a fresh address per attempt). Without a proxy Next.js fills the header from
 * the socket only when the client did not send it, so the app is meant to run behind one.
 */
export const clientIp = (headers: Headers | undefined | null): string | null => {
  const last = headers?.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (!last) return null;
  const bare = last.replace(/^\[(.*)\](?::\d+)?$/, "$1").replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  return isIP(bare) ? bare : null;
};
