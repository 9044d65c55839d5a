import { cpus } from 'node:os';
import { GROUP_LABEL, GROUPS, type Group, type Manifest } from './corpus.js';
import type { EndToEnd } from './e2e.js';
import type { Measurement } from './measure.js';
import { median, quantile } from './stats.js';

/** The printed result of a run: tables of times and ratios, then the targets, met or missed. */

export interface Results {
  readonly manifest: Manifest;
  readonly corpusKind: 'default' | 'dirs';
  readonly byGroup: Partial<Record<Group, Partial<Record<string, Measurement>>>>;
  readonly prs: Measurement[];
  e2e: EndToEnd | undefined;
  /** The same with Octokit's write pacing on, as in production. */
  e2eThrottled: EndToEnd | undefined;
  readonly notes: string[];
  readonly load: { start: number; end: number };
  readonly disabled: readonly string[];
}

const ms = (value: number): string =>
  !Number.isFinite(value) ? 'n/a' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`;
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const size = (bytes: number): string => `${(bytes / 1_000_000).toFixed(2)} MB`;

/** CPU time is what ratios are computed on: wall time on a shared machine measures the neighbours too. */
const t = (m: Measurement | undefined): number => (m ? median(m.cpu ?? m.runs) : Number.NaN);
const wall = (m: Measurement | undefined): number => (m ? median(m.runs) : Number.NaN);

const ROWS: readonly { readonly key: string; readonly label: (r: Results) => string }[] = [
  { key: 'parse', label: () => 'tree-sitter parse only — **the floor** (in-process)' },
  { key: 'query', label: () => 'parse + one 20-pattern query (in-process)' },
  { key: 'queries', label: (r) => `Shipgate engine, all ${ruleCount(r)} rules' queries, rule code switched off (in-process)` },
  { key: 'engine', label: (r) => `Shipgate engine, all ${ruleCount(r)} rules, whole files (in-process)` },
  { key: 'ungated', label: () => 'the same with the per-file rule gate switched off (in-process)' },
  { key: 'cli', label: () => '`shipgate scan DIR --format json` (whole process, incl. start-up)' },
  { key: 'eslint', label: (r) => `ESLint 9 + eslint-plugin-security (${r.byGroup.js?.eslint?.counts?.rules ?? r.byGroup.ts?.eslint?.counts?.rules ?? '?'} rules, in-process Linter)` },
  { key: 'bandit', label: () => 'bandit -r (whole process, all default plugins)' },
];

function ruleCount(r: Results): string {
  for (const g of GROUPS) {
    const n = r.byGroup[g]?.engine?.counts?.rules;
    if (n !== undefined) return String(n);
  }
  return '?';
}

