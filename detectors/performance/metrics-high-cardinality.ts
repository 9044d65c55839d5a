import { pyBinding, tsBinding, unwrap } from '../support/bindings.js';
import { words } from '../support/names.js';
import { calleeName, dottedName, hasArgumentList, isNamedCall, PY_METHOD_CALL, replaceNode, stringValue, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * Metric labels (tags, attributes) whose values are unbounded: raw URLs and paths, request
 * parameters, user/order/session ids, emails, IP addresses. Each distinct value is a new time
 * series. Route templates (`req.route.path`, `req.routeOptions.url`, `request.url_rule.rule`,
 * `request.scope["route"].path`, `request.resolver_match.route`), methods and status codes are
 * bounded and never reported.
 */

// ---------------------------------------------------------------------------------------------
// Which calls set labels

/** prom-client / prometheus_client: `.labels(...)` only exists on metrics. */
const LABEL_METHODS = new Set(['labels']);
/** prom-client: `counter.inc({ route }, 1)`, `histogram.observe({ route }, ms)`, `startTimer({ route })`. */
const PROM_LABEL_FIRST = new Set(['inc', 'dec', 'observe', 'set', 'startTimer']);
/** OpenTelemetry: `counter.add(1, attributes)`, `histogram.record(ms, attributes)`. */
const OTEL_METHODS = new Set(['add', 'record']);
/** StatsD clients (hot-shots, node-statsd, datadog, statsd, datadog's Python client). */
const STATSD_METHODS = new Set(['increment', 'incr', 'decrement', 'decr', 'gauge', 'histogram', 'timing', 'timed', 'distribution', 'unique', 'set', 'count']);
const STATSD_RECEIVER = /(statsd|stats|metrics?|datadog|dd|dogstatsd|hotshots|telemetry|monitoring|instrumentation)$/i;
/** Receivers named like a metric: `httpRequestDuration`, `REQUEST_COUNT`, `requestsCounter`. */
const METRIC_RECEIVER = /(counter|histogram|gauge|summary|metric|meter|timer|requests?|latency|duration|seconds|millis|ms|total|count|errors|hits|calls|size|bytes|failures)$/i;
/** Constructors and factories of metrics, for metrics whose variable name says nothing (the callee's last name). */
const FACTORY_NAMES: ReadonlySet<string> = new Set([
  'Counter', 'Histogram', 'Gauge', 'Summary', 'UpDownCounter',
  'createCounter', 'createHistogram', 'createUpDownCounter', 'createGauge', 'createObservableGauge',
  'create_counter', 'create_histogram', 'create_up_down_counter', 'create_gauge',
]);
const METRIC_FACTORY = new RegExp(`(^|\\.)(${[...FACTORY_NAMES].join('|')})$`);
/** Each factory name holds one of these, in some case: where to look for factory calls in a file. */
const FACTORY_WORDS = /counter|histogram|gauge|summary/gi;
/** Functions returned by `startTimer()` that take the labels at the end. */
const TIMER_END = /^(end|endTimer|stopTimer|stop|done|finish|observeDuration)$/;

const METRIC_BINDERS = new Set(['variable_declarator', 'assignment', 'public_field_definition', 'assignment_expression']);
/** What unwrap() looks through from a binder's value to the call, climbed the other way. */
const WRAPPERS = new Set(['await_expression', 'await', 'parenthesized_expression', 'non_null_expression', 'as_expression', 'satisfies_expression', 'type_assertion']);

/** Variable names bound to metric constructors in a file, computed once per file. */
const metricNamesByFile = new WeakMap<object, Set<string>>();

/**
 * `const c = new Counter(…)`, `REQUESTS = Counter(…)`, `this.h = meter.createHistogram(…)`: the
 * names bound to a metric factory's result. Found from the factories' names in the source (most
 * files have none), each climbed to its call and binder, rather than by listing every binding of
 * the file: a PR that touches one line of a large file should not pay for all of it.
 */
function metricNames(ctx: RuleContext, any: SyntaxNode): Set<string> {
  let names = metricNamesByFile.get(ctx.file);
  if (names) return names;
  names = new Set();
  const root = any.tree.rootNode;
  for (const hit of ctx.file.source.matchAll(FACTORY_WORDS)) {
    const word = root.descendantForIndex(hit.index, hit.index + hit[0].length);
    if (!FACTORY_NAMES.has(word.text)) continue;
    const binder = binderOfFactoryCall(word);
    const target = binder && (binder.childForFieldName('name') ?? binder.childForFieldName('left'));
    if (target) names.add(lastName(target));
  }
  metricNamesByFile.set(ctx.file, names);
  return names;
}

/** The binder (declarator, assignment, field) whose value is a factory call ending in `word`. */
function binderOfFactoryCall(word: SyntaxNode): SyntaxNode | undefined {
  // The callee: the word itself, or the member/attribute it ends, then anything dottedName() reads through.
  let callee = word;
  const up = word.parent;
  if ((up?.type === 'member_expression' && up.childForFieldName('property') === word) || (up?.type === 'attribute' && up.childForFieldName('attribute') === word)) callee = up;
  while (callee.parent && (callee.parent.type === 'parenthesized_expression' || callee.parent.type === 'non_null_expression')) callee = callee.parent;
  const call = callee.parent;
  if (!call || (call.type !== 'new_expression' && call.type !== 'call_expression' && call.type !== 'call')) return undefined;
  const fn = call.childForFieldName('constructor') ?? call.childForFieldName('function');
  if (fn !== callee || !METRIC_FACTORY.test(dottedName(fn) ?? '')) return undefined;
  let binder = call.parent;
  for (let i = 0; binder && WRAPPERS.has(binder.type) && i < 20; i++) binder = binder.parent;
  if (!binder || !METRIC_BINDERS.has(binder.type)) return undefined;
  // The same test as reading the binder's value: the call is what unwrap() finds there.
  return unwrap(binder.childForFieldName('value') ?? binder.childForFieldName('right')) === call ? binder : undefined;
}

function lastName(node: SyntaxNode): string {
  const text = dottedName(node) ?? node.text;
  return text.slice(text.lastIndexOf('.') + 1);
}

function isMetric(ctx: RuleContext, receiver: SyntaxNode | null): boolean {
  if (!receiver) return false;
  const name = dottedName(receiver);
  if (!name) return false;
  const last = name.slice(name.lastIndexOf('.') + 1);
  return METRIC_RECEIVER.test(last) || metricNames(ctx, receiver).has(last);
}

interface LabelSite {
  /** Arguments that carry labels/tags/attributes. */
  readonly labels: readonly SyntaxNode[];
  /** Arguments whose text becomes the metric name (StatsD), where a raw path is as bad. */
  readonly names: readonly SyntaxNode[];
}

function positional(args: SyntaxNode | null): SyntaxNode[] {
  return (args?.namedChildren ?? []).filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
}

function keyword(args: SyntaxNode | null, name: string): SyntaxNode | undefined {
  return args?.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value') ?? undefined;
}

/** Every method labelSite() reads labels from: any other call is answered by one Set lookup. */
const LABEL_SITE_METHODS = new Set([...LABEL_METHODS, ...PROM_LABEL_FIRST, ...OTEL_METHODS, ...STATSD_METHODS]);

/** The last name of a receiver as dottedName() would end it, without building the whole name. */
function lastReceiverName(ctx: RuleContext, receiver: SyntaxNode | null): string | undefined {
  if (!receiver) return undefined;
  switch (receiver.type) {
    case 'identifier':
    case 'property_identifier':
    case 'shorthand_property_identifier':
    case 'this':
    case 'super':
      return ctx.text(receiver);
    case 'member_expression': {
      const property = receiver.childForFieldName('property');
      return property ? ctx.text(property) : undefined;
    }
    case 'attribute': {
      const attribute = receiver.childForFieldName('attribute');
      return attribute ? ctx.text(attribute) : undefined;
    }
    case 'non_null_expression':
    case 'parenthesized_expression':
      return lastReceiverName(ctx, receiver.namedChild(0));
    default:
      return undefined;
  }
}

function labelSite(ctx: RuleContext, call: SyntaxNode): LabelSite | undefined {
  const fn = call.childForFieldName('function');
  const python = call.type === 'call';
  if (fn?.type === 'identifier') {
    // const end = histogram.startTimer(); … end({ route: req.path })
    if (python || !TIMER_END.test(ctx.text(fn))) return undefined;
    const binding = tsBinding(fn);
    const value = binding?.kind === 'value' ? unwrap(binding.value) : undefined;
    const started = value?.type === 'call_expression' ? value.childForFieldName('function') : undefined;
    if (started?.type !== 'member_expression' || started.childForFieldName('property')?.text !== 'startTimer') return undefined;
    return { labels: positional(call.childForFieldName('arguments')).slice(0, 1), names: [] };
  }
  if (fn?.type !== 'member_expression' && fn?.type !== 'attribute') return undefined;
  // Most calls are not metric calls: their method name answers before any argument is read.
  const method = ctx.text((fn.childForFieldName('property') ?? fn.childForFieldName('attribute'))!);
  if (!LABEL_SITE_METHODS.has(method)) return undefined;
  const args = call.childForFieldName('arguments');
  const receiver = fn.childForFieldName('object');
  if (LABEL_METHODS.has(method)) return { labels: args?.namedChildren.filter((a) => a.type !== 'comment') ?? [], names: [] };
  const list = positional(args);
  if (!python && PROM_LABEL_FIRST.has(method) && list[0]?.type === 'object' && (method !== 'set' || isMetric(ctx, receiver))) {
    return { labels: [list[0]], names: [] };
  }
  if (OTEL_METHODS.has(method)) {
    // `add`/`record` are in no other list: without attributes or a metric receiver, nothing.
    const attributes = python ? (keyword(args, 'attributes') ?? list[1]) : list[1];
    return attributes && isMetric(ctx, receiver) ? { labels: [attributes], names: [] } : undefined;
  }
  if (!STATSD_METHODS.has(method)) return undefined;
  const receiverLast = lastReceiverName(ctx, receiver);
  if (receiverLast === undefined || !STATSD_RECEIVER.test(receiverLast)) return undefined;
  const receiverName = dottedName(receiver) ?? '';
  if (STATSD_RECEIVER.test(receiverName.slice(receiverName.lastIndexOf('.') + 1))) {
    const tags = python ? [keyword(args, 'tags'), ...list.slice(1).filter((a) => a.type === 'list')] : list.slice(1).filter((a) => a.type === 'array' || a.type === 'object');
    return { labels: tags.filter((t): t is SyntaxNode => !!t), names: list.slice(0, 1) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Which values are unbounded

const REQUEST = /^(req|request|ctx|context|c|event|self\.request|this\.request)$/;
/** Properties that hold the raw URL or path of a request. */
const RAW_URL_PROPS = new Set(['url', 'originalUrl', 'path', 'pathname', 'href', 'path_info', 'full_path', 'raw_path', 'rawPath', 'rawUrl', 'raw_url', 'fullPath', 'query_string', 'querystring', 'search']);
/** Anything under these is a route template, not the raw path. */
const TEMPLATE_PARTS = /(^|\.)(route|routeOptions|routerPath|routePath|routeConfig|_matchedRoute|matchedRoute|url_rule|resolver_match|matched_route|context\.config)(\.|$)/;
/** Request input: any value a client chooses. */
const RAW_INPUT = /^(req|request|ctx|c)\.(params|query|query_params|GET|args|body|headers)(\.|$)|^ctx\.request\.(query|body)(\.|$)/;
/** Entities with one id per user, request or record: unbounded. Tenant ids are left out on purpose. */
const ENTITIES = new Set(['user', 'customer', 'member', 'session', 'request', 'req', 'trace', 'span', 'correlation', 'order', 'invoice', 'payment', 'charge', 'transaction', 'device', 'visitor', 'cart', 'message', 'job', 'subscriber', 'contact', 'person', 'profile', 'document', 'doc', 'file', 'post', 'comment', 'item', 'event', 'delivery', 'conversation', 'ticket', 'upload', 'image', 'video', 'record', 'entity', 'object', 'row', 'anonymous', 'installation', 'pull', 'issue', 'commit', 'sha']);
const IDENTIFIER_WORDS = new Set(['id', 'ids', 'uuid', 'guid', 'uid', 'key']);

/** Whether a name says it holds a per-user/per-record value: `userId`, `user_email`, `clientIp`, `request_id`. */
function unboundedName(name: string): string | undefined {
  const ws = words(name);
  if (ws.length === 0) return undefined;
  if (ws.includes('email') || ws.includes('phone')) return 'an email or phone number';
  if (ws.includes('ip') || (ws.includes('remote') && (ws.includes('addr') || ws.includes('address')))) return 'an IP address';
  const last = ws[ws.length - 1]!;
  if (IDENTIFIER_WORDS.has(last) && last !== 'key') {
    if (ws.length === 1) return 'an id';
    if (ENTITIES.has(ws[ws.length - 2]!)) return 'an id';
  }
  return undefined;
}

/** `user.id`, `req.user.email`, `order.uuid`: a property that names an id of an entity. */
function unboundedProperty(dotted: string): string | undefined {
  const parts = dotted.split('.');
  const property = parts[parts.length - 1]!;
  const owner = parts[parts.length - 2];
  const byName = unboundedName(property);
  if (byName && (byName !== 'an id' || property !== 'id')) return byName;
  if ((property === 'id' || property === 'uuid' || property === 'pk') && owner && ENTITIES.has(words(owner).pop() ?? '')) return 'an id';
  return undefined;
}

function normalise(text: string): string {
  return text.replace(/\?\./g, '.').replace(/!(?=\.)/g, '').replace(/\s+/g, '');
}

/** Why a label value is unbounded (a raw URL, an id, an email), or undefined when it is not known to be. */
function unboundedValue(node: SyntaxNode | null | undefined, depth = 0): string | undefined {
  const n = unwrap(node);
  if (!n || depth > 4) return undefined;
  switch (n.type) {
    case 'identifier': {
      const byName = unboundedName(n.text);
      if (byName) return byName;
      if (/^(url|path|pathname|full_path|raw_path|rawUrl|originalUrl|href)$/.test(n.text)) {
        // A local `path` is as good as what it was set to.
        const binding = n.parent && isPythonNode(n) ? pyBinding(n) : tsBinding(n);
        return binding?.kind === 'value' ? unboundedValue(binding.value, depth + 1) : undefined;
      }
      const binding = isPythonNode(n) ? pyBinding(n) : tsBinding(n);
      return binding?.kind === 'value' && !binding.destructured ? unboundedValue(binding.value, depth + 1) : undefined;
    }
    case 'member_expression':
    case 'attribute':
    case 'subscript':
    case 'subscript_expression': {
      const dotted = accessPath(n);
      if (!dotted) return undefined;
      if (TEMPLATE_PARTS.test(dotted)) return undefined;
      if (RAW_INPUT.test(dotted)) return 'raw request input';
      const parts = dotted.split('.');
      const property = parts[parts.length - 1]!;
      const root = parts.slice(0, -1).join('.');
      if (RAW_URL_PROPS.has(property) && (REQUEST.test(root) || /(^|\.)(req|request|url|nextUrl|scope)$/.test(root) || /^new URL\(/.test(root))) return 'the raw URL path';
      if (/^(request\.)?scope\.(path|raw_path)$|^scope\.path$/.test(dotted)) return 'the raw URL path';
      if (/^(req|request)\.(ip|ips|remote_addr|remoteAddress)$|\.client\.host$|\.socket\.remoteAddress$|META\.(REMOTE_ADDR|HTTP_X_FORWARDED_FOR)$/.test(dotted)) return 'an IP address';
      return unboundedProperty(dotted);
    }
    case 'call_expression':
    case 'call': {
      const name = calleeName(n) ?? '';
      if (/(^|\.)(get_full_path|build_absolute_uri|get_raw_uri)$/.test(name)) return 'the raw URL path';
      // String(x), x.toString(), str(x), encodeURIComponent(x), x.toLowerCase(), x.split('?')[0] …
      const fn = n.childForFieldName('function');
      if (fn?.type === 'member_expression' || fn?.type === 'attribute') {
        const method = (fn.childForFieldName('property') ?? fn.childForFieldName('attribute'))!.text;
        if (/^(toString|toLowerCase|toUpperCase|trim|lower|upper|strip|split|replace|slice|substring)$/.test(method)) return unboundedValue(fn.childForFieldName('object'), depth + 1);
      }
      if (/^(String|str|encodeURIComponent|encodeURI|decodeURIComponent|unquote|quote)$/.test(name)) {
        return unboundedValue(positional(n.childForFieldName('arguments'))[0], depth + 1);
      }
      return undefined;
    }
    case 'new_expression':
      return undefined;
    case 'template_string':
      for (const part of n.namedChildren) {
        if (part.type !== 'template_substitution') continue;
        const why = unboundedValue(part.namedChild(0), depth + 1);
        if (why) return why;
      }
      return undefined;
    case 'string':
      for (const part of n.namedChildren) {
        if (part.type !== 'interpolation') continue;
        const why = unboundedValue(part.namedChild(0), depth + 1);
        if (why) return why;
      }
      return undefined;
    case 'binary_expression':
    case 'binary_operator':
    case 'boolean_operator':
    case 'ternary_expression':
    case 'conditional_expression':
      // `'path:' + req.path`, `req.route?.path ?? req.path` (the fallback is the raw path)
      for (const part of n.namedChildren) {
        const why = unboundedValue(part, depth + 1);
        if (why) return why;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** `req.route?.path` → `req.route.path`; `request.scope["route"].path` → `request.scope.route.path`; `new URL(req.url).pathname` kept as text. */
function accessPath(node: SyntaxNode): string | undefined {
  const dotted = dottedName(node);
  if (dotted) return normalise(dotted);
  if (node.type === 'subscript' || node.type === 'subscript_expression') {
    const object = node.childForFieldName('value') ?? node.childForFieldName('object');
    const key = stringValue(node.childForFieldName('subscript') ?? node.childForFieldName('index'));
    const base = object ? accessPath(object) : undefined;
    return base && key ? `${base}.${key}` : base;
  }
  if (node.type === 'member_expression' || node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const property = (node.childForFieldName('property') ?? node.childForFieldName('attribute'))?.text;
    const base = object ? accessPath(unwrap(object)!) ?? normalise(object.text) : undefined;
    return base && property ? `${base}.${property}` : undefined;
  }
  return undefined;
}

const pythonTrees = new WeakMap<object, boolean>();

/** Whether a node is in a Python tree: its root is a `module` (found once per tree). */
function isPythonNode(node: SyntaxNode): boolean {
  let python = pythonTrees.get(node.tree);
  if (python === undefined) {
    python = node.tree.rootNode.type === 'module';
    pythonTrees.set(node.tree, python);
  }
  return python;
}

// ---------------------------------------------------------------------------------------------
// Walking the labels

interface Offender {
  readonly node: SyntaxNode;
  readonly why: string;
  readonly label?: string;
}

function offendersIn(labels: SyntaxNode): Offender[] {
  const out: Offender[] = [];
  const visit = (node: SyntaxNode, label: string | undefined): void => {
    const n = unwrap(node) ?? node;
    switch (n.type) {
      case 'object':
      case 'dictionary':
        for (const entry of n.namedChildren) {
          if (entry.type === 'pair') {
            const key = entry.childForFieldName('key');
            const value = entry.childForFieldName('value');
            const name = key ? (stringValue(key) ?? key.text) : undefined;
            if (value) visit(value, name);
          } else if (entry.type === 'shorthand_property_identifier') {
            const why = unboundedName(entry.text) ?? unboundedValue(entry);
            if (why) out.push({ node: entry, why, label: entry.text });
          }
        }
        return;
      case 'array':
      case 'list':
      case 'tuple':
      case 'arguments':
      case 'argument_list':
        for (const item of n.namedChildren) visit(item, undefined);
        return;
      case 'keyword_argument': {
        const name = n.childForFieldName('name')?.text;
        const value = n.childForFieldName('value');
        if (value) visit(value, name);
        return;
      }
      default: {
        const why = unboundedValue(n) ?? (label && isOpaque(n) ? unboundedName(label) : undefined);
        if (why) out.push({ node: n, why, ...(label ? { label } : {}) });
      }
    }
  };
  visit(labels, undefined);
  return out;
}

/** A value we cannot read (not a literal): the label's own name then tells what it holds. */
function isOpaque(node: SyntaxNode): boolean {
  return stringValue(node) === undefined && !['number', 'integer', 'float', 'true', 'false', 'null', 'none', 'undefined'].includes(node.type);
}

// ---------------------------------------------------------------------------------------------
// Suggestions

const frameworkByFile = new WeakMap<object, 'express' | 'fastify' | undefined>();

function tsFramework(ctx: RuleContext): 'express' | 'fastify' | undefined {
  if (frameworkByFile.has(ctx.file)) return frameworkByFile.get(ctx.file);
  const source = ctx.file.source;
  const framework = /from ['"]fastify['"]|require\(['"]fastify['"]\)|FastifyRequest/.test(source)
    ? 'fastify'
    : /from ['"]express['"]|require\(['"]express['"]\)|express\.Request|\bRequest, Response\b.*from ['"]express/.test(source)
      ? 'express'
      : undefined;
  frameworkByFile.set(ctx.file, framework);
  return framework;
}

/** `req.originalUrl` → `req.route?.path ?? 'unmatched'` (Express), `request.url` → `request.routeOptions.url` (Fastify). */
function templateSuggestion(ctx: RuleContext, node: SyntaxNode): Suggestion | undefined {
  if (node.type !== 'member_expression') return undefined;
  const object = node.childForFieldName('object');
  const property = node.childForFieldName('property')?.text ?? '';
  if (object?.type !== 'identifier' || !/^(req|request)$/.test(object.text) || !/^(url|originalUrl|path)$/.test(property)) return undefined;
  const framework = tsFramework(ctx);
  if (framework === 'fastify') return replaceNode(ctx.file, node, `${object.text}.routeOptions.url`);
  if (framework === 'express') return replaceNode(ctx.file, node, `${object.text}.route?.path ?? 'unmatched'`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function check(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const site = labelSite(ctx, call);
  if (!site) return;
  const python = call.type === 'call';
  for (const labels of site.labels) {
    for (const offender of offendersIn(labels)) {
      const text = ctx.text(offender.node).replace(/\s+/g, ' ');
      const label = offender.label ? `label \`${offender.label}\`` : 'metric label';
      const suggestion = python ? undefined : templateSuggestion(ctx, offender.node);
      ctx.report({
        node: offender.node,
        message: `The ${label} is set from \`${text.length > 60 ? text.slice(0, 57) + '…' : text}\`, ${offender.why}: every distinct value becomes a new time series, so the metrics backend's memory and bill grow with traffic. Label by route template, method and status instead.`,
        ...(suggestion ? { suggestion } : {}),
      });
    }
  }
  for (const name of site.names) {
    const why = name.type === 'template_string' || name.type === 'string' || name.type === 'binary_expression' || name.type === 'binary_operator' ? unboundedValue(name) : undefined;
    if (why) {
      ctx.report({
        node: name,
        message: `The metric name is built from ${why}: every distinct value creates a new metric. Use a fixed name and put the route template in a tag.`,
      });
    }
  }
}

const rule: Rule = {
  meta: {
    id: 'metrics-high-cardinality',
    title: 'Metric label from a raw URL, id or email',
    severity: 'P1',
    category: 'Performance',
    languages: ['ts', 'py'],
    docs: {
      why: 'Every distinct label value is a separate time series. Labels taken from raw paths (`/users/8412/orders`), ids or emails create one series per user or URL: Prometheus runs out of memory, Datadog bills per custom metric, and dashboards stop loading.',
      fix: 'Label by the route template (`req.route.path`, Fastify `request.routeOptions.url`, Starlette `request.scope["route"].path`, Flask `request.url_rule.rule`, Django `request.resolver_match.route`), the method and the status code. Put ids in logs or traces, not in metrics.',
      example: {
        bad: `res.on('finish', () => {
  httpRequests.inc({ method: req.method, path: req.originalUrl, status: res.statusCode });
});`,
        good: `res.on('finish', () => {
  httpRequests.inc({ method: req.method, path: req.route?.path ?? 'unmatched', status: res.statusCode });
});`,
      },
    },
  },
  // Labels are read only from the methods labelSite() knows, each named in the file: `labels`,
  // `startTimer`, prom-client `inc`/`dec`/`observe`/`set`, OpenTelemetry `add`/`record`, StatsD
  // `increment`/`incr`/`decrement`/`decr`/`gauge`/`histogram`/`timing`/`timed`/`distribution`/
  // `unique`/`count`/`set`. The receivers cannot narrow it ('dd', 'ms' are too short).
  requires: ['labels', 'starttimer', 'inc', 'dec', 'observe', 'set', 'add', 'record', 'gauge', 'histogram', 'timing', 'timed', 'distribution', 'unique', 'count'],
  scope: 'changed',
  ts: {
    query: `${TS_CALL} @call`,
    onMatch: (match, ctx) => {
      if (isNamedCall(match.captures)) check(match, ctx);
    },
  },
  py: {
    // Every method call, in the shape other rules write (the engine matches it once for all of
    // them); calls whose argument is a bare generator (`f(x for x in y)`) are dropped here.
    query: `${PY_METHOD_CALL} @call`,
    onMatch: (match, ctx) => {
      if (hasArgumentList(match.captures)) check(match, ctx);
    },
  },
};

export default rule;
