// A fixed CPU-bound loop, timed: how fast this machine runs right now. On shared virtual machines the same
// hardware runs 30–50 % slower at times (neighbours on the host); benchmarks print this beside their figures so
// two runs can be compared. Reference machine, quiet: ~390 ms.
export const cpuReferenceMs = () => {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    let x = 0;
    for (let i = 0; i < 300_000_000; i++) x += i % 7;
    runs.push(performance.now() - t);
    if (x < 0) console.log(x); // keeps the loop from being optimised away
  }
  return Math.round(runs.sort((a, b) => a - b)[1]!);
};
