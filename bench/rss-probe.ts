import { writeFileSync } from 'node:fs';

/**
 * Preloaded with `node --import` into a process the benchmark does not control (the CLI): at
 * exit it writes the process's peak RSS (KB) and CPU time (ms, user + system) as JSON to the
 * file named by SHIPGATE_BENCH_RSS_FILE.
 */
const out = process.env.SHIPGATE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
