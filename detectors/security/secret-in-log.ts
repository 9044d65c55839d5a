import { secretValuesIn } from '../support/secrets.js';
import { calleeName, hasArgumentList, isNamedCall, lastSegment, PY_CALL, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

const TS_LOG_METHODS = new Set(['log', 'info', 'warn', 'warning', 'error', 'debug', 'trace', 'fatal', 'verbose', 'silly', 'notice', 'critical', 'http']);
const PY_LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log', 'msg']);

/** Objects that are loggers: `console`, `logger`, `log`, `this.logger`, `req.log`, `fastify.log`, `pino()` results named so. */
// `log` then `_…` or a capital (`log_sink`, `logSink`), never a longer word: `login`, `logout`
// and `logo` are not loggers (`login.error(...)` reports a form error).
const LOGGER_OBJECT = /(^|\.)(console|_?log|_?logger|LOGGER|LOG|pino|winston|bunyan|signale|consola|structlog|logging|log(?:_\w*|[A-Z]\w*)|\w*_?logger|\w*Logger)$/;

function isLogCall(call: SyntaxNode, python: boolean): boolean {
  const name = calleeName(call);
  if (!name) return false;
  if (python && name === 'print') return true;
  const method = lastSegment(name)!;
  const object = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
  if (!object) return false;
  if (!(python ? PY_LOG_METHODS : TS_LOG_METHODS).has(method)) return false;
  return LOGGER_OBJECT.test(object);
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const call = match.captures.call!;
    // The arguments are read here rather than captured: the pattern is then the same as other rules' and matched once for all.
    const args = call.childForFieldName('arguments')!;
    if (!isLogCall(call, python)) return;
    for (const value of secretValuesIn(args)) {
      ctx.report({
        node: value,
        message: `\`${ctx.text(value)}\` is written to the log. Log files are read by more people and systems than the secret store, and they are kept for months.`,
      });
    }
  };
}

const checkTs = check(false);
const checkPy = check(true);

const rule: Rule = {
  meta: {
    id: 'secret-in-log',
    title: 'Secret written to the log',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py'],
    includeTestFiles: false,
    docs: {
      why: 'Anything logged is shipped to log storage, search indexes and third-party log vendors, where anyone with log access can replay a token or a password long after the request.',
      fix: 'Log an identifier or a fingerprint of the secret (a hash prefix, the last four characters), or configure the logger to redact the field (pino `redact`, a logging filter).',
      example: {
        bad: "logger.info({ userId, accessToken }, 'login ok')",
        good: "logger.info({ userId, tokenFingerprint: sha256(accessToken).slice(0, 8) }, 'login ok')",
      },
    },
  },
  // Gated on the logger, not on the secret's name: names are far more common (`key`, `token`,
  // `pin` in every `mapping`). A finding needs isLogCall: Python's `print`, or a logger object
  // matching LOGGER_OBJECT, whose alternatives all contain `log` (`logger`, `logging`,
  // `structlog`, `log_…`, `…Logger`) except `console`/`consola`, `pino`, `winston`, `bunyan`,
  // `signale`.
  requires: ['log', 'consol', 'pino', 'winston', 'bunyan', 'signale', 'print'],
  ts: {
    query: `${TS_CALL} @call`,
    onMatch: (match, ctx) => {
      if (match.captures.function?.type === 'member_expression' && hasArgumentList(match.captures)) checkTs(match, ctx);
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
