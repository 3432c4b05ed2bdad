/**
 * GET /v1/scheduler/jobs/search: Chronos' job search. Each term is compared in lower
 * case as a substring: `name` of the job's name, `command` of its command, `any` of
 * either; all given terms must match. `offset` and `limit` page through the matches,
 * ordered by name.
 */
import type { ChronosJobView } from './job-view.js';

/** The search's query string, as its schema admits it. */
export interface SearchQuery {
  name?: string;
  command?: string;
  any?: string;
  limit?: string;
  offset?: string;
}

/** The largest page (Chronos has no limit; this bounds one answer). */
export const MAX_SEARCH_LIMIT = 10_000;

/** The jobs that match `q`, paged. */
export function searchJobs(jobs: readonly ChronosJobView[], q: SearchQuery): ChronosJobView[] {
  const has = (text: string, term: string | undefined) =>
    term === undefined || text.toLowerCase().includes(term.toLowerCase());
  const matches = jobs
    .filter(
      (j) =>
        has(j.name, q.name) &&
        has(j.command, q.command) &&
        (q.any === undefined || has(j.name, q.any) || has(j.command, q.any)),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const offset = Number(q.offset ?? '0');
  const limit = Math.min(Number(q.limit ?? String(MAX_SEARCH_LIMIT)), MAX_SEARCH_LIMIT);
  return matches.slice(offset, offset + limit);
}
