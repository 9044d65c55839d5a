import { parseArgs } from 'node:util';
import { collectAll } from '../src/cli/collect.js';
import { DEFAULT_SETTINGS, Engine, type SourceFile } from '../src/engine/audit.js';
import { languageForPath, ruleLanguageOf } from '../src/engine/languages.js';
import { compilePrefilter, wordFamilyOf } from '../src/engine/prefilter.js';
import { loadRules } from '../src/engine/registry.js';
import type { Finding } from '../src/engine/types.js';

/**
 * Checks rules' `requires` words on real code: audits each DIR with and without the per-file
 * gate and lists every finding that differs (there must be none), then how often each rule is
 * let in (the lower, the more work the gate saves).
 *
 *   npm run build && node dist/scripts/prefilter-check.js [--rules id,id] DIR…
 *
 * Each DIR is audited as one change, as `shipgate scan DIR` does, so facts recorded in one file
 * (tenant evidence, retention jobs) reach the others as they would on a PR.
 */

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rules: { type: 'string', default: '' } } });
const only = new Set(values.rules.split(',').filter(Boolean));
const rules = (await loadRules()).filter((r) => only.size === 0 || only.has(r.meta.id));
const gated = new Engine(rules);
const ungated = new Engine(rules, [], { prefilter: false });
const prefilter = compilePrefilter(rules, DEFAULT_SETTINGS.ruleOptions);
const key = (f: Finding): string => `${f.ruleId} ${f.path}:${f.line}:${f.column} ${f.severity} ${f.message}`;

const admitted = new Map<string, { files: number; admitted: number }>();
let differences = 0;
for (const dir of positionals) {
  const { files } = collectAll(dir);
  const started = process.hrtime.bigint();
  const withGate = await gated.auditAsync(files);
  const gateMs = Number(process.hrtime.bigint() - started) / 1e6;
  const again = process.hrtime.bigint();
  const withoutGate = await ungated.auditAsync(files);
  const plainMs = Number(process.hrtime.bigint() - again) / 1e6;
  const a = new Set(withGate.findings.map(key));
  const b = new Set(withoutGate.findings.map(key));
  const lost = [...b].filter((k) => !a.has(k));
  const gained = [...a].filter((k) => !b.has(k));
  differences += lost.length + gained.length;
  console.log(`${dir}: ${files.length} files, ${b.size} findings without the gate; lost ${lost.length}, gained ${gained.length}; ${plainMs.toFixed(0)} ms → ${gateMs.toFixed(0)} ms`);
  for (const k of lost) console.log(`  LOST   ${k}`);
  for (const k of gained) console.log(`  GAINED ${k}`);
  for (const e of [...withGate.errors, ...withoutGate.errors]) console.log(`  error: ${e}`);
  countAdmissions(files);
}

function countAdmissions(files: readonly SourceFile[]): void {
  for (const file of files) {
    const language = languageForPath(file.path);
    if (!language) continue;
    const admits = prefilter.admits(file.content);
    const family = ruleLanguageOf(language);
    const words = wordFamilyOf(family);
    rules.forEach((rule, index) => {
      if (!rule.meta.languages.includes(family)) return;
      const row = admitted.get(rule.meta.id) ?? { files: 0, admitted: 0 };
      row.files++;
      if (rule.requiresUnlessPath?.test(file.path) || admits(index, words)) row.admitted++;
      admitted.set(rule.meta.id, row);
    });
  }
}

console.log('\nrule                          gate  files let in / files it reads');
for (const rule of rules) {
  const row = admitted.get(rule.meta.id);
  if (!row) continue;
  const share = ((100 * row.admitted) / Math.max(1, row.files)).toFixed(0).padStart(3);
  console.log(`${rule.meta.id.padEnd(30)}${rule.requires ? 'yes ' : ' -  '}  ${share}%  ${row.admitted} / ${row.files}`);
}
if (differences > 0) {
  console.log(`\n${differences} finding(s) differ: a rule's requires words miss something it reports.`);
  process.exitCode = 1;
}