function wholeFileTable(r: Results): string[] {
  const groups = GROUPS.filter((g) => r.byGroup[g]);
  const head = `| | ${groups.map((g) => `${GROUP_LABEL[g]}: ${r.manifest.groups[g].length} files, ${size(r.manifest.bytes[g])}`).join(' | ')} |`;
  const lines = [head, `|---|${groups.map(() => '---|').join('')}`];
  for (const row of ROWS) {
    if (!groups.some((g) => r.byGroup[g]?.[row.key])) continue;
    const cells = groups.map((g) => {
      const m = r.byGroup[g]?.[row.key];
      if (!m) return '—';
      if (m.failed) return m.failed;
      const floor = t(r.byGroup[g]?.parse);
      return `${ms(t(m))} (wall ${ms(wall(m))}) · **${ratio(t(m) / floor)}** · ${mb(m.maxRssKb)}`;
    });
    lines.push(`| ${row.label(r)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function prTable(r: Results): string[] {
  const lines = [
    '| PR | PRs timed | lines changed | engine CPU median | CPU p95 | wall median | wall p95 | findings / PR (pre-existing) | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of r.prs) {
    if (m.failed) {
      lines.push(`| ${m.label} | ${m.failed} | | | | | | | |`);
      continue;
    }
    const c = m.counts ?? {};
    lines.push(
      `| ${m.label} (${size(m.bytes)}) | ${c.prs} | ${c.changedPercent}% | ${ms(median(m.cpu ?? []))} | ${ms(quantile(m.cpu ?? [], 0.95))} | ${ms(median(m.runs))} | ${ms(quantile(m.runs, 0.95))} | ${round(c.findingsPerPr)} (${round(c.preExistingPerPr)}) | ${mb(m.maxRssKb)} |`,
    );
  }
  return lines;
}

const round = (n: number | undefined): string => (n === undefined ? '?' : String(Math.round(n * 10) / 10));

function e2eTable(e: EndToEnd): string[] {
  if (!e.available) return [`Not measured (write pacing ${e.throttle ? 'on' : 'off'}): ${e.reason}.`];
  const lines = [
    `Octokit write pacing ${e.throttle ? '**on** (as in production: 1 s between writes, 3 s between comment writes)' : '**off** (processing latency; GitHub answers instantly on loopback)'}; peak RSS of the process running App + queue + stand-in: ${mb(e.maxRssKb)}.`,
    '',
    '| PR | deliveries | wall median | wall p95 | wall max | CPU median (App + stand-in) | annotations / PR | inline comments / PR |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of e.sizes) {
    lines.push(
      `| ${s.files} file${s.files === 1 ? '' : 's'} | ${s.deliveries} | ${ms(median(s.runs))} | ${ms(quantile(s.runs, 0.95))} | ${ms(Math.max(...s.runs))} | ${ms(median(s.cpu))} | ${round(s.findings / s.deliveries)} | ${round(s.comments / s.deliveries)} |`,
    );
  }
  return lines;
}

interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function targets(r: Results): Target[] {
  const out: Target[] = [];
  const groups = GROUPS.filter((g) => r.byGroup[g]);
  const sumOf = (key: string): number => groups.reduce((n, g) => n + t(r.byGroup[g]?.[key]), 0);
  const whole = sumOf('engine') / sumOf('parse');
  const perGroup = groups.map((g) => `${GROUP_LABEL[g]} ${ratio(t(r.byGroup[g]?.engine) / t(r.byGroup[g]?.parse))}`).join(', ');
  const overhead = sumOf('queries') / sumOf('parse');
  out.push({
    name: 'all rules ≤ 1.5× the parse floor, whole files (CPU time)',
    measured: `${ratio(whole)} over all files (${perGroup}); the engine alone, rule code off: ${ratio(overhead)}`,
    met: whole <= 1.5,
  });

  const linted = (['ts', 'js'] as const).filter((g) => r.byGroup[g]?.eslint && !r.byGroup[g]?.eslint?.failed);
  if (linted.length) {
    const eslint = linted.reduce((n, g) => n + t(r.byGroup[g]?.eslint), 0);
    const engine = linted.reduce((n, g) => n + t(r.byGroup[g]?.engine), 0);
    const speedup = eslint / engine;
    const wallSpeedup = linted.reduce((n, g) => n + wall(r.byGroup[g]?.eslint), 0) / linted.reduce((n, g) => n + wall(r.byGroup[g]?.engine), 0);
    out.push({
      name: `≥ 4× faster than ESLint-security on the same ${linted.map((g) => GROUP_LABEL[g]).join(' + ')} files (in-process both, CPU time)`,
      measured: `${ratio(speedup)} (ESLint ${ms(eslint)} vs Shipgate ${ms(engine)}); on wall time ${ratio(wallSpeedup)}`,
      met: speedup >= 4,
    });
  }
  const py = r.byGroup.py;
  if (py?.bandit) {
    const whole = t(py.bandit) / t(py.cli);
    const inProcess = t(py.bandit) / t(py.engine);
    out.push({
      name: '≥ 2.5× faster than bandit on the same Python files (whole process both, CPU time)',
      measured: `${ratio(whole)} (bandit ${ms(t(py.bandit))} vs scan ${ms(t(py.cli))}); on wall time ${ratio(wall(py.bandit) / wall(py.cli))}; bandit vs the engine in-process: ${ratio(inProcess)}`,
      met: whole >= 2.5,
    });
  }
  const pr20 = r.prs.find((m) => m.files === 20);
  const pr3000 = r.prs.find((m) => m.files === 3000);
  const pr3000NoGc = r.prs.find((m) => m.files === 3000 && m !== pr3000);
  if (pr20?.failed) out.push({ name: 'engine time for a 20-file PR < 100 ms (warm; CPU p95)', measured: pr20.failed, met: undefined });
  else if (pr20) {
    const p95 = quantile(pr20.cpu ?? pr20.runs, 0.95);
    out.push({
      name: 'engine time for a 20-file PR < 100 ms (warm; CPU p95)',
      measured: `CPU median ${ms(median(pr20.cpu ?? pr20.runs))}, p95 ${ms(p95)}; wall median ${ms(median(pr20.runs))}, p95 ${ms(quantile(pr20.runs, 0.95))}`,
      met: p95 < 100,
    });
  }
  if (pr3000?.failed) out.push({ name: 'peak RSS < 300 MB for a 3000-file PR', measured: pr3000.failed, met: undefined });
  else if (pr3000) {
    out.push({
      name: 'peak RSS < 300 MB for a 3000-file PR (auditAsync, process with --expose-gc)',
      measured: `${mb(pr3000.maxRssKb)}${pr3000NoGc && !pr3000NoGc.failed ? `; without --expose-gc ${mb(pr3000NoGc.maxRssKb)}` : ''}`,
      met: pr3000.maxRssKb < 300 * 1024,
    });
  }
  const e20 = r.e2e?.sizes.find((s) => s.files === 20);
  out.push({
    name: 'end-to-end p95 for a 20-file PR < 1 s (loopback, write pacing off; wall time)',
    measured: e20 ? `p95 ${ms(quantile(e20.runs, 0.95))}` : `not measured${r.e2e?.reason ? `: ${r.e2e.reason}` : ''}`,
    met: e20 ? quantile(e20.runs, 0.95) < 1000 : undefined,
  });
  return out;
}

function setupCosts(r: Results): string[] {
  const lines: string[] = [];
  for (const g of GROUPS) {
    const m = r.byGroup[g];
    if (!m) continue;
    const parts = [m.engine, m.query, m.eslint]
      .filter((x): x is Measurement => Boolean(x?.setup))
      .flatMap((x) => Object.entries(x.setup!).map(([k, v]) => `${x.mode} ${k} ${ms(v)}`));
    if (parts.length) lines.push(`- ${GROUP_LABEL[g]}: ${parts.join('; ')}`);
  }
  return lines;
}

export function report(r: Results): string {
  const out: string[] = [];
  const cpu = cpus();
  out.push(`# Shipgate benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}`);
  out.push('');
  out.push(
    `Load average (1 min) at start ${r.load.start.toFixed(1)}, at end ${r.load.end.toFixed(1)}, on ${cpu.length} CPUs (a load above ${cpu.length} means other processes competed for the CPUs: wall times are then inflated, CPU times much less).`,
  );
  out.push('');
  if (r.disabled.length) {
    out.push(`**Rules left out of this run (--disable): ${r.disabled.join(', ')}.** Every Shipgate number below is without them.`);
    out.push('');
  }
  out.push(r.corpusKind === 'default' ? 'Corpus (default: code nobody here wrote, already on this machine):' : 'Corpus (the directories given):');
  for (const g of GROUPS) {
    out.push(`- ${GROUP_LABEL[g]}: ${r.manifest.groups[g].length} files, ${size(r.manifest.bytes[g])} — ${r.manifest.origin[g]}`);
  }
  out.push('');
  out.push('## Whole files');
  out.push('');
  out.push('Each cell: median CPU time of the timed passes (wall time) · **ratio to the parse floor of the same files, CPU time** · peak RSS of the measuring process.');
  out.push('');
  out.push(...wholeFileTable(r));
  out.push('');
  out.push('One-off start-up costs (not in the times above, paid once per process):');
  out.push(...setupCosts(r));
  out.push('');
  out.push('## PR mode: engine time per PR in a warm process');
  out.push('');
  out.push('Every file modified, ~10% of its lines in 1–3 changed spans, base = the file without them; files drawn with replacement from the whole corpus (seeded). `auditAsync`, in a process started with `--expose-gc` unless the row says otherwise.');
  out.push('');
  out.push(...prTable(r));
  out.push('');
  out.push('## End to end: signed webhook delivered → check run completed (real App + queue, local GitHub stand-in)');
  out.push('');
  out.push(...(r.e2e ? e2eTable(r.e2e) : ['Not measured (--skip-e2e).']));
  if (r.e2eThrottled) {
    out.push('');
    out.push(...e2eTable(r.e2eThrottled));
  }
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| target | measured | status |', '|---|---|---|');
  for (const target of targets(r)) {
    const status = target.met === undefined || /n\/a|NaN/.test(target.measured) ? 'not measured' : target.met ? 'met' : '**MISSED**';
    out.push(`| ${target.name} | ${target.measured} | ${status} |`);
  }
  const ruleNotes = [
    ...GROUPS.flatMap((g) => (r.byGroup[g]?.engine?.notes ?? []).map((n) => `- ${GROUP_LABEL[g]}, whole files: ${n}`)),
    ...r.prs.flatMap((m) => (m.notes ?? []).map((n) => `- PRs of ${m.label}: ${n}`)),
  ];
  const otherNotes = [
    ...GROUPS.flatMap((g) => Object.values(r.byGroup[g] ?? {}).flatMap((m) => (m?.mode === 'engine' ? [] : (m?.notes ?? []).map((n) => `- ${m?.mode}: ${n}`)))),
    ...GROUPS.flatMap((g) => {
      const c = r.byGroup[g]?.engine?.counts;
      return c ? [`- ${GROUP_LABEL[g]} engine: ${c.findings} findings on ${c.auditedFiles} files, ${c.ruleErrors} rule errors`] : [];
    }),
    ...GROUPS.flatMap((g) => {
      const gated = r.byGroup[g]?.engine?.counts;
      const ungated = r.byGroup[g]?.ungated?.counts;
      if (!gated || !ungated) return [];
      return gated.findingsDigest === ungated.findingsDigest
        ? [`- ${GROUP_LABEL[g]}: the per-file rule gate changed no finding (${gated.findings} with it and without)`]
        : [`- ${GROUP_LABEL[g]}: **the per-file rule gate changed the findings** (${gated.findings} with it, ${ungated.findings} without): a rule's \`requires\` words miss a case`];
    }),
    ...GROUPS.flatMap((g) => {
      const m = r.byGroup[g];
      const parts: string[] = [];
      if (m?.cli?.counts) parts.push(`scan ${m.cli.counts.findings} findings`);
      if (m?.eslint?.counts && !m.eslint.failed) parts.push(`ESLint ${m.eslint.counts.warnings} warnings, ${m.eslint.counts.parseErrors} parse errors`);
      if (m?.bandit?.counts) parts.push(`bandit ${m.bandit.counts.findings} issues, ${m.bandit.counts.errors} errors`);
      return parts.length ? [`- ${GROUP_LABEL[g]}: ${parts.join('; ')}`] : [];
    }),
    ...r.prs.flatMap((m) =>
      m.counts?.recompilesBetweenPrs
        ? [`- PRs of ${m.label}: between PRs, as the App does between jobs, ${m.counts.recompilesBetweenPrs} recompile(s) of shared queries chosen by the rule survey took ${ms(m.counts.recompileMs ?? 0)} in all (not in the PR times)`]
        : [],
    ),
    ...[r.e2e, r.e2eThrottled].flatMap((e) => (e?.notes ?? []).map((n) => `- e2e (write pacing ${e?.throttle ? 'on' : 'off'}): ${n}`)),
    ...r.notes.map((n) => `- ${n}`),
  ];
  if (ruleNotes.length) {
    out.push('');
    out.push("## Where rules spend their own time (an extra pass with every rule callback timed; parsing and query matching are shared and not attributed; the top 8 per pass)");
    out.push('');
    out.push(...ruleNotes);
  }
  out.push('');
  out.push('## Notes');
  out.push('');
  out.push(...otherNotes);
  out.push('');
  return out.join('\n');
}
