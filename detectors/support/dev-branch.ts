import type { SyntaxNode } from '../../src/engine/types.js';

/**
 * Whether code only runs in development or tests, read from the branches around it:
 * `if (process.env.NODE_ENV === 'test') { … }`, `isDev ? … : …`, `if DEBUG:`, `if ENV in ("dev",
 * "test"):`, `… if settings.DEBUG else …`, and their negations (`!== 'production'`, `not DEBUG`
 * in the else branch). A default, an open CORS policy or a fallback secret there is a
 * development convenience, not a production setting.
 */

type Meaning = 'dev' | 'prod' | undefined;

const DEV_VALUES = new Set(['development', 'dev', 'test', 'testing', 'local', 'ci']);
const PROD_VALUES = new Set(['production', 'prod']);
const DEV_FLAG = /^(isDev|isDevelopment|isTest|isTesting|isLocal|__DEV__|IS_DEV|IS_TEST|IS_LOCAL|DEBUG|TESTING|(settings|config|app\.config|current_app\.config|app)\.(DEBUG|debug|TESTING)|import\.meta\.env\.DEV|(config|env|this\.config)\.(isDev|isDevelopment|isTest))$/;
const PROD_FLAG = /^(isProd|isProduction|IS_PROD|IS_PRODUCTION|import\.meta\.env\.PROD|(config|env|this\.config)\.(isProd|isProduction))$/;
/** `NODE_ENV === 'test'`, `"production" !== process.env.NODE_ENV`, `ENV == "dev"`, `ENV in ("dev", "test")`. */
const ENV_COMPARISON =
  /^(?:(?<name>[\w.[\]'"()]*(?:ENV|ENVIRONMENT|STAGE|env|environment|stage)['"\])]*)\s*(?<op>===|==|!==|!=|not in|in)\s*(?<value>.+)|(?<value2>['"]\w+['"])\s*(?<op2>===|==|!==|!=)\s*(?<name2>[\w.[\]'"()]*(?:ENV|ENVIRONMENT|env)['"\])]*))$/;

const flip = (m: Meaning): Meaning => (m === 'dev' ? 'prod' : m === 'prod' ? 'dev' : undefined);

/** What a single condition term says about the environment when it holds. */
function termMeaning(raw: string): Meaning {
  let text = raw.trim();
  let negated = false;
  for (;;) {
    if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
    else if (text.startsWith('!') && !text.startsWith('!=')) [text, negated] = [text.slice(1).trim(), !negated];
    else if (text.startsWith('not ')) [text, negated] = [text.slice(4).trim(), !negated];
    else break;
  }
  const meaning = plainTermMeaning(text);
  return negated ? flip(meaning) : meaning;
}

function plainTermMeaning(text: string): Meaning {
  if (DEV_FLAG.test(text)) return 'dev';
  if (PROD_FLAG.test(text)) return 'prod';
  const m = ENV_COMPARISON.exec(text);
  if (!m?.groups) return undefined;
  const op = m.groups.op ?? m.groups.op2!;
  const values = [...(m.groups.value ?? m.groups.value2!).matchAll(/['"](\w+)['"]/g)].map((v) => v[1]!.toLowerCase());
  if (values.length === 0) return undefined;
  const meaning: Meaning = values.every((v) => DEV_VALUES.has(v)) ? 'dev' : values.every((v) => PROD_VALUES.has(v)) ? 'prod' : undefined;
  return op.startsWith('!') || op === 'not in' ? flip(meaning) : meaning;
}

/** Conditions longer than this are not read: real environment checks are short. */
const MAX_CONDITION = 300;

/** What a condition says when it holds: a conjunction holds when each term does. */
function whenTrue(condition: string): Meaning {
  if (condition.length > MAX_CONDITION) return undefined;
  const terms = condition.split(/&&|\band\b/);
  if (terms.length > 1 && /\|\||\bor\b/.test(condition)) return undefined;
  for (const term of terms) {
    const m = termMeaning(term);
    if (m) return m;
  }
  return undefined;
}

/** What a condition says when it fails: only a single term can be read backwards. */
function whenFalse(condition: string): Meaning {
  if (condition.length > MAX_CONDITION) return undefined;
  return /&&|\|\||\band\b|\bor\b/.test(condition) ? undefined : flip(termMeaning(condition));
}

const within = (node: SyntaxNode, container: SyntaxNode | null | undefined): boolean =>
  !!container && node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;

/** Whether a node only runs in development or tests, by the branches around it. */
export function inDevBranch(node: SyntaxNode): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    let meaning: Meaning;
    const condition = parent.childForFieldName('condition');
    switch (parent.type) {
      case 'if_statement':
      case 'elif_clause':
      case 'ternary_expression':
        if (!condition || within(child, condition)) break;
        meaning = within(child, parent.childForFieldName('consequence')) ? whenTrue(condition.text) : whenFalse(condition.text);
        break;
      case 'conditional_expression': {
        // Python `a if cond else b`: children are value, condition, alternative.
        const [value, cond, alternative] = parent.namedChildren;
        if (!cond) break;
        meaning = within(child, value) ? whenTrue(cond.text) : within(child, alternative) ? whenFalse(cond.text) : undefined;
        break;
      }
      default:
        break;
    }
    if (meaning === 'dev') return true;
  }
  return false;
}
