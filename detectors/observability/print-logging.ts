import { fileRole } from '../support/file-role.js';
import { calleeName, replaceNode } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * `print()` in application modules. Whether a module is application code is decided by
 * `support/file-role.ts`:
 * - application: imports an application framework (Django, Flask, FastAPI, Starlette, DRF,
 *   Celery, RQ, aiohttp.web, …), or sits where applications keep request and job code
 *   (`views.py`, `tasks.py`, `signals.py`, `serializers.py`, `views/`, `api/`, `routers/`,
 *   `services/`, `handlers/`, `workers/`, `webhooks/`);
 * - never flagged: tests and `conftest.py`, files starting with `#!`, `manage.py`, `setup.py`,
 *   `__main__.py`, Django `management/` (commands and migrate hooks), `settings.py` and
 *   `wsgi.py`/`asgi.py` (they run before logging is configured), `scripts/`, `bin/`,
 *   `migrations/`, notebooks, and modules importing click/typer/argparse/docopt/fire (CLIs);
 *   a framework's own modules (Django importing `django.*`) are library code, not application
 *   code. Anything else is unknown and not flagged.
 * Inside an application module, prints in the `if __name__ == "__main__":` block, and in the
 * functions that block calls (`main()`), are the module's script side and are not flagged;
 * `print(row, file=fh)` writes a file, not a log line.
 */

const MAIN_GUARD = /^__name__\s*==\s*['"]__main__['"]$|^['"]__main__['"]\s*==\s*__name__$/;
const LOGGER_FACTORY = /^(logging\.getLogger|getLogger|structlog\.get_logger|get_logger|structlog\.getLogger|get_task_logger)$/;

interface ModuleFacts {
  /** Functions called from the `__main__` block. */
  readonly scriptFunctions: ReadonlySet<string>;
  /** The module-level logger's name, when there is one. */
  readonly logger: string | undefined;
}

const factsCache = new WeakMap<FileView, ModuleFacts>();

function isMainGuard(node: SyntaxNode): boolean {
  return node.type === 'if_statement' && MAIN_GUARD.test(node.childForFieldName('condition')?.text.trim() ?? '');
}

function moduleFacts(file: FileView, root: SyntaxNode): ModuleFacts {
  let facts = factsCache.get(file);
  if (facts) return facts;
  const scriptFunctions = new Set<string>();
  let logger: string | undefined;
  for (const statement of root.namedChildren) {
    if (isMainGuard(statement)) {
      for (const call of statement.descendantsOfType('call')) {
        const name = calleeName(call);
        if (name && !name.includes('.')) scriptFunctions.add(name);
      }
    }
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (!logger && assignment?.type === 'assignment') {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type === 'identifier' && right?.type === 'call' && LOGGER_FACTORY.test(calleeName(right) ?? '')) logger = left.text;
    }
  }
  facts = { scriptFunctions, logger };
  factsCache.set(file, facts);
  return facts;
}

/** The outermost function around a node (a method's class does not count). */
function topLevelFunction(node: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') found = p;
  return found;
}

function inScriptPart(call: SyntaxNode, facts: ModuleFacts): boolean {
  for (let p = call.parent; p; p = p.parent) if (isMainGuard(p)) return true;
  const fn = topLevelFunction(call);
  const name = fn?.childForFieldName('name')?.text;
  return !!name && fn!.parent?.type === 'module' && facts.scriptFunctions.has(name);
}

/** `if verbosity >= 2:` / `if self.verbose:`: console output the caller asked for, not logging. */
const VERBOSITY = /\bverbos|\bquiet\b|\bsilent\b/i;

function underVerbosityGuard(call: SyntaxNode): boolean {
  for (let p = call.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const condition = p.childForFieldName('condition');
      if (condition && VERBOSITY.test(condition.text)) return true;
    }
  }
  return false;
}

function check(match: RuleMatch, ctx: RuleContext): void {
  const { call, fn } = match.captures;
  if (!call || fn?.text !== 'print') return;
  const root = call.tree.rootNode;
  const role = fileRole(ctx.file, root);
  if (role.role !== 'server') return;
  const facts = moduleFacts(ctx.file, root);
  if (inScriptPart(call, facts)) return;
  if (underVerbosityGuard(call)) return;

  const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  // `print(row, file=fh)` writes a file, not a log line.
  const target = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'file')?.childForFieldName('value');
  if (target && !/^sys\.(__)?(stdout|stderr)(__)?$/.test(target.text)) return;
  // One positional argument maps one-to-one onto `logger.info(...)`; `sep=`/`file=`/several values do not.
  const mechanical = facts.logger && args.length === 1 && !['keyword_argument', 'list_splat', 'dictionary_splat'].includes(args[0]!.type);
  ctx.report({
    node: call,
    message: `\`print()\` in application code (this module ${role.reason}): it goes to stdout with no level or logger name, and under gunicorn/uvicorn/celery it is buffered, interleaved or dropped.`,
    ...(mechanical ? { suggestion: replaceNode(ctx.file, fn, `${facts.logger}.info`) } : {}),
  });
}

const rule: Rule = {
  meta: {
    id: 'print-logging',
    title: 'print() in application code',
    severity: 'P2',
    category: 'Observability',
    languages: ['py'],
    docs: {
      why: "`print()` bypasses logging: no level, no logger name, no handler config, no request id. Under gunicorn, uvicorn or a Celery worker stdout may be block-buffered or not collected at all, so the line you need during an incident is missing. (Modules are judged application code by their imports and path; scripts, management commands, `__main__` blocks, CLIs and tests are left alone.)",
      fix: 'Use a module logger: `logger = logging.getLogger(__name__)` then `logger.info("order %s paid", order.id)` (or structlog).',
      example: {
        bad: 'def stripe_webhook(request):\n    print("got event", request.headers.get("Stripe-Signature"))',
        good: 'logger = logging.getLogger(__name__)\n\ndef stripe_webhook(request):\n    logger.info("stripe event received")',
      },
    },
  },
  // Only calls of the bare name `print` are reported: a module without the word has none.
  requires: ['print'],
  py: {
    // PY_CALL's shape under this rule's names (the engine matches it once for every rule).
    query: `(call function: (_) @fn arguments: (_) @args) @call`,
    onMatch: (match, ctx) => {
      if (match.captures.fn?.type === 'identifier') check(match, ctx);
    },
  },
};

export default rule;
