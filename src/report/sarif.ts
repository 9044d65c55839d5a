import type { Finding, RuleMeta, Severity } from '../engine/types.js';
import { VERSION } from '../version.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, every rule with its help text, results with
 * locations relative to the scanned root, and `partialFingerprints` so code scanning tracks a
 * finding across commits the way the App does.
 */

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { P0: 'error', P1: 'error', P2: 'warning', P3: 'note' };
/** GitHub ranks security alerts by this property (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { P0: '9.5', P1: '7.5', P2: '5.0', P3: '2.0' };

export function renderSarif(findings: readonly Finding[], rules: readonly RuleMeta[]): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'shipgate',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: 'https://github.com/shipgate/shipgate',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id
                .split('-')
                .map((w) => w[0]!.toUpperCase() + w.slice(1))
                .join(''),
              shortDescription: { text: r.title },
              fullDescription: { text: r.docs.why },
              help: {
                text: `${r.docs.why}\n\nFix: ${r.docs.fix}\n\nInstead of:\n${r.docs.example.bad}\n\nWrite:\n${r.docs.example.good}`,
                markdown: `${r.docs.why}\n\n**Fix:** ${r.docs.fix}\n\nInstead of:\n\n\`\`\`\n${r.docs.example.bad}\n\`\`\`\n\nWrite:\n\n\`\`\`\n${r.docs.example.good}\n\`\`\``,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: [r.category.toLowerCase().replace(/\s+/g, '-'), ...(r.category === 'Security' || r.category === 'Tenant isolation' ? ['security'] : [])],
                precision: 'high',
                'problem.severity': LEVEL[r.severity] === 'note' ? 'recommendation' : LEVEL[r.severity],
                ...(r.category === 'Security' || r.category === 'Tenant isolation' ? { 'security-severity': SECURITY_SEVERITY[r.severity] } : {}),
              },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The scanned directory.' } } },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.path), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, endLine: f.endLine, startColumn: f.column },
              },
            },
          ],
          partialFingerprints: { 'shipgateFingerprint/v1': f.fingerprint },
          baselineState: f.preExisting ? 'unchanged' : 'new',
          properties: { severity: f.severity, category: f.category },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
