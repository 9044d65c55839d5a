/**
 * Files that are meant to be committed: they document the variables and carry placeholders.
 * `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.defaults`, `example.env`.
 */
const TEMPLATE_NAME = /(^|[.\-_])(example|examples|sample|samples|template|templates|tmpl|tpl|dist|defaults?|schema|skeleton|stub)([.\-_]|$)/i;

/** Whether a `.env`-style file holds real values (`.env.production`) or documents them (`.env.example`). */
export function envFileKind(path: string): 'secret-bearing' | 'template' {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return TEMPLATE_NAME.test(name.replace(/^\.env/i, '')) || TEMPLATE_NAME.test(name.replace(/\.env$/i, '')) ? 'template' : 'secret-bearing';
}
