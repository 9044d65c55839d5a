import { writeFileSync } from 'node:fs';

/**
 * Preloaded with `node --import` into a process the benchmark does not control (the CLI): at
 * exit it writes the process's peak RSS (KB) to the file named by SHIPGATE_BENCH_RSS_FILE.
 */
const out = process.env.SHIPGATE_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
