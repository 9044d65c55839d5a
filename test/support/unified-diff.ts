/**
 * Unified diffs for the GitHub stand-in: the `patch` of a PR file as GitHub sends it (hunks only,
 * three lines of context), computed with Myers' algorithm. Written independently of
 * src/diff/patch.ts so the stand-in can judge where a review comment may go without trusting
 * the code under test.
 */

export interface FilePatch {
  /** Hunks only, no `---`/`+++` header, as in `GET /pulls/{n}/files`. */
  readonly patch: string;
  readonly additions: number;
  readonly deletions: number;
  /** New-side line numbers inside a hunk: where GitHub accepts a RIGHT-side review comment. */
  readonly rightLines: ReadonlySet<number>;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly a: number; readonly b: number };

function splitLines(text: string): { lines: string[]; newlineAtEnd: boolean } {
  if (text === '') return { lines: [], newlineAtEnd: true };
  const newlineAtEnd = text.endsWith('\n');
  const lines = (newlineAtEnd ? text.slice(0, -1) : text).split('\n');
  return { lines, newlineAtEnd };
}

/** Myers' O(ND) shortest edit script; beyond `maxEdits` it falls back to "replace everything". */
function editScript(a: readonly string[], b: readonly string[], maxEdits = 3000): Op[] {
  const n = a.length;
  const m = b.length;
  const replaceAll = (): Op[] => [
    ...a.map((_, i) => ({ kind: '-' as const, a: i, b: 0 })),
    ...b.map((_, j) => ({ kind: '+' as const, a: n, b: j })),
  ];
  if (n === 0 || m === 0) return replaceAll();
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] keeps v for diagonals -d-1..d+1 as it was before step d: all backtracking reads.
  const trace: Int32Array[] = [];
  const at = (d: number, k: number): number => trace[d]![k + d + 1]!;
  let found = -1;
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break outer;
      }
    }
  }
  if (found < 0) return replaceAll();
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const k = x - y;
    const prevK = k === -d || (k !== d && at(d, k - 1) < at(d, k + 1)) ? k + 1 : k - 1;
    const prevX = at(d, prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', a: --x, b: --y });
    if (x === prevX) ops.push({ kind: '+', a: x, b: --y });
    else ops.push({ kind: '-', a: --x, b: y });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', a: --x, b: --y });
  return ops.reverse();
}

export function unifiedPatch(before: string, after: string, context = 3): FilePatch {
  const A = splitLines(before);
  const B = splitLines(after);
  // A last line without a newline differs from the same text with one, as in git.
  const tokens = (f: { lines: string[]; newlineAtEnd: boolean }): string[] =>
    f.newlineAtEnd ? f.lines : f.lines.map((l, i) => (i === f.lines.length - 1 ? `${l}\0` : l));
  const ops = editScript(tokens(A), tokens(B));
  const changes = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  const rightLines = new Set<number>();
  let additions = 0;
  let deletions = 0;
  const hunks: string[] = [];
  let i = 0;
  while (i < changes.length) {
    let start = Math.max(0, changes[i]! - context);
    let end = Math.min(ops.length - 1, changes[i]! + context);
    let j = i + 1;
    while (j < changes.length && changes[j]! - context <= end + 1) {
      end = Math.min(ops.length - 1, changes[j]! + context);
      j++;
    }
    // Context may not reach back into the previous hunk.
    start = Math.max(start, 0);
    const slice = ops.slice(start, end + 1);
    const firstA = slice.find((o) => o.kind !== '+')?.a ?? slice[0]!.a;
    const firstB = slice.find((o) => o.kind !== '-')?.b ?? slice[0]!.b;
    const aLen = slice.filter((o) => o.kind !== '+').length;
    const bLen = slice.filter((o) => o.kind !== '-').length;
    const aStart = aLen === 0 ? firstA : firstA + 1;
    const bStart = bLen === 0 ? firstB : firstB + 1;
    const body: string[] = [`@@ -${aStart},${aLen} +${bStart},${bLen} @@`];
    for (const op of slice) {
      if (op.kind === '-') {
        deletions++;
        body.push(`-${A.lines[op.a]}`);
        if (op.a === A.lines.length - 1 && !A.newlineAtEnd) body.push('\\ No newline at end of file');
      } else {
        if (op.kind === '+') additions++;
        rightLines.add(op.b + 1);
        body.push(`${op.kind}${op.kind === ' ' ? A.lines[op.a] : B.lines[op.b]}`);
        if (op.b === B.lines.length - 1 && !B.newlineAtEnd) body.push('\\ No newline at end of file');
      }
    }
    hunks.push(body.join('\n'));
    i = j;
  }
  return { patch: hunks.join('\n'), additions, deletions, rightLines };
}
