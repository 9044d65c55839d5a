import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_PATH, parseConfig, toAuditSettings, type FailOn } from '../config/config.js';
import { loadEngine } from '../engine/audit.js';
import { renderJson } from '../report/json.js';
import { renderCheckSummary } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { buildReport, meetsThreshold } from '../report/scorecard.js';
import { renderText } from '../report/text.js';
import { VERSION } from '../version.js';
import { collectAll, collectChanged, UsageError } from './collect.js';

const USAGE = `Usage: shipgate scan [DIR] [--base REF] [--format text|json|sarif|markdown] [--fail-on P0|P1|P2|P3|none] [--config FILE]

Audits DIR (default: the current directory). Without --base every file is audited; with
--base only the lines changed between REF and the working tree, and findings that already
exist at REF are reported as pre-existing and do not count.

Exit codes: 0 the verdict passes, 1 a finding at or above the fail-on threshold, 2 usage error.`;

const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['P0', 'P1', 'P2', 'P3', 'none'] as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

/** Runs the CLI; returns the exit code (the caller sets it, so tests can call this in-process). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        base: { type: 'string' },
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    io.stderr(`shipgate: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [command, dirArg, ...extra] = positionals;
  if (command !== 'scan' || extra.length > 0) {
    io.stderr(`shipgate: ${command ? `unknown command or extra arguments: ${positionals.join(' ')}` : 'missing command'}\n\n${USAGE}\n`);
    return 2;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    io.stderr(`shipgate: --format must be one of ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const failOnArg = values['fail-on'];
  if (failOnArg !== undefined && !FAIL_ON.includes(failOnArg as FailOn)) {
    io.stderr(`shipgate: --fail-on must be one of ${FAIL_ON.join(', ')}\n`);
    return 2;
  }
  const dir = resolve(dirArg ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.stderr(`shipgate: ${dir} is not a directory\n`);
    return 2;
  }

  const configPath = values.config ? resolve(values.config) : join(dir, CONFIG_PATH);
  if (values.config && !existsSync(configPath)) {
    io.stderr(`shipgate: --config ${values.config}: no such file\n`);
    return 2;
  }
  const engine = await loadEngine();
  const configText = existsSync(configPath) ? readFileSync(configPath, 'utf8') : undefined;
  const { config, errors } = parseConfig(configText, new Set(engine.rules.map((r) => r.meta.id)));
  for (const e of errors) io.stderr(`shipgate: config: ${e}\n`);
  const failOn = (failOnArg as FailOn | undefined) ?? config.failOn;

  let collected;
  try {
    collected = values.base ? collectChanged(dir, values.base) : collectAll(dir);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`shipgate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const result = await engine.auditAsync(collected.files, toAuditSettings(config));
  const skipped = [...collected.skipped, ...result.skipped];
  const report = buildReport(result.findings, failOn);
  for (const e of result.errors) io.stderr(`shipgate: ${e}\n`);

  switch (format) {
    case 'json':
      io.stdout(renderJson(report, result.findings, skipped) + '\n');
      break;
    case 'sarif':
      io.stdout(renderSarif(result.findings, engine.rules.map((r) => r.meta)) + '\n');
      break;
    case 'markdown':
      io.stdout(renderCheckSummary(report, { skipped, configErrors: errors, notes: result.errors, auditedFiles: result.auditedFiles }) + '\n');
      break;
    default:
      io.stdout(renderText(report, result.findings, skipped, io.isTty));
  }
  return report.newFindings.some((f) => meetsThreshold(f.severity, failOn)) ? 1 : 0;
}
