import { inDevBranch } from '../support/dev-branch.js';
import { isSecretConfigName, words } from '../support/names.js';
import { callArguments, calleeName, descendants, isNamedCall, keywordArgument, lastSegment, PY_CALL, replaceNode, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * A secret read from the environment or config with a literal fallback: when the deployment
 * forgets the variable, the service starts anyway, signing and encrypting with a value that is
 * in the source code. Fallbacks for non-secrets, empty fallbacks that a later check rejects, and
 * fallbacks inside an explicit dev/test branch are fine.
 */

// ---------------------------------------------------------------------------------------------
// Which names are secrets

/** `JWT_PUBLIC_KEY`, `STRIPE_PUBLISHABLE_KEY`: keys meant to be shared are not secrets. */
function isSecretSetting(name: string): boolean {
  const ws = words(name);
  if (ws.includes('public') || ws.includes('publishable')) return false;
  return isSecretConfigName(name);
}

// ---------------------------------------------------------------------------------------------
// TypeScript: what counts as a config read, and its name

/** Objects that hold configuration: `process.env`, `import.meta.env`, `config.auth`, `this.settings`. */
const CONFIG_SEGMENT = /^(env|config|configuration|settings|cfg|conf|[A-Za-z]*(Config|Settings|Env))$/;

function isConfigObject(path: string): boolean {
  return path.split('.').some((segment) => CONFIG_SEGMENT.test(segment));
}

/** Config services whose `get(name, default)` takes a default: NestJS `ConfigService`, node-config. */
const CONFIG_SERVICE = /(^|\.)(config|configService|configuration|settings|[A-Za-z]*(Config|ConfigService|Settings))$/;

/** The config name a single TS read names: `process.env.X`, `env['X']`, `configService.get('X')`. */
function tsReadName(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'member_expression': {
      const object = node.childForFieldName('object');
      const property = node.childForFieldName('property')?.text;
      return object && property && isConfigObject(object.text) ? property : undefined;
    }
    case 'subscript_expression': {
      const object = node.childForFieldName('object');
      const key = stringValue(node.childForFieldName('index'));
      return object && key !== undefined && isConfigObject(object.text) ? key : undefined;
    }
    case 'call_expression': {
      // `configService.get('JWT_SECRET')`, `Deno.env.get('JWT_SECRET')`, `config.get('auth.secret')`
      const callee = node.childForFieldName('function');
      if (callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'get') return undefined;
      const object = callee.childForFieldName('object')?.text ?? '';
      if (!CONFIG_SERVICE.test(object) && !/(^|\.)env$/.test(object)) return undefined;
      return stringValue(callArguments(node)[0]);
    }
    default:
      return undefined;
  }
}

/**
 * The config name a TS expression reads, or undefined when it is not a config read. In a chain
 * (`process.env.JWT_SECRET || process.env.SECRET || 'dev'`) a secret's name wins. Walked with a
 * stack: a hostile file may nest thousands of `||`.
 */
function tsConfigRead(expression: SyntaxNode): string | undefined {
  const names: string[] = [];
  const stack: SyntaxNode[] = [expression];
  while (stack.length) {
    const node = stack.pop()!;
    if (['parenthesized_expression', 'non_null_expression', 'as_expression'].includes(node.type)) {
      if (node.namedChild(0)) stack.push(node.namedChild(0)!);
    } else if (node.type === 'binary_expression') {
      const op = node.childForFieldName('operator')?.text;
      if (op !== '||' && op !== '??') continue;
      for (const side of [node.childForFieldName('right'), node.childForFieldName('left')]) if (side) stack.push(side);
    } else {
      const name = tsReadName(node);
      if (name !== undefined) names.push(name);
    }
  }
  return names.find((n) => isSecretSetting(n)) ?? names[0];
}

// ---------------------------------------------------------------------------------------------
// Empty fallbacks that a later check rejects

