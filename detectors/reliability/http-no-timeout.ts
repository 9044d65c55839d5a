import { fileRole } from '../support/file-role.js';
import { callArguments, calleeName, hasSplat, hasSpread, insertAfter, isNamedCall, keywordArgument, objectProperty, PY_CALL, replaceNode, TS_CALL } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, Severity, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * Outbound HTTP without a timeout waits as long as the other side likes: Node's `fetch`, axios,
 * got, Python's requests and urllib default to no timeout at all. One slow dependency then holds
 * every request handler, worker slot and connection that calls it.
 */

/** Roles of code that is not a long-running server: a hang there is seen and killed by a person. */
const NOT_SERVER = new Set(['browser', 'test', 'build', 'cli', 'script']);

/** Front-end state and data libraries: a file using them runs in the browser (Redux thunks, SWR fetchers). */
const FRONTEND_IMPORT =
  /\bfrom\s+['"](@reduxjs\/toolkit|redux|react-redux|zustand|jotai|recoil|pinia|vuex|swr|@tanstack\/(react|vue|svelte)-query|@apollo\/client|react-router(-dom)?|vue-router)['"]/;

/** Scripts that say so in their code: `main()` run at the top level, `require.main === module`. */
const SCRIPT_ENTRY = /^(main|run)\(\);?\s*$|^(void\s+)?main\(\)\.(catch|then)\(|require\.main\s*===\s*module|import\.meta\.main\b/m;

/**
 * Whole-file tests (a front-end import, a script entry, a local `fetch`, `axios.defaults.timeout`)
 * answered once per file and key, not once per call: a file with hundreds of calls would rescan
 * itself hundreds of times.
 */
const fileTests = new WeakMap<FileView, Map<string, boolean>>();

function fileTest(file: FileView, key: string, test: () => boolean): boolean {
  let tests = fileTests.get(file);
  if (!tests) fileTests.set(file, (tests = new Map()));
  let result = tests.get(key);
  if (result === undefined) {
    result = test();
    tests.set(key, result);
  }
  return result;
}

/** A Python test function, or a `__main__` block: code a person runs and watches. */
function inPythonTestOrMain(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' && /^test_/.test(p.childForFieldName('name')?.text ?? '')) return true;
    if (p.type === 'if_statement' && /__name__\s*==\s*['"]__main__['"]/.test(p.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

function isServerSide(ctx: RuleContext, node: SyntaxNode): boolean {
  let root = node;
  while (root.parent) root = root.parent;
  if (NOT_SERVER.has(fileRole(ctx.file, root).role)) return false;
  if (ctx.file.language === 'python') return !inPythonTestOrMain(node);
  return !fileTest(ctx.file, 'frontend', () => FRONTEND_IMPORT.test(ctx.file.source)) && !fileTest(ctx.file, 'script', () => SCRIPT_ENTRY.test(ctx.file.source));
}

const WAITS = 'if the other side stops answering, the call waits forever and holds the request (and its connection) with it.';

// ---------------------------------------------------------------------------------------------
// TypeScript

/** A suggestion adding `property` to an options object literal, or appending it as a new argument. */
function addOption(ctx: RuleContext, call: SyntaxNode, options: SyntaxNode | undefined, property: string, position: number): Suggestion | undefined {
  if (options?.type === 'object') {
    const last = options.namedChildren.filter((c) => c.type !== 'comment').pop();
    return last ? insertAfter(ctx.file, last, `, ${property}`) : replaceNode(ctx.file, options, `{ ${property} }`);
  }
  const args = callArguments(call);
  // Only when the options argument is the next one: `axios.post(url)` would need `undefined` for data.
  if (options || args.length !== position || args.length === 0) return undefined;
  return insertAfter(ctx.file, args[args.length - 1]!, `, { ${property} }`);
}

/** Whether an options argument may carry the key: an object with it, a spread, or not a literal at all. */
function mayCarry(options: SyntaxNode | undefined, key: string): boolean {
  if (!options) return false;
  if (options.type !== 'object') return true;
  return objectProperty(options, key) !== undefined || hasSpread(options);
}

/** A local `fetch` that is not the platform's (a wrapper with its own timeout, a mock). */
const LOCAL_FETCH = /\b(function\s+fetch\s*\(|(const|let|var)\s+fetch\s*=\s*(?!require\(['"](node-fetch|undici|cross-fetch)['"]\)))/;

function checkFetch(ctx: RuleContext, call: SyntaxNode): void {
  if (fileTest(ctx.file, 'local fetch', () => LOCAL_FETCH.test(ctx.file.source))) return;
  const [url, options] = callArguments(call);
  if (!url || mayCarry(options, 'signal')) return;
  // `fetch('data:,')`, `fetch(blobUrl)`: nothing goes over the network.
  if (/^['"`](data|blob|file):/.test(url.text)) return;
  report(ctx, call, '`fetch()` has no `signal`, so no timeout', 'P1', addOption(ctx, call, options, 'signal: AbortSignal.timeout(10_000)', 1));
}

const AXIOS_WITH_DATA = new Set(['post', 'put', 'patch', 'postForm', 'putForm', 'patchForm']);
const AXIOS_WITHOUT_DATA = new Set(['get', 'delete', 'head', 'options', 'getUri']);

/** Where axios takes its config: `axios.get(url, config)`, `axios.post(url, data, config)`, `axios(config)`. */
function axiosConfigIndex(method: string | undefined, first: SyntaxNode | undefined): number | undefined {
  if (method === undefined || method === 'request') return first?.type === 'object' || method === 'request' ? 0 : 1;
  if (AXIOS_WITH_DATA.has(method)) return 2;
  if (AXIOS_WITHOUT_DATA.has(method)) return 1;
  if (method === 'create') return 0;
  return undefined;
}

/** `axios.defaults.timeout = 10_000` (or on an instance) makes every call on it bounded. */
function hasDefaultTimeout(file: FileView, client: string): boolean {
  return fileTest(file, `defaults ${client}`, () => new RegExp(`\\b${client.replace(/[.$]/g, '\\$&')}\\.defaults\\.timeout\\s*=`).test(file.source));
}

function checkAxios(ctx: RuleContext, call: SyntaxNode, callee: string): void {
  const method = callee === 'axios' ? undefined : callee.slice('axios.'.length);
  const args = callArguments(call);
  const index = axiosConfigIndex(method, args[0]);
  if (index === undefined || mayCarry(args[index], 'timeout')) return;
  if (method === 'create') {
    const declarator = call.parent?.type === 'variable_declarator' ? call.parent.childForFieldName('name')?.text : undefined;
    if (declarator && hasDefaultTimeout(ctx.file, declarator)) return;
    report(ctx, call, '`axios.create()` makes a client without a `timeout`, so every call on it has none', 'P1', addOption(ctx, call, args[0], 'timeout: 10_000', 0));
    return;
  }
  if (hasDefaultTimeout(ctx.file, 'axios')) return;
  report(ctx, call, `\`${callee}()\` has no \`timeout\` (axios waits forever by default)`, 'P1', addOption(ctx, call, args[index], 'timeout: 10_000', index));
}

const GOT_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'extend', 'stream']);

function checkGot(ctx: RuleContext, call: SyntaxNode, callee: string): void {
  const method = callee === 'got' ? undefined : callee.slice('got.'.length);
  if (method !== undefined && !GOT_METHODS.has(method)) return;
  const args = callArguments(call);
  const index = method === 'extend' || args[0]?.type === 'object' ? 0 : 1;
  if (mayCarry(args[index], 'timeout')) return;
  const what = method === 'extend' ? '`got.extend()` makes a client without a `timeout`, so every call on it has none' : `\`${callee}()\` has no \`timeout\` (got waits forever by default)`;
  report(ctx, call, what, 'P1', addOption(ctx, call, args[index], 'timeout: { request: 10_000 }', index));
}

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = calleeName(call);
  if (!callee) return;
  const check =
    callee === 'fetch' || callee === 'globalThis.fetch'
      ? () => checkFetch(ctx, call)
      : callee === 'axios' || callee.startsWith('axios.')
        ? () => checkAxios(ctx, call, callee)
        : callee === 'got' || callee.startsWith('got.')
          ? () => checkGot(ctx, call, callee)
          : undefined;
  if (check && isServerSide(ctx, call)) check();
}

// ---------------------------------------------------------------------------------------------
// Python

const REQUESTS_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
const URLOPEN = /^(urlopen|urllib\.request\.urlopen|request\.urlopen|urllib2\.urlopen)$/;

function appendKeyword(ctx: RuleContext, call: SyntaxNode, keyword: string): Suggestion | undefined {
  const args = callArguments(call);
  const last = args[args.length - 1];
  return last ? insertAfter(ctx.file, last, `, ${keyword}`) : undefined;
}

/** Names bound to boto3 sessions in this file: `session = boto3.Session(profile_name=…)`. */
function boto3Sessions(source: string): Set<string> {
  return new Set([...source.matchAll(/^\s*([\w.]+)\s*=\s*boto3\.(?:session\.)?Session\(/gm)].map((m) => m[1]!));
}

function checkBoto3(ctx: RuleContext, call: SyntaxNode, callee: string): void {
  const owner = callee.slice(0, callee.lastIndexOf('.'));
  if (owner !== 'boto3' && !boto3Sessions(ctx.file.source).has(owner)) return;
  if (hasSplat(call)) return;
  const config = keywordArgument(call, 'config');
  if (config && !(config.type === 'call' && /(^|\.)Config$/.test(calleeName(config) ?? ''))) return;
  if (config && (keywordArgument(config, 'connect_timeout') || keywordArgument(config, 'read_timeout') || hasSplat(config))) return;
  const what = config ? `\`${callee}()\` gets a \`Config\` without \`connect_timeout\`/\`read_timeout\`` : `\`${callee}()\` has no \`Config\` with timeouts`;
  ctx.report({
    node: call,
    severity: 'P2',
    message: `${what}: botocore waits 60 s to connect and 60 s per read, retried, before a stuck AWS call gives up.`,
  });
}

/*
 * httpx and aiohttp have deadlines unless told otherwise (httpx 5 s per operation, an aiohttp
 * session 5 minutes in all), so a call without `timeout` is fine; what is reported is turning
 * them off: `timeout=None`, `httpx.Timeout(None)`, an `aiohttp.ClientTimeout` with no bound set.
 */
const HTTPX_CALLS = new Set([...REQUESTS_METHODS, 'stream', 'Client', 'AsyncClient']);
const AIOHTTP_BOUNDS = ['total', 'connect', 'sock_connect', 'sock_read'];

/** `httpx.get(…)`, or `AsyncClient(…)` imported from httpx. */
function httpxCall(owner: string, method: string, source: string): boolean {
  if (!HTTPX_CALLS.has(method)) return false;
  if (owner === 'httpx') return true;
  return owner === '' && (method === 'Client' || method === 'AsyncClient') && /^\s*from\s+httpx\s+import\b/m.test(source);
}

/** `timeout=None` or `httpx.Timeout(None)`: no deadline at all. */
function disablesHttpxTimeout(value: SyntaxNode): boolean {
  if (value.type === 'none') return true;
  if (value.type !== 'call' || !/^(httpx\.)?Timeout$/.test(calleeName(value) ?? '')) return false;
  const args = callArguments(value);
  return args.length === 1 && args[0]!.type === 'none';
}

/** `aiohttp.ClientTimeout()` / `ClientTimeout(total=None)`: every bound left unset or None. */
function unboundedClientTimeout(call: SyntaxNode, callee: string, source: string): boolean {
  if (callee !== 'aiohttp.ClientTimeout' && !(callee === 'ClientTimeout' && /^\s*from\s+aiohttp\s+import\b/m.test(source))) return false;
  const args = callArguments(call);
  if (hasSplat(call) || args.some((a) => a.type !== 'keyword_argument')) return false;
  return AIOHTTP_BOUNDS.every((name) => {
    const value = keywordArgument(call, name);
    return !value || value.type === 'none';
  });
}

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = calleeName(call);
  if (!callee) return;
  const [owner, method] = [callee.slice(0, callee.lastIndexOf('.')), callee.slice(callee.lastIndexOf('.') + 1)];
  if (owner === 'requests' && REQUESTS_METHODS.has(method)) {
    if (keywordArgument(call, 'timeout') || hasSplat(call) || !isServerSide(ctx, call)) return;
    report(ctx, call, `\`${callee}()\` has no \`timeout=\` (requests waits forever by default)`, 'P1', appendKeyword(ctx, call, 'timeout=10'));
  } else if (URLOPEN.test(callee)) {
    const positional = callArguments(call).filter((a) => a.type !== 'keyword_argument');
    if (keywordArgument(call, 'timeout') || positional.length >= 3 || hasSplat(call) || !isServerSide(ctx, call)) return;
    report(ctx, call, `\`${callee}()\` has no \`timeout\` (it waits on the socket's default, which is forever)`, 'P1', appendKeyword(ctx, call, 'timeout=10'));
  } else if (httpxCall(callee.includes('.') ? owner : '', method, ctx.file.source)) {
    const timeout = keywordArgument(call, 'timeout');
    if (!timeout || !disablesHttpxTimeout(timeout) || !isServerSide(ctx, call)) return;
    report(ctx, call, `\`${callee}()\` is given \`timeout=${ctx.text(timeout)}\`, which turns off httpx's 5 s default`, 'P1', replaceNode(ctx.file, timeout, '10'));
  } else if (unboundedClientTimeout(call, callee, ctx.file.source)) {
    if (!isServerSide(ctx, call)) return;
    report(ctx, call, `\`${ctx.text(call)}\` sets no bound (aiohttp's \`ClientTimeout\` fields all default to None, unlike the session's own 5-minute default)`, 'P1', undefined);
  } else if ((method === 'client' || method === 'resource') && isServerSide(ctx, call)) {
    checkBoto3(ctx, call, callee);
  }
}

function report(ctx: RuleContext, call: SyntaxNode, what: string, severity: Severity, suggestion: Suggestion | undefined): void {
  ctx.report({ node: call, severity, message: `${what}: ${WAITS}`, ...(suggestion ? { suggestion } : {}) });
}

const rule: Rule = {
  meta: {
    id: 'http-no-timeout',
    title: 'Outbound HTTP call without a timeout',
    severity: 'P1',
    category: 'Reliability',
    languages: ['ts', 'py'],
    docs: {
      why: "Node's `fetch`, axios, got, Python's requests and urllib wait forever by default. When a dependency hangs instead of failing, every request that calls it hangs too, until workers, sockets and the connection pool run out and the whole service stops answering.",
      fix: 'Give every outbound call a deadline shorter than your own: `signal: AbortSignal.timeout(10_000)` for fetch, `timeout: 10_000` in the axios/got options (or once on `axios.create`), `timeout=10` for requests and urlopen (and never `timeout=None` for httpx, whose default is 5 s, nor an aiohttp `ClientTimeout` with no bound), a botocore `Config(connect_timeout=…, read_timeout=…)` for boto3.',
      example: {
        bad: "const res = await fetch(`${BILLING_URL}/invoices`, { method: 'POST', body });",
        good: "const res = await fetch(`${BILLING_URL}/invoices`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });",
      },
    },
  },
  // Every finding is on a call whose callee names the client: TS `fetch`/`globalThis.fetch`,
  // `axios`/`axios.*`, `got`/`got.*`; Python `requests.*`, `urlopen` (bare or dotted), boto3's
  // `client`/`resource` on `boto3` or a name bound from `boto3.Session(` in the file, `httpx.*` or
  // an httpx client imported `from httpx`, and aiohttp's `ClientTimeout` (dotted or imported).
  requires: { ts: ['fetch', 'axios', 'got'], py: ['requests', 'urlopen', 'boto3', 'httpx', 'aiohttp'] },
  ts: {
    query: `${TS_CALL} @call`,
    onMatch: (match, ctx) => {
      if (isNamedCall(match.captures)) checkTs(match, ctx);
    },
  },
  py: {
    query: `${PY_CALL} @call`,
    onMatch: (match, ctx) => {
      if (isNamedCall(match.captures)) checkPy(match, ctx);
    },
  },
};

export default rule;
