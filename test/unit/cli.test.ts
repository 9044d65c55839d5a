import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTty: false });
  return { code, out, err };
}

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-cli-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'ignore' });
}

describe('shipgate scan', () => {
  it('prints the JSON document with verdict, counts, scorecard, findings and skipped files', async () => {
    const dir = repo({ 'src/login.ts': 'export function login(password: string) {\n  console.log(password);\n}\n', 'src/logo.ts': 'x\0y' });
    const { code, out } = await run(['scan', dir, '--format', 'json']);
    expect(code).toBe(1);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['tool', 'verdict', 'counts', 'scorecard', 'findings', 'skipped']);
    expect(doc.tool.name).toBe('shipgate');
    expect(doc.verdict).toBe('NO-GO');
    expect(doc.counts).toEqual({ P0: 1, P1: 0, P2: 0, P3: 0 });
    expect(doc.scorecard[0]).toEqual({ category: 'Security', score: 60, grade: 'D', counts: { P0: 1, P1: 0, P2: 0, P3: 0 } });
    expect(doc.findings).toEqual([
      expect.objectContaining({ ruleId: 'secret-in-log', severity: 'P0', category: 'Security', path: 'src/login.ts', line: 2, endLine: 2, column: 15, preExisting: false }),
    ]);
    expect(doc.skipped).toEqual([{ path: 'src/logo.ts', reason: 'binary file' }]);
  });

  it('exits 0 below the threshold and honours --fail-on none', async () => {
    const dir = repo({ 'a.ts': 'console.log(token)\n' });
    expect((await run(['scan', dir, '--fail-on', 'none'])).code).toBe(0);
    expect((await run(['scan', repo({ 'a.ts': 'const a = 1\n' })])).code).toBe(0);
  });

  it('audits only lines changed since --base and marks old findings pre-existing', async () => {
    const dir = repo({ 'src/a.ts': 'console.log(password);\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(join(dir, 'src/a.ts'), 'const first = 1;\nconsole.log(password);\nconsole.log(apiKey);\n');
    writeFileSync(join(dir, 'src/new.py'), 'print(token)\n');
    const { code, out } = await run(['scan', dir, '--base', 'HEAD', '--format', 'json']);
    const doc = JSON.parse(out);
    expect(doc.findings.map((f: { path: string; line: number; preExisting: boolean }) => [f.path, f.line, f.preExisting])).toEqual([
      ['src/a.ts', 3, false],
      ['src/new.py', 1, false],
    ]);
    expect(code).toBe(1);
  });

  it('reads unchanged model files as evidence for the changed ones (--base)', async () => {
    const dir = repo({
      'prisma/schema.prisma': 'model Invoice {\n  id    String @id\n  orgId String\n  total Int\n}\n',
      'src/routes/invoices.ts': "import { Router } from 'express';\nimport { prisma } from '../db';\n\nexport const invoices = Router();\n",
    });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(
      join(dir, 'src/routes/invoices.ts'),
      "import { Router } from 'express';\nimport { prisma } from '../db';\n\nexport const invoices = Router();\n\ninvoices.get('/invoices/:id', async (req, res) => {\n  const orgId = req.user.orgId;\n  res.json(await prisma.invoice.findFirst({ where: { id: req.params.id } }));\n});\n",
    );
    const doc = JSON.parse((await run(['scan', dir, '--base', 'HEAD', '--format', 'json'])).out);
    const tenant = doc.findings.filter((f: { ruleId: string }) => f.ruleId === 'tenant-filter-missing');
    expect(tenant.map((f: { path: string; line: number }) => [f.path, f.line])).toEqual([['src/routes/invoices.ts', 8]]);
    // The schema was read, not audited: it has no findings and is not counted or listed.
    expect(doc.findings.some((f: { path: string }) => f.path === 'prisma/schema.prisma')).toBe(false);
    expect(doc.skipped).toEqual([]);
  });

  it('writes SARIF 2.1.0 with rules, locations and partial fingerprints', async () => {
    const { out } = await run(['scan', repo({ 'a.ts': 'console.log(token)\n' }), '--format', 'sarif']);
    const sarif = JSON.parse(out);
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.rules.find((r: { id: string }) => r.id === 'secret-in-log').help.text).toMatch(/Fix:/);
    expect(run0.results[0]).toMatchObject({
      ruleId: 'secret-in-log',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'a.ts' }, region: { startLine: 1 } } }],
    });
    expect(run0.results[0].partialFingerprints['shipgateFingerprint/v1']).toMatch(/^[0-9a-f]{20}$/);
  });

  it('prints text grouped by file and markdown with the scorecard', async () => {
    const dir = repo({ 'a.ts': 'console.log(token)\n' });
    const text = await run(['scan', dir]);
    expect(text.out).toMatch(/^a\.ts\n {2}1:13 +P0 /);
    expect(text.out).toMatch(/NO-GO {2}P0 1/);
    const md = await run(['scan', dir, '--format', 'markdown']);
    expect(md.out).toMatch(/## ⛔ NO-GO/);
    expect(md.out).toMatch(/\| Security \| D \| 60 \|/);
  });

  it('reads the repository config and reports config errors without stopping', async () => {
    const dir = repo({ 'a.ts': 'console.log(token)\n', '.github/shipgate.yml': 'rules:\n  secret-in-log: P2\nfailOn: P7\n' });
    const { code, out, err } = await run(['scan', dir, '--format', 'json']);
    expect(err).toMatch(/config: `failOn`/);
    expect(JSON.parse(out).counts).toEqual({ P0: 0, P1: 0, P2: 1, P3: 0 });
    expect(code).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['scan', '--format', 'xml'])).code).toBe(2);
    expect((await run(['scan', '--fail-on', 'P5'])).code).toBe(2);
    expect((await run(['lint'])).code).toBe(2);
    expect((await run(['scan', '/no/such/dir'])).code).toBe(2);
    expect((await run(['scan', repo({}), '--base', 'HEAD'])).code).toBe(2);
    expect((await run(['scan', '--bogus'])).code).toBe(2);
  });
});
