import { importedModules } from '../support/file-role.js';
import { hasSpread, objectProperty } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * An ioredis client used as a cache, created without `keyPrefix`, in code that knows it runs in
 * several environments. Narrow on purpose: the finding needs the file to read an environment
 * name, the client to be used with key commands in the same file, and those keys to carry no
 * prefix of their own. BullMQ connections are left alone (BullMQ has its own `prefix` and
 * rejects `keyPrefix`).
 */

const IOREDIS_CONSTRUCTORS = /^(Redis|IORedis|Redis\.Cluster|IORedis\.Cluster|Cluster)$/;
/** Reading which environment the code runs in. */
const ENV_NAME_READ = /\b(?:process\.env|env|config|import\.meta\.env)\.(NODE_ENV|APP_ENV|VERCEL_ENV|ENVIRONMENT|DEPLOY_ENV|DEPLOYMENT_ENV|STAGE|APP_STAGE|RAILWAY_ENVIRONMENT|RENDER_ENV|FLY_APP_NAME)\b|process\.env\[['"](NODE_ENV|APP_ENV|VERCEL_ENV|ENVIRONMENT|STAGE)['"]\]|\{[^}]*\b(NODE_ENV|APP_ENV|VERCEL_ENV|ENVIRONMENT)\b[^}]*\}\s*=\s*process\.env/;
/** Commands that read or write keys (pub/sub channels are not prefixed by ioredis anyway). */
const KEY_COMMANDS = new Set([
  'get', 'set', 'setex', 'psetex', 'setnx', 'getex', 'getdel', 'del', 'unlink', 'exists', 'expire', 'pexpire', 'ttl', 'incr', 'incrby', 'decr', 'decrby',
  'mget', 'mset', 'hget', 'hset', 'hmget', 'hmset', 'hgetall', 'hdel', 'hincrby', 'sadd', 'srem', 'smembers', 'sismember', 'zadd', 'zrange', 'zrem', 'zscore',
  'zincrby', 'lpush', 'rpush', 'lrange', 'lpop', 'rpop', 'getBuffer', 'setBuffer',
]);
const BULLMQ_CLASSES = /^(Queue|Worker|QueueEvents|FlowProducer|QueueScheduler)$/;

function check(match: RuleMatch, ctx: RuleContext): void {
  const created = match.captures.new!;
  const ctor = match.captures.ctor!.text;
  if (!IOREDIS_CONSTRUCTORS.test(ctor)) return;
  const root = created.tree.rootNode;
  const modules = importedModules(root, false);
  if (!modules.includes('ioredis')) return; // `new Redis` from @upstash/redis or a wrapper is something else
  const envRead = ENV_NAME_READ.exec(ctx.file.source);
  if (!envRead) return;
  const args = created.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  if (!optionsLackPrefix(args, root)) return;
  if (isBullMqConnection(created, args, root)) return;
  const name = clientName(created);
  if (!name) return;
  const keys = keyArguments(root, name);
  if (keys.length === 0 && !/cache/i.test(name)) return;
  if (keys.some(carriesOwnPrefix)) return;

  const envExpression = envExpressionOf(envRead[0]);
  const suggestion = suggestPrefix(ctx, created, args, envExpression);
  ctx.report({
    node: created,
    message: `\`${name}\` writes keys without a \`keyPrefix\` while this code runs in several environments (it reads \`${envRead[0].replace(/\s+/g, ' ')}\`): when staging and production, or two apps, share the Redis, they read and overwrite each other's entries.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

/** No `keyPrefix` in the options, and nothing (a spread, an options variable) that could carry one. */
function optionsLackPrefix(args: readonly SyntaxNode[], root: SyntaxNode): boolean {
  for (const arg of args) {
    let options: SyntaxNode | undefined = arg;
    if (arg.type === 'identifier') {
      options = declaredValue(root, arg.text);
      // `new Redis(process.env.REDIS_URL)` style: a URL variable is fine; an unknown options object is not ours to judge.
      if (!options) return /url|uri|host|dsn/i.test(arg.text);
    }
    if (options?.type !== 'object') continue;
    if (hasSpread(options) || objectProperty(options, 'keyPrefix')) return false;
    const redisOptions = objectProperty(options, 'redisOptions');
    if (redisOptions && (redisOptions.type !== 'object' || hasSpread(redisOptions) || objectProperty(redisOptions, 'keyPrefix'))) return false;
  }
  return true;
}

/** BullMQ needs `maxRetriesPerRequest: null` and takes the client as `connection`. */
function isBullMqConnection(created: SyntaxNode, args: readonly SyntaxNode[], root: SyntaxNode): boolean {
  for (const arg of args) {
    const options = arg.type === 'identifier' ? declaredValue(root, arg.text) : arg;
    if (options?.type === 'object' && objectProperty(options, 'maxRetriesPerRequest')?.text === 'null') return true;
  }
  const pair = created.parent;
  if (pair?.type === 'pair' && pair.childForFieldName('key')?.text === 'connection') return true;
  const name = clientName(created);
  if (!name) return false;
  for (const node of root.descendantsOfType('new_expression')) {
    if (!BULLMQ_CLASSES.test(node.childForFieldName('constructor')?.text ?? '')) continue;
    if (new RegExp(`\\bconnection\\s*(:\\s*(this\\.)?${name}\\b|[,}])`).test(node.text) || node.text.includes(`connection: ${name}`)) return true;
  }
  return false;
}

/** The variable or field the client is stored in: `const redis = new Redis()`, `this.cache = new Redis()`. */
function clientName(created: SyntaxNode): string | undefined {
  const parent = created.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'public_field_definition') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'assignment_expression') {
    const left = parent.childForFieldName('left');
    return left?.type === 'member_expression' ? left.childForFieldName('property')?.text : left?.text;
  }
  return undefined;
}

function declaredValue(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const node of root.descendantsOfType('variable_declarator')) {
    if (node.childForFieldName('name')?.text === name) return node.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** The key arguments of commands run on the client: `redis.get(key)`, `this.cache.set(\`user:${id}\`, …)`. */
function keyArguments(root: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const node of root.descendantsOfType('call_expression')) {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'member_expression' || !KEY_COMMANDS.has(fn.childForFieldName('property')?.text ?? '')) continue;
    const object = fn.childForFieldName('object');
    const objectName = object?.type === 'member_expression' ? object.childForFieldName('property')?.text : object?.text;
    if (objectName !== name) continue;
    const key = node.childForFieldName('arguments')?.namedChildren[0];
    if (key) out.push(key);
  }
  return out;
}

/** Keys built by a helper or with an env/prefix/namespace part are prefixed by hand. */
function carriesOwnPrefix(key: SyntaxNode): boolean {
  if (key.type === 'call_expression') return true;
  if (key.type === 'identifier') return /prefix|namespace|env/i.test(key.text);
  if (key.type === 'template_string') {
    return key.namedChildren.some((c) => c.type === 'template_substitution' && /prefix|namespace|env|stage/i.test(c.text));
  }
  if (key.type === 'binary_expression') return /prefix|namespace|env|stage/i.test(key.text);
  return false;
}

function envExpressionOf(read: string): string {
  const m = /(process\.env|env|config|import\.meta\.env)\.(\w+)/.exec(read);
  if (m) return `${m[1]}.${m[2]}`;
  const bracket = /process\.env\[['"](\w+)['"]\]/.exec(read);
  if (bracket) return `process.env.${bracket[1]}`;
  const destructured = /\b(NODE_ENV|APP_ENV|VERCEL_ENV|ENVIRONMENT)\b/.exec(read);
  return destructured ? destructured[1]! : 'process.env.NODE_ENV';
}

/** `new Redis(url)` → `new Redis(url, { keyPrefix: \`${process.env.NODE_ENV}:\` })`, when the call sits on one line. */
function suggestPrefix(ctx: RuleContext, created: SyntaxNode, args: readonly SyntaxNode[], env: string): Suggestion | undefined {
  if (created.startPosition.row !== created.endPosition.row) return undefined;
  const entry = `keyPrefix: \`\${${env}}:\``;
  const argumentList = created.childForFieldName('arguments');
  const row = created.startPosition.row + 1;
  const line = ctx.file.line(row);
  const replaceSpan = (start: number, end: number, text: string): Suggestion => ({ startLine: row, endLine: row, replacement: `${line.slice(0, start)}${text}${line.slice(end)}` });
  const options = args.find((a) => a.type === 'object');
  if (options) {
    const inner = ctx.text(options).slice(1, -1).trim().replace(/,$/, '');
    return replaceSpan(options.startPosition.column, options.endPosition.column, inner ? `{ ${inner}, ${entry} }` : `{ ${entry} }`);
  }
  if (!argumentList) return replaceSpan(created.endPosition.column, created.endPosition.column, `({ ${entry} })`);
  if (args.length === 0) return replaceSpan(argumentList.startPosition.column, argumentList.endPosition.column, `({ ${entry} })`);
  const last = args[args.length - 1]!;
  return replaceSpan(last.endPosition.column, last.endPosition.column, `, { ${entry} }`);
}

const rule: Rule = {
  meta: {
    id: 'redis-no-key-prefix',
    title: 'Shared Redis cache without a key prefix',
    severity: 'P2',
    category: 'Reliability',
    languages: ['ts'],
    docs: {
      why: 'Staging, preview and production deployments (or two apps) often point at the same Redis to save a server. Without a prefix their keys collide: staging reads production sessions or cached data, and a cache flush or a key written by one environment breaks the other.',
      fix: 'Give the cache client a prefix that names the app and the environment, e.g. `new Redis(url, { keyPrefix: `${process.env.APP_ENV}:` })`, or build every key through one helper that adds it. BullMQ queues take their own `prefix` option instead.',
      example: {
        bad: "const cache = new Redis(process.env.REDIS_URL!);\nconst ttl = process.env.NODE_ENV === 'production' ? 3600 : 60;\nawait cache.set(`user:${id}`, JSON.stringify(user), 'EX', ttl);",
        good: "const cache = new Redis(process.env.REDIS_URL!, { keyPrefix: `${process.env.NODE_ENV}:` });\nconst ttl = process.env.NODE_ENV === 'production' ? 3600 : 60;\nawait cache.set(`user:${id}`, JSON.stringify(user), 'EX', ttl);",
      },
    },
  },
  // A finding needs `ioredis` among the file's imports (an import or require string).
  requires: ['ioredis'],
  ts: {
    query: `(new_expression constructor: [(identifier) (member_expression)] @ctor) @new`,
    onMatch: check,
  },
};

export default rule;
