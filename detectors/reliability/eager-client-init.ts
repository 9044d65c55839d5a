import { importedModules } from '../support/file-role.js';
import { isHandlerModulePy, isServerlessModulePy, isServerlessModuleTs } from '../support/server-code.js';
import { objectProperty, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * Serverless functions import their module on every cold start (and Next.js imports route
 * modules during `next build`). A client built at module level there connects, or builds a pool
 * sized for a long-running server, before any request, once per instance. Python modules that
 * set an SDK's global API key from the environment at import have the same timing problem.
 */

type Effect = 'connects' | 'pool';

interface Construction {
  readonly what: string;
  readonly effect: Effect;
}

// ---------------------------------------------------------------------------------------------
// TypeScript

const MYSQL_MODULES = /^(mysql|mysql2|mysql2\/promise|mariadb)$/;

function constructionTs(value: SyntaxNode, root: SyntaxNode, name: string): Construction | undefined {
  let v = value;
  if (v.type === 'await_expression') v = v.namedChild(0) ?? v;
  if (v.type === 'as_expression' || v.type === 'satisfies_expression' || v.type === 'non_null_expression') v = v.namedChild(0) ?? v;
  if (v.type === 'new_expression') {
    const ctor = v.childForFieldName('constructor')?.text ?? '';
    const options = v.childForFieldName('arguments')?.namedChildren ?? [];
    if (/^(Redis|IORedis|Redis\.Cluster|Cluster|IORedis\.Cluster)$/.test(ctor)) {
      if (importsFrom(root, /^@upstash\/redis/)) return undefined; // HTTP, no connection
      if (options.some((o) => o.type === 'object' && objectProperty(o, 'lazyConnect')?.text === 'true')) return undefined;
      return { what: `new ${ctor}(…)`, effect: 'connects' };
    }
    if (/^(Pool|pg\.Pool)$/.test(ctor)) return { what: `new ${ctor}(…)`, effect: 'pool' };
    if (/^(Client|pg\.Client)$/.test(ctor) && connectsAtModuleLevel(root, name)) return { what: `new ${ctor}(…)`, effect: 'connects' };
    if (ctor === 'PrismaClient') return { what: 'new PrismaClient()', effect: 'pool' };
    return undefined;
  }
  if (v.type === 'call_expression') {
    const fn = v.childForFieldName('function');
    const callee = fn?.text ?? '';
    if (/^(knex|Knex|require\(['"]knex['"]\))$/.test(callee)) return { what: `${callee.startsWith('require') ? 'knex' : callee}(…)`, effect: 'pool' };
    if (callee === 'postgres' && importsFrom(root, /^postgres$/)) return { what: 'postgres(…)', effect: 'pool' };
    if (/^(\w+\.)?createPool$/.test(callee) && importsFrom(root, MYSQL_MODULES)) return { what: `${callee}(…)`, effect: 'pool' };
    if (/^(\w+\.)?createConnection$/.test(callee) && importsFrom(root, MYSQL_MODULES)) return { what: `${callee}(…)`, effect: 'connects' };
    if (/^(\w+\.)?createClient$/.test(callee) && importsFrom(root, /^(redis|@redis\/client)$/) && connectsAtModuleLevel(root, name)) return { what: `${callee}(…)`, effect: 'connects' };
    return undefined;
  }
  // `globalThis.prisma ?? new PrismaClient()` is Prisma's documented singleton; other `??` forms are lazy too.
  return undefined;
}

function importsFrom(root: SyntaxNode, source: RegExp): boolean {
  return importedModules(root, false).some((m) => source.test(m));
}

const FUNCTION_NODES = new Set(['arrow_function', 'function_expression', 'function', 'function_declaration', 'method_definition', 'class_declaration', 'class']);

/** `client.connect()` run by module-level code (awaited, chained or assigned), not inside a function. */
function connectsAtModuleLevel(root: SyntaxNode, name: string): boolean {
  const stack: SyntaxNode[] = [...root.namedChildren];
  while (stack.length) {
    const node = stack.pop()!;
    if (FUNCTION_NODES.has(node.type)) continue;
    if (node.type === 'call_expression') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('property')?.text === 'connect' && fn.childForFieldName('object')?.text === name) return true;
    }
    for (const child of node.namedChildren) stack.push(child);
  }
  return false;
}

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const { name, value, left } = match.captures;
  const root = (name ?? left)!.tree.rootNode;
  if (!isServerlessModuleTs(root, ctx.file.path)) return;
  if (name && value) {
    const construction = constructionTs(value, root, name.text);
    if (construction) ctx.report({ node: value, message: messageFor(construction, name.text) });
    return;
  }
  if (left && value) checkGlobalConfig(left, value, ctx, false);
}

// ---------------------------------------------------------------------------------------------
// Python

const PY_CONNECTS = /^(psycopg2\.connect|psycopg\.connect|pymysql\.connect|mysql\.connector\.connect|MySQLdb\.connect|pg8000\.connect|sqlite3\.connect)$/;
const PY_POOLS = /^(redis\.Redis|redis\.StrictRedis|redis\.from_url|redis\.Redis\.from_url|redis\.StrictRedis\.from_url|Redis|Redis\.from_url|StrictRedis|psycopg2\.pool\.\w+ConnectionPool|pool\.\w+ConnectionPool|ConnectionPool|psycopg_pool\.ConnectionPool)$/;

function constructionPy(value: SyntaxNode, root: SyntaxNode): Construction | undefined {
  if (value.type !== 'call') return undefined;
  const callee = value.childForFieldName('function')?.text ?? '';
  if (PY_CONNECTS.test(callee)) {
    if (callee === 'sqlite3.connect') return undefined; // a local file, not a server
    return { what: `${callee}(…)`, effect: 'connects' };
  }
  if (PY_POOLS.test(callee)) {
    // Bare `Redis(...)` only when it is redis-py's.
    if (!callee.includes('.') || /^(Redis|StrictRedis)\./.test(callee)) {
      if (!importedModules(root, true).some((m) => m === 'redis' || m.startsWith('redis.') || m === 'psycopg_pool' || m.startsWith('psycopg2'))) return undefined;
    }
    return { what: `${callee}(…)`, effect: 'pool' };
  }
  return undefined;
}

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const left = match.captures.left!;
  const value = match.captures.value!;
  const root = left.tree.rootNode;
  if (left.type === 'attribute') {
    if (isServerlessModulePy(root, ctx.file.path) || isHandlerModulePy(root, ctx.file.path)) checkGlobalConfig(left, value, ctx, true);
    return;
  }
  if (left.type !== 'identifier' || !isServerlessModulePy(root, ctx.file.path)) return;
  const construction = constructionPy(value, root);
  if (construction) ctx.report({ node: value, message: messageFor(construction, left.text) });
}

// ---------------------------------------------------------------------------------------------
// Global SDK configuration: `stripe.api_key = os.environ["STRIPE_SECRET_KEY"]`

/** Credentials only: a global `api_version` or `api_base` with a default is configuration, not a secret that may be missing. */
const SDK_SETTINGS = /^(api_key|apiKey|organization)$/;
const ENV_READ_PY = /^(os\.environ\[|os\.environ\.get\(|os\.getenv\(|environ\[|getenv\(|env\(|config\()/;
const ENV_READ_TS = /^process\.env\b/;

function checkGlobalConfig(left: SyntaxNode, value: SyntaxNode, ctx: RuleContext, python: boolean): void {
  const object = left.childForFieldName('object');
  const setting = left.childForFieldName(python ? 'attribute' : 'property')?.text ?? '';
  if (object?.type !== 'identifier' || !SDK_SETTINGS.test(setting)) return;
  if (!(python ? ENV_READ_PY : ENV_READ_TS).test(value.text)) return;
  const envName = envVariableName(value);
  ctx.report({
    node: left.parent!,
    message: `\`${object.text}.${setting}\` is set globally from ${envName ? `\`${envName}\`` : 'the environment'} when this module is imported: a missing variable fails the import (or leaves the SDK unconfigured until the first call fails), and every module importing \`${object.text}\` silently depends on this one having been imported first.`,
  });
}

function envVariableName(value: SyntaxNode): string | undefined {
  const m = /["'`]([A-Z][A-Z0-9_]+)["'`]/.exec(value.text) ?? /process\.env\.([A-Z][A-Z0-9_]+)/.exec(value.text);
  return m?.[1] ?? (value.type === 'subscript' ? stringValue(value.childForFieldName('subscript')) : undefined);
}

// ---------------------------------------------------------------------------------------------

function messageFor(construction: Construction, name: string): string {
  if (construction.effect === 'connects') {
    return `\`${name} = ${construction.what}\` opens a connection while this serverless module is imported: every cold start (and \`next build\`, which imports route modules) waits on it before any request, and an unreachable server fails the import instead of a request your error handling can answer.`;
  }
  return `\`${name} = ${construction.what}\` builds a connection pool while this serverless module is imported: each concurrent instance holds its own pool sized for a long-running server, so under load the database runs out of connections, and a bad configuration fails the import rather than the request.`;
}

const rule: Rule = {
  meta: {
    id: 'eager-client-init',
    title: 'Client connected at import in serverless code',
    severity: 'P2',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: 'A serverless function imports its module on every cold start, and Next.js imports route modules during `next build`. A database or Redis client created at module level connects, or builds a pool sized for a long-running server, before any request and once per concurrent instance: builds hang on it, cold starts wait on it, an outage turns into import errors, and many instances with their own pools exhaust the database. Setting an SDK\'s global API key from the environment at import has the same timing problem and hides the dependency on import order.',
      fix: 'Create the client on first use behind a small getter that caches it (`let pool; export const getPool = () => (pool ??= new Pool({ max: 1 }))`), keep serverless pools tiny or use a pooler/HTTP driver (PgBouncer, RDS Proxy, Neon, Upstash), and pass API keys to a client instance (`OpenAI(api_key=...)`, `stripe.StripeClient(key)`) read from validated settings.',
      example: {
        bad: "// app/api/orders/route.ts\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n\nexport async function GET() {\n  return Response.json(await db('orders').limit(50));\n}",
        good: "// app/api/orders/route.ts\nlet db: Knex | undefined;\nconst getDb = () => (db ??= knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 1 } }));\n\nexport async function GET() {\n  return Response.json(await getDb()('orders').limit(50));\n}",
      },
    },
  },
  // Each construction is recognised on the raw text of its constructor or callee, and each needs a
  // word in it: TS Redis/IORedis/Cluster, Pool/pg.Pool/createPool, PrismaClient, knex, postgres;
  // `Client`/`createClient` only with a module-level `.connect()` call, createConnection contains
  // "connect". Python: the `*.connect` drivers (psycopg, pymysql, mysql.connector, MySQLdb,
  // pg8000), redis-py's Redis/StrictRedis/redis.*, and the `…ConnectionPool` classes. Global SDK
  // settings: TS needs the value to start with `process.env`, Python the setting name itself.
  requires: {
    ts: ['redis', 'cluster', 'pool', 'prismaclient', 'knex', 'postgres', 'connect', 'process.env'],
    py: ['psycopg', 'mysql', 'pg8000', 'redis', 'connectionpool', 'api_key', 'apikey', 'organization'],
  },
  ts: {
    query: `
      (program (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @value)))
      (program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @value))))
      (program (variable_declaration (variable_declarator name: (identifier) @name value: (_) @value)))
      (program (expression_statement (assignment_expression left: (member_expression) @left right: (_) @value)))`,
    onMatch: checkTs,
  },
  py: {
    query: `(module (expression_statement (assignment left: (_) @left right: (_) @value)))`,
    onMatch: checkPy,
  },
};

export default rule;
