import { SEVERITIES, type Finding, type RuleMeta, type Severity, type SkippedFile } from '../engine/types.js';
import type { RuleCatalog } from './rule-docs.js';
import type { Report } from './scorecard.js';

/** GitHub refuses check-run summaries over 65,535 characters; keep a margin for the footer. */
export const SUMMARY_LIMIT = 65_000;

export const BADGE: Record<Severity, string> = { P0: '🔴 P0', P1: '🟠 P1', P2: '🟡 P2', P3: '⚪ P3' };
const VERDICT_ICON = { GO: '✅', 'CONDITIONAL GO': '⚠️', 'NO-GO': '⛔' } as const;

export interface CheckOutputExtras {
  readonly skipped?: readonly SkippedFile[];
  readonly configErrors?: readonly string[];
  /** Anything else the reader should know: rule errors, truncated file lists, limits hit. */
  readonly notes?: readonly string[];
  readonly auditedFiles?: number;
}

export function checkTitle(report: Report): string {
  const parts = SEVERITIES.filter((s) => report.counts[s] > 0).map((s) => `${report.counts[s]} ${s}`);
  return `${report.verdict}${parts.length ? `: ${parts.join(', ')}` : ': no new findings'}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function findingLine(f: Finding): string {
  return `- ${BADGE[f.severity]} \`${f.ruleId}\` [${f.path}:${f.line}] ${escapeCell(f.message)}`;
}

/**
 * The check run's summary: verdict, severity table, scorecard, then the details, cut to fit
 * GitHub's limit with the most important sections first.
 */
export function renderCheckSummary(report: Report, extras: CheckOutputExtras = {}): string {
  const head: string[] = [];
  head.push(`## ${VERDICT_ICON[report.verdict]} ${report.verdict}`);
  head.push('');
  const gate = report.failOn === 'none' ? 'this repository does not gate merges on findings' : `merges are blocked by new findings at ${report.failOn} or above`;
  const total = report.newFindings.length;
  head.push(
    `${total === 0 ? 'No new findings' : `${total} new finding${total === 1 ? '' : 's'}`} on the lines this pull request changes` +
      `${extras.auditedFiles !== undefined ? ` (${extras.auditedFiles} file${extras.auditedFiles === 1 ? '' : 's'} audited)` : ''}; ${gate}.`,
  );
  head.push('');
  head.push('| Severity | New | Pre-existing |', '|---|---:|---:|');
  for (const s of SEVERITIES) {
    head.push(`| ${BADGE[s]} | ${report.counts[s]} | ${report.preExisting.filter((f) => f.severity === s).length} |`);
  }
  head.push('', '### Scorecard', '', '| Category | Grade | Score | P0 | P1 | P2 | P3 |', '|---|:---:|---:|---:|---:|---:|---:|');
  for (const c of report.scorecard) {
    head.push(`| ${c.category} | ${c.grade} | ${c.score} | ${c.counts.P0} | ${c.counts.P1} | ${c.counts.P2} | ${c.counts.P3} |`);
  }
  if (extras.configErrors?.length) {
    head.push('', '### ⚠️ Configuration problems', '', 'The audit ran with defaults for these settings:', '');
    for (const e of extras.configErrors) head.push(`- ${escapeCell(e)}`);
  }

  const sections: { title: string; lines: string[] }[] = [
    { title: '### New findings', lines: report.newFindings.map(findingLine) },
    {
      title: '### Pre-existing findings (on the base branch too; not counted)',
      lines: report.preExisting.map(findingLine),
    },
    { title: '### Files not audited', lines: (extras.skipped ?? []).map((s) => `- \`${s.path}\`: ${escapeCell(s.reason)}`) },
    { title: '### Notes', lines: (extras.notes ?? []).map((n) => `- ${escapeCell(n)}`) },
  ];

  let out = head.join('\n');
  for (const section of sections) {
    if (section.lines.length === 0) continue;
    const block = ['', '', section.title, ''];
    let body = '';
    let shown = 0;
    for (const line of section.lines) {
      // Leave room for the "… more" line and later section headings.
      if (out.length + block.join('\n').length + body.length + line.length + 400 > SUMMARY_LIMIT) break;
      body += `${line}\n`;
      shown++;
    }
    const rest = section.lines.length - shown;
    if (shown === 0 && out.length + 200 > SUMMARY_LIMIT) break;
    out += block.join('\n') + body + (rest > 0 ? `- … and ${rest} more (see the annotations)\n` : '');
  }
  return out.length > SUMMARY_LIMIT ? `${out.slice(0, SUMMARY_LIMIT - 40)}\n\n… (summary truncated)` : out;
}

export const FINGERPRINT_MARKER = /<!-- shipgate:fingerprint=([0-9a-f]{8,64}) -->/g;

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- shipgate:fingerprint=${fingerprint} -->`;
}

export function parseFingerprintMarkers(body: string): string[] {
  return [...body.matchAll(FINGERPRINT_MARKER)].map((m) => m[1]!);
}

function fence(code: string, lang = ''): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${code}\n${ticks}`;
}

function ruleHeader(meta: RuleMeta | undefined, finding: Finding): string {
  return `**${BADGE[finding.severity]} · ${meta?.title ?? finding.title}** (\`${finding.ruleId}\`)`;
}

function docsBlock(meta: RuleMeta | undefined): string[] {
  if (!meta) return [];
  return [
    `**Why it fails in production:** ${meta.docs.why}`,
    '',
    `**Fix:** ${meta.docs.fix}`,
  ];
}

function suppressionHint(ruleId: string, path: string): string {
  const comment = /\.(py|ya?ml|toml|env)$|(^|\/)(Dockerfile[^/]*|\.env[^/]*)$/i.test(path) ? '#' : '//';
  return `<sub>Intended? Add \`${comment} shipgate-ignore ${ruleId}: <reason>\` on the line above.</sub>`;
}

/** One inline review comment for one finding. */
export function commentBody(finding: Finding, catalog: RuleCatalog): string {
  const meta = catalog.get(finding.ruleId);
  const lines = [ruleHeader(meta, finding), '', finding.message, '', ...docsBlock(meta)];
  if (finding.suggestion) {
    lines.push('', fence(finding.suggestion.replacement, 'suggestion'));
  } else if (meta) {
    lines.push('', '<details><summary>Example</summary>', '', 'Instead of', '', fence(meta.docs.example.bad), '', 'write', '', fence(meta.docs.example.good), '', '</details>');
  }
  lines.push('', suppressionHint(finding.ruleId, finding.path), fingerprintMarker(finding.fingerprint));
  return lines.join('\n');
}

/** One comment for a rule that fires many times in a PR: the places listed, not N comments. */
export function groupedCommentBody(findings: readonly Finding[], catalog: RuleCatalog): string {
  const first = findings[0]!;
  const meta = catalog.get(first.ruleId);
  const lines = [
    ruleHeader(meta, first),
    '',
    `This rule fires ${findings.length} times in this pull request:`,
    '',
    ...findings.map((f) => `- \`${f.path}:${f.line}\`: ${escapeCell(f.message)}`),
    '',
    ...docsBlock(meta),
    '',
    suppressionHint(first.ruleId, first.path),
    ...findings.map((f) => fingerprintMarker(f.fingerprint)),
  ];
  return lines.join('\n');
}
