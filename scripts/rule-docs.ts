import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules } from '../src/engine/registry.js';
import { renderRuleCatalog } from '../src/report/rule-catalog.js';

/**
 * Writes docs/rules.md from the rules' own metadata, so the docs page never drifts from the
 * code (Ruff's way). Run with `npm run docs`.
 */
const rules = await loadRules();
const target = join(process.cwd(), 'docs', 'rules.md');
writeFileSync(target, renderRuleCatalog(rules.map((r) => r.meta)));
process.stdout.write(`wrote ${target} (${rules.length} rules)\n`);