/** Where the fallback's value is kept: `secret`, `config.jwtSecret`, `SECRET_KEY`. */
function holderOf(expression: SyntaxNode): string | undefined {
  const keys: string[] = [];
  let node = expression;
  for (let parent = node.parent; parent; node = parent, parent = parent.parent) {
    switch (parent.type) {
      case 'parenthesized_expression':
      case 'as_expression':
      case 'non_null_expression':
      case 'object':
      case 'dictionary':
        continue;
      case 'pair':
        keys.unshift(parent.childForFieldName('key')?.text.replace(/['"]/g, '') ?? '');
        continue;
      case 'variable_declarator':
        return [parent.childForFieldName('name')?.text, ...keys].join('.');
      case 'assignment':
      case 'assignment_expression':
        return [parent.childForFieldName('left')?.text, ...keys].join('.');
      default:
        return undefined;
    }
  }
  return undefined;
}

const FAILS = new Set(['throw_statement', 'raise_statement']);
const FAILING_CALL = /^(process\.exit|sys\.exit|exit|os\._exit|abort)$/;
const ASSERTING_CALL = /^(assert|invariant|assertDefined|assertIsDefined|ok|required|requireEnv)$/;

function fails(block: SyntaxNode): boolean {
  for (const n of descendants(block)) {
    if (FAILS.has(n.type)) return true;
    if ((n.type === 'call_expression' || n.type === 'call') && FAILING_CALL.test(calleeName(n) ?? '')) return true;
  }
  return false;
}

/** Whether code after the fallback rejects an empty value: `if (!secret) throw …`, `assert secret`. */
function checkedAfterwards(expression: SyntaxNode): boolean {
  const holder = holderOf(expression);
  if (!holder) return false;
  const last = holder.slice(holder.lastIndexOf('.') + 1);
  const mentions = new RegExp(`(^|[^\\w$])${last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w$]|$)`);
  let root = expression;
  while (root.parent) root = root.parent;
  for (const n of descendants(root)) {
    if (n.startIndex < expression.endIndex) continue;
    if (n.type === 'if_statement') {
      const condition = n.childForFieldName('condition');
      const consequence = n.childForFieldName('consequence');
      if (condition && consequence && mentions.test(condition.text) && fails(consequence)) return true;
    } else if (n.type === 'assert_statement' && mentions.test(n.text)) {
      return true;
    } else if ((n.type === 'call_expression' || n.type === 'call') && ASSERTING_CALL.test(lastSegment(calleeName(n)) ?? '')) {
      if (mentions.test(callArguments(n)[0]?.text ?? '')) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Reporting

function message(name: string, fallback: string): string {
  return fallback === ''
    ? `\`${name}\` falls back to an empty string when it is not set, and nothing rejects the empty value: the service starts and runs with an empty secret (an empty signing key, an unauthenticated API call).`
    : `\`${name}\` falls back to a hardcoded value when it is not set: a deployment that misses the variable runs with a secret anyone can read in the source.`;
}

interface Fallback {
  readonly name: string;
  /** The fallback literal's value. */
  readonly value: string;
  /** The node reported: the whole read-with-fallback expression. */
  readonly node: SyntaxNode;
  readonly suggestion?: Suggestion;
}

/**
 * `(process.env.KEY || '').trim() || null`: the empty string only lets a string method run, and
 * an empty result is turned into "not configured" right after.
 */
function isNormalised(expression: SyntaxNode): boolean {
  let node = expression;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  if (node.parent?.type !== 'member_expression' || node.parent.childForFieldName('object')?.id !== node.id) return false;
  let chain = node.parent;
  while (chain.parent && (chain.parent.type === 'call_expression' || chain.parent.type === 'member_expression')) chain = chain.parent;
  const outer = chain.parent;
  const operator = outer?.type === 'binary_expression' ? outer.childForFieldName('operator')?.text : undefined;
  return (operator === '||' || operator === '??') && outer!.childForFieldName('left')?.id === chain.id;
}

function report(ctx: RuleContext, fallback: Fallback): void {
  if (!isSecretSetting(fallback.name)) return;
  if (inDevBranch(fallback.node)) return;
  if (fallback.value.trim() === '' && (isNormalised(fallback.node) || checkedAfterwards(fallback.node))) return;
  ctx.report({
    node: fallback.node,
    message: message(fallback.name, fallback.value.trim()),
    ...(fallback.suggestion ? { suggestion: fallback.suggestion } : {}),
  });
}

/** `process.env.JWT_SECRET || 'dev'`, `?? 'dev'`, `||= 'dev'`. */
function tsOrFallback(match: RuleMatch, ctx: RuleContext): void {
  const expression = match.captures.expr!;
  const operator = expression.childForFieldName('operator')?.text;
  if (operator !== '||' && operator !== '??' && operator !== '||=' && operator !== '??=') return;
  const value = stringValue(match.captures.fallback);
  const name = tsConfigRead(match.captures.left!);
  if (value === undefined || name === undefined) return;
  report(ctx, { name, value, node: expression });
}

/** `const { JWT_SECRET = 'dev' } = process.env`. */
function tsDestructuredDefault(match: RuleMatch, ctx: RuleContext): void {
  // Most destructurings have no default: look at the pattern before reading the source's text,
  // which can be a whole call with its callback (`const { data } = await run(async () => …)`).
  const entries = match.captures.pattern!.namedChildren;
  if (!entries.some((e) => e.type === 'object_assignment_pattern' || e.type === 'pair_pattern')) return;
  if (!isConfigObject(match.captures.source!.text)) return;
  for (const entry of entries) {
    let key: string | undefined;
    let fallback: SyntaxNode | null | undefined;
    if (entry.type === 'object_assignment_pattern') {
      key = entry.childForFieldName('left')?.text;
      fallback = entry.childForFieldName('right');
    } else if (entry.type === 'pair_pattern' && entry.childForFieldName('value')?.type === 'assignment_pattern') {
      key = entry.childForFieldName('key')?.text;
      fallback = entry.childForFieldName('value')!.childForFieldName('right');
    }
    const value = stringValue(fallback);
    if (key && value !== undefined) report(ctx, { name: key, value, node: entry });
  }
}

/**
 * Schema fields with a default: zod `JWT_SECRET: z.string().default('dev')`, envalid
 * `JWT_SECRET: str({ default: 'dev' })` (`devDefault` is fine: it only applies in development).
 */
function tsSchemaDefault(match: RuleMatch, ctx: RuleContext): void {
  const key = match.captures.key!;
  const value = match.captures.value!;
  const name = stringValue(key) ?? key.text;
  const callee = value.childForFieldName('function');
  if (callee?.type === 'member_expression' && /^(default|catch)$/.test(callee.childForFieldName('property')?.text ?? '')) {
    const fallback = stringValue(callArguments(value)[0]);
    if (fallback === undefined || !/\bz\b|\.string\(|\bstring\(/.test(callee.text)) return;
    const schema = callee.childForFieldName('object')!;
    report(ctx, { name, value: fallback, node: value, suggestion: replaceNode(ctx.file, value, ctx.text(schema)) });
    return;
  }
  if (callee?.type === 'identifier' && /^(str|json|url)$/.test(callee.text)) {
    const options = callArguments(value)[0];
    if (options?.type !== 'object') return;
    const pair = options.namedChildren.find((p) => p.type === 'pair' && p.childForFieldName('key')?.text === 'default');
    const fallback = stringValue(pair?.childForFieldName('value'));
    if (fallback === undefined) return;
    const only = options.namedChildren.length === 1;
    report(ctx, { name, value: fallback, node: value, ...(only ? { suggestion: replaceNode(ctx.file, value, `${callee.text}()`) } : {}) });
  }
}

/** `configService.get('JWT_SECRET', 'dev')` → `configService.getOrThrow('JWT_SECRET')`. */
function tsConfigGetDefault(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = call.childForFieldName('function')!;
  if (callee.childForFieldName('property')?.text !== 'get') return;
  const object = callee.childForFieldName('object')!.text;
  if (!CONFIG_SERVICE.test(object)) return;
  const [nameArg, fallbackArg, ...rest] = callArguments(call);
  const name = stringValue(nameArg);
  const value = stringValue(fallbackArg);
  if (name === undefined || value === undefined || rest.length > 0) return;
  const nest = /configService$/i.test(object);
  const typeArgs = call.childForFieldName('type_arguments');
  report(ctx, {
    name,
    value,
    node: call,
    ...(nest ? { suggestion: replaceNode(ctx.file, call, `${object}.getOrThrow${typeArgs ? ctx.text(typeArgs) : ''}(${ctx.text(nameArg!)})`) } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Python

/** `os.environ.get`, `os.getenv`, `environ.get`, `getenv`, `os.environ.setdefault`. */
const PY_ENV_GET = /^(os\.environ\.(get|setdefault)|environ\.(get|setdefault)|os\.getenv|getenv)$/;
/** django-environ `env("X", default=…)`, `env.str(…)`; python-decouple `config("X", default=…)`. */
const PY_ENV_WITH_DEFAULT = /^(env|env\.(str|bytes|url|db_url)|environ\.Env\(\)|config|decouple\.config)$/;

interface PyRead {
  readonly name: string;
  /** The fallback literal node, when the read carries one. */
  readonly fallback?: SyntaxNode;
  /** The fail-fast form of the read, when it is mechanical. */
  readonly strict?: string;
}

/**
 * The last names of the reads above: a callee's dotted name ends with one. `environ.Env()` is
 * not among them: a call has no dotted name, so that alternative never matches.
 */
const PY_READ_LAST = /(^|\W)(getattr|get|setdefault|getenv|env|str|bytes|url|db_url|config)$/;

/**
 * Whether the file can hold a read pyEnvRead knows. Every callee it accepts has one of these
 * identifiers, whole (`\b`: an identifier's neighbours are never ASCII word characters), or is
 * `getattr` on an object named `settings`, `config` or `conf`. Tested once per file.
 */
const PY_READ_WORD = /\b(env|environ|getenv|config)\b/;
const GETATTR_WORD = /\bgetattr\b/;
const CONFIG_OBJECT_WORD = /conf|settings/;
function mentionsPyRead(ctx: RuleContext): boolean {
  return fileMentions(ctx, PY_READ_WORD) || (fileMentions(ctx, GETATTR_WORD) && fileMentions(ctx, CONFIG_OBJECT_WORD));
}

function pyEnvRead(call: SyntaxNode, ctx: RuleContext): PyRead | undefined {
  // Every call of the file matches: files without a read are passed over at once; in the others,
  // reject on the callee's last name, read from the source, before building its dotted name (an
  // identifier's or attribute's text ends with that name).
  if (!mentionsPyRead(ctx)) return undefined;
  const fn = call.childForFieldName('function');
  if (!fn || ((fn.type === 'identifier' || fn.type === 'attribute') && !PY_READ_LAST.test(ctx.text(fn)))) return undefined;
  const callee = calleeName(call);
  if (!callee || !(callee === 'getattr' || PY_ENV_GET.test(callee) || PY_ENV_WITH_DEFAULT.test(callee))) return undefined;
  const args = callArguments(call);
  if (callee === 'getattr') {
    // `getattr(settings, "WEBHOOK_SECRET", "dev")`
    const name = stringValue(args[1]);
    return args.length === 3 && name !== undefined && /(^|\.)(settings|config|conf)$/.test(args[0]!.text) ? { name, fallback: args[2]! } : undefined;
  }
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const name = stringValue(positional[0]);
  if (name === undefined) return undefined;
  const quotedName = ctx.text(positional[0]!);
  if (PY_ENV_GET.test(callee)) {
    const fallback = positional[1] ?? keywordArgument(call, 'default');
    // `os.getenv` is reached through `os`, so `os.environ[...]` is always importable there.
    const mapping = callee.startsWith('os.') ? 'os.environ' : callee.startsWith('environ.') ? 'environ' : undefined;
    return { name, ...(fallback ? { fallback } : {}), ...(mapping ? { strict: `${mapping}[${quotedName}]` } : {}) };
  }
  if (PY_ENV_WITH_DEFAULT.test(callee)) {
    const fallback = keywordArgument(call, 'default');
    const others = args.filter((a) => !(a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'default'));
    return { name, ...(fallback ? { fallback } : {}), strict: `${callee}(${others.map((a) => ctx.text(a)).join(', ')})` };
  }
  return undefined;
}

function pyCall(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const read = pyEnvRead(call, ctx);
  const value = stringValue(read?.fallback);
  if (!read || value === undefined) return;
  const oneLine = call.startPosition.row === call.endPosition.row;
  report(ctx, { name: read.name, value, node: call, ...(read.strict && oneLine ? { suggestion: replaceNode(ctx.file, call, read.strict) } : {}) });
}

/** `os.environ.get("SECRET_KEY") or "dev"`. */
function pyOrFallback(match: RuleMatch, ctx: RuleContext): void {
  const expression = match.captures.expr!;
  if (expression.childForFieldName('operator')?.text !== 'or') return;
  const left = match.captures.left!;
  const value = stringValue(match.captures.fallback);
  if (value === undefined || left.type !== 'call') return;
  const read = pyEnvRead(left, ctx);
  if (!read || read.fallback) return;
  const oneLine = expression.startPosition.row === expression.endPosition.row;
  report(ctx, { name: read.name, value, node: expression, ...(read.strict && oneLine ? { suggestion: replaceNode(ctx.file, expression, read.strict) } : {}) });
}

/** Settings classes: pydantic `BaseSettings` and classes named `…Settings`/`…Config`. */
const SETTINGS_CLASS = /(^|\W)(BaseSettings|\w*Settings)(\W|$)/;

/** Whether the source has `Settings`, which SETTINGS_CLASS needs in a class's bases or name: once per file. */
const SETTINGS_WORD = /Settings/;

/** `jwt_secret: str = "dev"`, `= Field("dev")`, `= SecretStr("dev")` in a settings class. */
function pySettingsField(match: RuleMatch, ctx: RuleContext): void {
  // Every assignment of the file matches: a settings class names `…Settings` in the source.
  if (!fileMentions(ctx, SETTINGS_WORD)) return;
  const assignment = match.captures.assign!;
  const statement = assignment.parent;
  if (statement?.type !== 'expression_statement') return;
  const cls = statement.parent?.parent;
  if (cls?.type !== 'class_definition') return;
  const field = match.captures.field!;
  const value = match.captures.value!;
  const bases = cls.childForFieldName('superclasses')?.text ?? '';
  if (!SETTINGS_CLASS.test(bases) && !SETTINGS_CLASS.test(cls.childForFieldName('name')?.text ?? '')) return;
  let literal: SyntaxNode | undefined = value;
  if (value.type === 'call' && /^(Field|SecretStr|SecretBytes|pydantic\.Field)$/.test(calleeName(value) ?? '')) {
    literal = keywordArgument(value, 'default') ?? callArguments(value).find((a) => a.type !== 'keyword_argument');
  }
  const fallback = stringValue(literal);
  if (fallback === undefined) return;
  const type = assignment.childForFieldName('type');
  // Without its default the field is required: pydantic refuses to start when it is missing.
  const required = type && value === literal ? `${field.text}: ${ctx.text(type)}` : undefined;
  report(ctx, { name: field.text, value: fallback, node: assignment, ...(required ? { suggestion: replaceNode(ctx.file, assignment, required) } : {}) });
}

// ---------------------------------------------------------------------------------------------

const TS_QUERY = `
(binary_expression left: (_) @left right: [(string) (template_string)] @fallback) @expr
(augmented_assignment_expression left: (_) @left right: [(string) (template_string)] @fallback) @expr
(variable_declarator name: (object_pattern) @pattern value: (_) @source)
(pair key: (_) @key value: (call_expression) @value)
(call_expression function: (member_expression) arguments: (arguments (string) [(string) (template_string)])) @call
`;

const PY_QUERY = `
${PY_CALL} @call
(boolean_operator left: (_) @left right: (string) @fallback) @expr
(assignment left: [(identifier) (attribute) (subscript)] @field right: (_) @value) @assign
`;

const rule: Rule = {
  meta: {
    id: 'secret-fallback-default',
    title: 'Secret with a hardcoded fallback',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: "A fallback keeps the service starting when the secret is missing from the deployment, and from then on it signs sessions, tokens and webhooks with a value published in the source code: anyone can forge them, and nothing alerts you.",
      fix: 'Read the secret without a default and fail at start-up when it is missing (`os.environ["SECRET_KEY"]`, a required settings field, `configService.getOrThrow()`, a check that throws). Put development values in a local `.env` that is not committed.',
      example: {
        bad: "const jwtSecret = process.env.JWT_SECRET || 'dev-secret';",
        good: "const jwtSecret = process.env.JWT_SECRET;\nif (!jwtSecret) throw new Error('JWT_SECRET is not set');",
      },
    },
  },
  // Gated on the config read rather than the secret's name: the read is rarer and its words are
  // exact. Every finding is one of: a read through an object with a segment `env`, `config…`,
  // `conf`, `cfg`, `settings`, `…Config`, `…Settings`, `…Env` (isConfigObject, CONFIG_SERVICE);
  // a Python `getenv`/`environ`/`env(…)`/`config(…)`/`decouple.config`, a `getattr` on
  // settings/config/conf, a field of a `…Settings` class; or a TS schema field whose default is
  // `.default(…)`/`.catch(…)` (zod) or `{ default: … }` (envalid), which names no config object.
  requires: ['env', 'conf', 'cfg', 'settings', 'default', 'catch'],
  ts: {
    query: TS_QUERY,
    onMatch(match, ctx) {
      if (match.captures.fallback) tsOrFallback(match, ctx);
      else if (match.captures.pattern) tsDestructuredDefault(match, ctx);
      else if (match.captures.key) tsSchemaDefault(match, ctx);
      else if (match.captures.call) tsConfigGetDefault(match, ctx);
    },
  },
  py: {
    query: PY_QUERY,
    onMatch(match, ctx) {
      // Any assignment matches, as long-lived-token's pattern (matched once for both); fields are names.
      if (match.captures.assign) {
        if (match.captures.field!.type === 'identifier') pySettingsField(match, ctx);
      } else if (match.captures.fallback) pyOrFallback(match, ctx);
      else if (match.captures.call && isNamedCall(match.captures)) pyCall(match, ctx);
    },
  },
};

export default rule;
