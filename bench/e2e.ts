import type { Manifest } from './corpus.js';

/** Webhook delivered → check run completed, through the real App and queue (filled in once they exist). */
export interface EndToEnd {
  readonly available: boolean;
  readonly reason?: string;
  readonly sizes: readonly { readonly files: number; readonly deliveries: number; readonly runs: readonly number[]; readonly maxRssKb: number }[];
}

export async function endToEnd(_repoRoot: string, _manifest: Manifest): Promise<EndToEnd> {
  return { available: false, reason: 'the GitHub App, queue and stand-in are not built yet', sizes: [] };
}
