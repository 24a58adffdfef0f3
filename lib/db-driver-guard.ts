// postgres.js 3.4 can throw outside any promise when the server goes away under a connection that still has a
// write queued ("Cannot read properties of null (reading 'write')" in its connection.js): an uncaught exception
// that would end a long-running process (the dispatch worker) on a database restart, although the driver
// reconnects on the next query. Recognised here so the worker can log it and go on. (Vitest hands this check
// errors serialized from its workers: plain objects, so no instanceof.)
export const isDriverSocketRace = (err: unknown) => {
  if (!err || typeof err !== "object") return false;
  const { name, message, stack } = err as { name?: unknown; message?: unknown; stack?: unknown };
  return (
    name === "TypeError" &&
    typeof message === "string" &&
    /reading 'write'/.test(message) &&
    typeof stack === "string" &&
    /postgres[\\/]src[\\/]connection\.js/.test(stack)
  );
};
