import { findSuppressions } from '../../src/engine/suppressions.js';
import type { Rule } from '../../src/engine/types.js';

/**
 * A `shipgate-ignore` without a reason: the finding stays silenced (the author meant it), but the
 * next reader cannot tell a considered exception from a way to get the PR green.
 */
const rule: Rule = {
  meta: {
    id: 'suppression-missing-reason',
    title: 'Suppression without a reason',
    severity: 'P3',
    category: 'Code health',
    languages: ['ts', 'py', 'dockerfile', 'env', 'yaml', 'json', 'toml', 'prisma', 'sql'],
    docs: {
      why: 'A silenced finding with no reason is indistinguishable from one silenced to get the PR merged; reviewers and later readers cannot check the reasoning.',
      fix: 'Say why the rule does not apply here after a colon: `// shipgate-ignore RULE_ID: reason`.',
      example: {
        bad: '// shipgate-ignore http-no-timeout\nconst res = await fetch(url);',
        good: '// shipgate-ignore http-no-timeout: the health probe aborts via its own 2 s signal\nconst res = await fetch(url, probeOptions);',
      },
    },
  },
  requires: ['shipgate-ignore'],
  checkFile(ctx) {
    for (const s of findSuppressions(ctx.file.source)) {
      if (s.reason) continue;
      const ids = s.ruleIds.join(', ');
      ctx.report({
        lines: { start: s.line, end: s.line },
        column: ctx.file.line(s.line).indexOf('shipgate-ignore') + 1,
        key: `shipgate-ignore ${ids}`,
        message: `\`shipgate-ignore ${ids}\` gives no reason; add one after a colon so reviewers can check it.`,
      });
    }
  },
};

export default rule;
