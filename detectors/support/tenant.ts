import { words } from './names.js';

/**
 * The vocabulary of tenancy: which names are tenant keys (`org_id`, `orgId`, `tenant_id`), which
 * are tenant relations (`org`, `organization` — Django ForeignKeys, Prisma relation fields), and
 * how a model is named across ORMs (`prisma.invoice` ↔ `model Invoice` ↔ table `invoices`).
 */

export interface TenantVocabulary {
  /** `org_id`, `orgId`, `ORG_ID` → "orgid". */
  readonly keys: ReadonlySet<string>;
  /** The keys without their id suffix: "org", "organization", "tenant", "firm". */
  readonly stems: ReadonlySet<string>;
  /** The configured keys, as written, for messages. */
  readonly written: readonly string[];
}

const squash = (name: string): string => name.replace(/[_\-\s]/g, '').toLowerCase();

const cache = new WeakMap<readonly string[], TenantVocabulary>();

export function tenantVocabulary(keys: readonly string[]): TenantVocabulary {
  let v = cache.get(keys);
  if (!v) {
    const squashed = new Set(keys.map(squash));
    const stems = new Set<string>();
    for (const k of keys) {
      const ws = words(k);
      if (ws.length > 1 && ['id', 'pk', 'uuid', 'key', 'slug'].includes(ws[ws.length - 1]!)) stems.add(ws.slice(0, -1).join(''));
      else if (ws.length === 1) stems.add(ws[0]!);
    }
    v = { keys: squashed, stems, written: keys };
    cache.set(keys, v);
  }
  return v;
}

/** The name is a tenant key or a tenant relation: `orgId`, `org_id`, `org`, `organizationId`, `tenant__id`. */
export function isTenantField(name: string, v: TenantVocabulary): boolean {
  const s = squash(name);
  if (v.keys.has(s) || v.stems.has(s)) return true;
  for (const stem of v.stems) {
    if (s === `${stem}id` || s === `${stem}pk` || s === `${stem}uuid` || s === `${stem}slug`) return true;
  }
  return false;
}

/**
 * A filter key that filters by tenant: the field itself, a Django lookup through it
 * (`org__slug`, `project__org`, `org_id__in`), or a Prisma compound unique (`id_orgId`).
 */
export function filtersByTenant(key: string, v: TenantVocabulary): boolean {
  if (isTenantField(key, v)) return true;
  if (key.includes('__') && key.split('__').some((seg) => isTenantField(seg, v))) return true;
  // Prisma compound uniques join camelCase field names with `_`; snake_case names are not split
  // (`bank_account_id` is not `account_id`).
  if (/[A-Z]/.test(key) && key.includes('_') && key.split('_').some((seg) => isTenantField(seg, v))) return true;
  return false;
}

/** A tenant key for messages, in the naming style of the code (camelCase for TS ORMs, snake_case for SQL and Python). */
export function writtenKey(v: TenantVocabulary, style: 'camel' | 'snake'): string {
  const pick = v.written.find((k) => (style === 'camel' ? /[A-Z]/.test(k) : /_/.test(k) || !/[A-Z]/.test(k)));
  return pick ?? v.written[0] ?? (style === 'camel' ? 'orgId' : 'org_id');
}

// ---------------------------------------------------------------------------------------------
// Model names

/** English plural → singular, for table names (`invoices`, `companies`, `addresses`, `statuses`). */
export function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(sses|xes|ches|shes|uses|zzes)$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * The key a model is known by in facts, whatever the ORM calls it: `Invoice`, `invoice`
 * (Prisma accessor), `invoices` (table), `"public"."invoice_items"` → "invoiceitem".
 */
