import { fileRole } from '../support/file-role.js';
import { callArguments, calleeName, insertAfter, isNamedCall, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A Node process does not exit while a timer is pending. A `setInterval` that is never cleared
 * nor `.unref()`ed keeps a server alive after it closed its listener: a graceful shutdown hangs
 * until the orchestrator kills it, mid-request and mid-job.
 */

/** Roles of code that does not run in a long-lived Node server. */
const NOT_SERVER = new Set(['browser', 'test', 'build', 'cli', 'script']);
const TIMER_GLOBALS = new Set(['setInterval', 'global.setInterval', 'globalThis.setInterval']);
/**
 * What stops a timer handle: `clearInterval(h)`, `timers.clearInterval(h)`, and the compiled form
 * of an imported one, `(0, timers_1.clearInterval)(h)`.
 */
const RELEASE_CALLEE = /^\(?(?:0,\s*)?(?:[\w$]+\.)*clear(Interval|Timeout)\)?$/;
const RELEASING_METHODS = new Set(['unref', 'close']);
/** React effects own their timers (and clean them up in the effect's return). */
const REACT_EFFECT = /\buse(Layout)?Effect\s*\(/;

function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

/** `this.timer!`, `(timer as NodeJS.Timeout)`, `this.timer?.` → the handle's plain text. */
function handleText(node: SyntaxNode): string {
  return node.text.replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!$/, '').replace(/^\((.*)as[\w.<>]+\)$/, '$1');
}

function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (['parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression'].includes(n.type) && n.namedChild(0)) n = n.namedChild(0)!;
  return n;
}

/** Whether anything in the file clears or unrefs the handle: `clearInterval(h)`, `h.unref()`, `h?.close()`. */
function isReleased(root: SyntaxNode, handle: string): boolean {
  for (const n of root.descendantsOfType('call_expression')) {
    const callee = n.childForFieldName('function')?.text ?? '';
    if (RELEASE_CALLEE.test(callee)) {
      const arg = callArguments(n)[0];
      if (arg && handleText(unwrap(arg)) === handle) return true;
      continue;
    }
    const fn = n.childForFieldName('function');
    if (fn?.type === 'member_expression' && RELEASING_METHODS.has(fn.childForFieldName('property')?.text ?? '')) {
      const object = fn.childForFieldName('object');
      if (object && handleText(unwrap(object)) === handle) return true;
    }
  }
  return false;
}

type Use = { kind: 'statement' } | { kind: 'handle'; handle: string; target: SyntaxNode } | { kind: 'owned' };

/** What the program does with the timer the call returns. */
function useOf(call: SyntaxNode): Use {
  let node = call;
  let parent = node.parent;
  while (parent && ['parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression'].includes(parent.type)) {
    node = parent;
    parent = node.parent;
  }
  if (!parent) return { kind: 'owned' };
  switch (parent.type) {
    case 'expression_statement':
      return { kind: 'statement' };
    case 'variable_declarator': {
      const name = parent.childForFieldName('name');
      return name?.type === 'identifier' ? { kind: 'handle', handle: name.text, target: name } : { kind: 'owned' };
    }
    case 'assignment_expression': {
      const left = parent.childForFieldName('left');
      return left && parent.childForFieldName('right')?.id === node.id ? { kind: 'handle', handle: handleText(left), target: left } : { kind: 'owned' };
    }
    default:
      // `setInterval(…).unref()`, returned, passed to a function, stored in a collection: the
      // handle is released or owned by code we do not follow.
      return { kind: 'owned' };
  }
}

/**
 * Signs that a file of unknown role runs under Node: a browser game or widget also calls
 * `setInterval`, and there nobody waits for the process to exit.
 */
const NODE_SIGNAL =
  /\bprocess\.(on|once|env|exit|memoryUsage|hrtime)\b|\bfrom\s+['"]node:|\brequire\(\s*['"](node:)?(fs|path|os|http|https|net|events|worker_threads|cluster|child_process|crypto|stream)['"]|\bfrom\s+['"](fs|path|os|http|https|net|events|worker_threads|cluster|child_process|crypto|stream)(\/promises)?['"]|\bNodeJS\.Timeout\b|\bmodule\.exports\b|\bfrom\s+['"](fastify-plugin|fastify|@nestjs\/[\w-]+)['"]/;

function runsInNodeServer(ctx: RuleContext, root: SyntaxNode): boolean {
  const role = fileRole(ctx.file, root).role;
  if (NOT_SERVER.has(role) || REACT_EFFECT.test(ctx.file.source)) return false;
  return role === 'server' || NODE_SIGNAL.test(ctx.file.source);
}

/** Handles handed to other code (`timers.push(t)`, `return t`, `{ timer: t }`): released elsewhere. */
function escapes(root: SyntaxNode, handle: string, declaration: SyntaxNode): boolean {
  for (const n of root.descendantsOfType(['identifier', 'member_expression'])) {
    if (n === declaration || handleText(n) !== handle) continue;
    const parent = n.parent;
    if (!parent) continue;
    if (parent.type === 'arguments' || parent.type === 'return_statement' || parent.type === 'array' || parent.type === 'pair' || parent.type === 'shorthand_property_identifier') return true;
    if (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === n.id) return true;
    if (parent.type === 'variable_declarator' && parent.childForFieldName('value')?.id === n.id) return true;
  }
  return false;
}

function check(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = calleeName(call);
  if (!callee || !TIMER_GLOBALS.has(callee)) return;
  const root = rootOf(call);
  if (!runsInNodeServer(ctx, root)) return;
  const use = useOf(call);
  if (use.kind === 'owned') return;
  if (use.kind === 'handle' && (isReleased(root, use.handle) || escapes(root, use.handle, use.target))) return;
  const subject = use.kind === 'handle' ? `\`${use.handle}\` (a \`setInterval\` timer) is never cleared nor \`.unref()\`ed` : 'This `setInterval` timer is never cleared nor `.unref()`ed';
  ctx.report({
    node: call,
    message: `${subject}: it keeps the Node process alive after the server closes, so a graceful shutdown hangs until the process is killed.`,
    suggestion: insertAfter(ctx.file, call, '.unref()'),
  });
}

const rule: Rule = {
  meta: {
    id: 'interval-no-unref',
    title: 'setInterval keeps the process alive',
    severity: 'P1',
    category: 'Reliability',
    languages: ['ts'],
    docs: {
      why: "Node does not exit while a timer is pending. A `setInterval` that nobody clears holds the process open after `server.close()`: deploys and autoscaling wait out the shutdown grace period, then SIGKILL the process in the middle of requests and jobs.",
      fix: "Call `.unref()` on timers that only do background housekeeping (metrics flushes, cache sweeps), or keep the handle and `clearInterval` it in the shutdown hook (`process.on('SIGTERM')`, Fastify `onClose`, NestJS `onModuleDestroy`).",
      example: {
        bad: 'setInterval(() => cache.prune(), 60_000);',
        good: 'setInterval(() => cache.prune(), 60_000).unref();',
      },
    },
  },
  // Only calls whose callee is `setInterval` (bare, `global.` or `globalThis.`) are reported.
  requires: ['setinterval'],
  ts: {
    query: `${TS_CALL} @call`,
    onMatch: (match, ctx) => {
      if (isNamedCall(match.captures)) check(match, ctx);
    },
  },
};

export default rule;
