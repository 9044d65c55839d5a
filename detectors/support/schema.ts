import { words } from './names.js';

/**
 * Table and model definitions, and the names they go by. One table has several names in one
 * codebase: the model `WebhookDelivery`, the table `webhook_deliveries`, the Prisma delegate
 * `prisma.webhookDelivery`, the Drizzle binding `webhookDeliveries`. `tableKey` maps all of them
 * to one key (`webhookdelivery`) so that evidence found under one name applies to the others.
 */

/** A table or model defined in a schema file, a migration or a model class. */
export interface TableDefinition {
  /** The name as written (model or table name). */
  readonly name: string;
  /** Every key it is known by (`tableKey` of the model name, the mapped table name, …). */
  readonly keys: readonly string[];
  /** It has a date/time column. */
  readonly hasTimestamp: boolean;
  /** It has an expiry column (`expires_at`, `ttl`, …): rows say when they may go. */
  readonly hasExpiry: boolean;
  /** It is partitioned (old partitions are dropped rather than rows deleted). */
  readonly partitioned: boolean;
  /** 1-based line of the definition's header (`model X {`, `CREATE TABLE x (`). */
  readonly line: number;
}

function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/(ss|us|is)$/.test(word)) return word;
  if (/s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

/** One key for every spelling of a table's name: `WebhookDelivery`, `webhook_deliveries`, `"public"."webhook_deliveries"`. */
export function tableKey(name: string): string {
  const bare = name.replace(/["`[\]]/g, '');
  const last = bare.slice(bare.lastIndexOf('.') + 1);
  const ws = words(last);
  if (ws.length === 0) return last.toLowerCase();
  ws[ws.length - 1] = singular(ws[ws.length - 1]!);
  return ws.join('');
}

/**
 * Rows of these tables are written once per event and never change, so the table grows with
 * traffic. `Event` and `Message` alone are too often product data (a calendar event, a chat
 * message that users expect to keep): they count only with a machine-traffic qualifier
 * (`WebhookEvent`, `EmailMessage`, `OutboxMessage`).
 */
const APPEND_ONLY = new Set(['delivery', 'log', 'session', 'attempt', 'history', 'audit', 'notification']);
const QUALIFIED_ONLY = new Set(['event', 'message']);
const MACHINE_TRAFFIC = new Set([
  'webhook',
  'email',
  'mail',
  'sms',
  'push',
  'outbox',
  'inbox',
  'inbound',
  'outbound',
  'queue',
  'audit',
  'analytics',
  'tracking',
  'track',
  'domain',
  'integration',
  'stripe',
  'system',
  'activity',
  'log',
  'delivery',
  'notification',
  'page',
  'click',
  'usage',
  'billing',
  'payment',
  'security',
  'login',
  'auth',
  'api',
  'request',
  'raw',
  'provider',
  'sync',
  'job',
  'task',
  'error',
  'telemetry',
  'metric',
  'user',
  'app',
  'slack',
  'twilio',
  'sendgrid',
  'github',
  'clerk',
  'shopify',
]);

export function isAppendOnlyName(name: string): boolean {
  const bare = name.replace(/["`[\]]/g, '');
  const ws = words(bare.slice(bare.lastIndexOf('.') + 1)).map(singular);
  const last = ws[ws.length - 1];
  if (!last) return false;
  if (APPEND_ONLY.has(last)) return true;
  if (QUALIFIED_ONLY.has(last)) return ws.slice(0, -1).some((w) => MACHINE_TRAFFIC.has(w));
  return false;
}

/** `expires_at`, `expiresAt`, `expiry`, `ttl`, `purge_after`, `retain_until`, `valid_until` (not `deleted_at`: soft deletes keep rows). */
const EXPIRY = /^(expires?|expiry|expiration|expired?|ttl|ttl_?\w+|\w+_ttl|purge|delete|retain|retention|valid)_?(at|on|date|time|after|until|seconds|secs|in)?$/;

export function isExpiryColumn(name: string): boolean {
  const snake = words(name.replace(/["`]/g, '')).join('_');
  if (/^(deleted|delete)_(at|on)$/.test(snake)) return false;
  if (/^(valid|delete|purge|retain|retention)$/.test(snake)) return false;
  return EXPIRY.test(snake) || /(^|_)(expires|expire|expiry|expiration)(_|$)/.test(snake);
}

// ---------------------------------------------------------------------------------------------
// schema.prisma

const PRISMA_MODEL = /^\s*model\s+(\w+)\s*\{/;
const PRISMA_FIELD = /^\s*(\w+)\s+(\w+)(\[\])?\??/;
const PRISMA_MAP = /^\s*@@map\(\s*(?:name:\s*)?"([^"]+)"/;

/** The models of a Prisma schema. */
export function prismaModels(source: string): TableDefinition[] {
  const lines = source.split(/\r?\n/);
  const out: TableDefinition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = PRISMA_MODEL.exec(lines[i]!);
    if (!header) continue;
    const name = header[1]!;
    const keys = [tableKey(name)];
    let hasTimestamp = false;
    let hasExpiry = false;
    let j = i + 1;
    for (; j < lines.length && !/^\s*\}/.test(lines[j]!); j++) {
      const line = lines[j]!.replace(/\/\/.*$/, '');
      const map = PRISMA_MAP.exec(line);
      if (map) keys.push(tableKey(map[1]!));
      const field = PRISMA_FIELD.exec(line);
      if (!field || line.trim().startsWith('@@')) continue;
      const [, fieldName, type] = field;
      const mapped = /@map\(\s*"([^"]+)"/.exec(line)?.[1];
      if (type === 'DateTime') hasTimestamp = true;
      if (isExpiryColumn(fieldName!) || (mapped && isExpiryColumn(mapped))) hasExpiry = true;
    }
    out.push({ name, keys: [...new Set(keys)], hasTimestamp, hasExpiry, partitioned: false, line: i + 1 });
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SQL

const CREATE_TABLE = /\bcreate\s+(?:(?:global\s+|local\s+)?(?:temporary|temp)\s+|unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?((?:[`"[]?[\w$]+[`"\]]?\s*\.\s*)?[`"[]?[\w$]+[`"\]]?)\s*(\(|partition\s+of\b)/gi;
const SQL_TIME_TYPE = /\b(timestamp|timestamptz|datetime|datetime2|datetimeoffset|date|smalldatetime)\b/i;

/** Offset just past the parenthesis that closes the one at `open`. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Splits a column list on top-level commas. */
function topLevelParts(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

const CONSTRAINT = /^(constraint|primary\s+key|foreign\s+key|unique|check|exclude|index|key|like)\b/i;

/** The `CREATE TABLE` statements of a SQL text (a migration, a schema dump, a string in code). */
export function sqlTables(text: string, lineOffset = 0): TableDefinition[] {
  const out: TableDefinition[] = [];
  const stripped = text.replace(/--[^\n]*/g, (m) => ' '.repeat(m.length)).replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  CREATE_TABLE.lastIndex = 0;
  for (let m = CREATE_TABLE.exec(stripped); m; m = CREATE_TABLE.exec(stripped)) {
    // `CREATE TABLE x PARTITION OF y`: a partition of a partitioned table.
    if (/^partition/i.test(m[2]!)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingParen(stripped, open);
    const body = stripped.slice(open + 1, close - 1);
    const end = stripped.indexOf(';', close);
    const tail = stripped.slice(close, end < 0 ? undefined : end);
    let hasTimestamp = false;
    let hasExpiry = false;
    for (const part of topLevelParts(body)) {
      if (CONSTRAINT.test(part)) continue;
      const column = /^[`"[]?([\w$]+)[`"\]]?\s+(.*)$/s.exec(part);
      if (!column) continue;
      if (SQL_TIME_TYPE.test(column[2]!)) hasTimestamp = true;
      if (isExpiryColumn(column[1]!)) hasExpiry = true;
    }
    const name = m[1]!.replace(/\s+/g, '');
    out.push({ name: name.replace(/["`[\]]/g, ''), keys: [tableKey(name)], hasTimestamp, hasExpiry, partitioned: /\bpartition\s+by\b/i.test(tail), line: lineOffset + lineAt(stripped, m.index) });
  }
  return out;
}

const DELETE_BY_AGE = /\bdelete\s+from\s+((?:[`"[]?\w+[`"\]]?\.)?[`"[]?\w+[`"\]]?)(?:\s+(?:as\s+)?\w+)?\s+where\b([\s\S]{0,400}?)(?:;|$)/gi;
const AGE_CONDITION = /(\w*(_at|At|time|Time|date|Date|_ts|timestamp|created|updated|sent|received)\w*)["`\]]?\s*(<|<=)|\b(now\(\)|current_timestamp|current_date|interval|datetime\(|date_sub|dateadd|sysdate|getdate\(\))[\s\S]*?(>|>=)\s*[`"[]?\w*(_at|time|date|created)/i;
const RETENTION_CALL = /\b(add_retention_policy|drop_chunks|create_parent|create_hypertable_retention)\s*\(\s*'([\w.]+)'/gi;

/** Tables a SQL text removes old rows from: `DELETE FROM t WHERE created_at < …`, Timescale/pg_partman retention. */
export function sqlRetentionTables(text: string): string[] {
  const out: string[] = [];
  DELETE_BY_AGE.lastIndex = 0;
  for (let m = DELETE_BY_AGE.exec(text); m; m = DELETE_BY_AGE.exec(text)) {
    if (AGE_CONDITION.test(m[2]!)) out.push(tableKey(m[1]!));
  }
  RETENTION_CALL.lastIndex = 0;
  for (let m = RETENTION_CALL.exec(text); m; m = RETENTION_CALL.exec(text)) out.push(tableKey(m[2]!));
  return out;
}

/** Whether a text looks like SQL that could hold retention (cheap pre-check for string literals). */
export function mayHoldRetention(text: string): boolean {
  return /delete\s+from|add_retention_policy|drop_chunks|create_parent/i.test(text);
}