export function modelKey(name: string): string {
  const last = name.replace(/["`[\]]/g, '').split('.').pop() ?? name;
  const ws = words(last);
  if (ws.length === 0) return last.toLowerCase();
  ws[ws.length - 1] = singular(ws[ws.length - 1]!);
  return ws.join('');
}

/** `invoice` → `Invoice`, `invoiceItem` → `InvoiceItem`: how a Prisma accessor's model is declared. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Tenant-id-like names for values: `tenantId`, `org_slug`, `x-tenant-id`, `tenant`, `currentOrgId`. */
export function isTenantIdName(name: string, v: TenantVocabulary): boolean {
  const ws = words(name);
  if (ws.length === 0) return false;
  const last = ws[ws.length - 1]!;
  const stems = new Set([...v.stems, 'tenant', 'org', 'organization', 'organisation', 'workspace']);
  if (ws.length === 1) return stems.has(last) || v.keys.has(last);
  if (v.keys.has(ws.join(''))) return true;
  const idWords = new Set(['id', 'slug', 'key', 'schema', 'code', 'uuid', 'pk']);
  // `tenantId`, `currentOrgId`, `x-tenant-id`, `org_slug`; not `orgName`, `accountType`.
  if (idWords.has(last) && stems.has(ws[ws.length - 2]!)) return true;
  // `currentTenant`, `activeOrg`, `req_tenant`.
  return stems.has(last) && ['current', 'active', 'selected', 'req', 'request', 'session', 'user', 'the', 'my', 'resolved'].includes(ws[ws.length - 2]!);
}

// ---------------------------------------------------------------------------------------------
// Model definitions that carry a tenant column

export interface ScopedDefinition {
  /** Model or table name as written. */
  readonly name: string;
  /** The tenant field as written: `orgId`, `org_id`, `org`. */
  readonly field: string;
}

/** `model Invoice { … orgId String … @@map("invoices") }` in schema.prisma. */
export function scopedPrismaModels(source: string, v: TenantVocabulary): ScopedDefinition[] {
  const out: ScopedDefinition[] = [];
  const model = /^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm;
  for (let m = model.exec(source); m; m = model.exec(source)) {
    const body = m[2]!;
    const fields = [...body.matchAll(/^\s*(\w+)\s+\w+/gm)].map((f) => f[1]!);
    const field = fields.find((f) => isTenantField(f, v));
    if (!field) continue;
    out.push({ name: m[1]!, field });
    const mapped = /@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(body);
    if (mapped) out.push({ name: mapped[1]!, field });
  }
  return out;
}

/** `CREATE TABLE invoices (… org_id uuid …)` and `ALTER TABLE invoices ADD COLUMN org_id`, in .sql files or SQL strings. */
export function scopedSqlTables(source: string, v: TenantVocabulary): ScopedDefinition[] {
  const out: ScopedDefinition[] = [];
  const create = /create\s+table\s+(?:if\s+not\s+exists\s+)?([\w."`[\]]+)\s*\(([\s\S]*?)\)\s*(?:;|$|\n\s*\n)/gi;
  for (let m = create.exec(source); m; m = create.exec(source)) {
    const columns = m[2]!.split(/,\s*(?![^()]*\))/).map((c) => /^\s*["`[]?(\w+)/.exec(c)?.[1]).filter((c): c is string => !!c);
    const field = columns.find((c) => isTenantField(c, v));
    if (field) out.push({ name: m[1]!, field });
  }
  const alter = /alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?([\w."`[\]]+)\s+add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?["`]?(\w+)/gi;
  for (let m = alter.exec(source); m; m = alter.exec(source)) {
    if (isTenantField(m[2]!, v)) out.push({ name: m[1]!, field: m[2]! });
  }
  return out;
}

/**
 * Tables created in code: knex `createTable('invoices', t => { t.uuid('org_id') })`, alembic
 * `op.create_table("invoices", sa.Column("org_id", …))`, Drizzle `pgTable('invoices', { orgId: … })`.
 */
export function scopedTablesInCode(source: string, v: TenantVocabulary): ScopedDefinition[] {
  const out: ScopedDefinition[] = [];
  const starts = /\b(createTable|create_table|pgTable|mysqlTable|sqliteTable|define)\(\s*['"](\w+)['"]/g;
  const hits = [...source.matchAll(starts)];
  hits.forEach((hit, i) => {
    const end = i + 1 < hits.length ? hits[i + 1]!.index! : Math.min(source.length, hit.index! + 6000);
    const body = source.slice(hit.index! + hit[0].length, end);
    const names = [...body.matchAll(/(?:\(\s*['"](\w+)['"])|(?:^|[{,\s])(\w+)\s*:/gm)].map((n) => n[1] ?? n[2]!);
    const field = names.find((n) => isTenantField(n, v));
    if (field) out.push({ name: hit[2]!, field });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Where the code runs

/** Schema migrations: they move every tenant's rows on purpose. */
const MIGRATION_PATH = /(^|\/)(migrations?|alembic\/versions|versions|migrate|db\/migrate|prisma\/migrations|seeds?|seeders?|fixtures)\/|(^|\/)(seed|seeds)\.(ts|js|mjs|cjs|py)$/;
/** Django's admin and management package (commands, post-migrate hooks) are staff-only and cross-tenant by design. */
const STAFF_PATH = /(^|\/)admin\.py$|(^|\/)management(\/|\.py$)/;
/** Code that runs outside a request: jobs, workers, cron, scripts, CLIs. */
const BATCH_PATH = /(^|\/)(jobs?|workers?|cron|crons|schedulers?|tasks|scripts|bin|cli|commands|consumers?|queues?)(\/|\.(ts|js|mjs|cjs|py)$)|(^|\/)[\w-]*(job|worker|cron|task|consumer|processor)s?\.(ts|js|mjs|cjs|py)$/i;

export function isMigrationPath(path: string): boolean {
  return MIGRATION_PATH.test(path);
}

export function isStaffPath(path: string): boolean {
  return STAFF_PATH.test(path);
}

export function isBatchPath(path: string): boolean {
  return BATCH_PATH.test(path);
}
