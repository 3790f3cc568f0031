/**
 * The results of the organisations page's Test button, kept for the page it redirects to: the POST
 * tests, keeps the result here and answers 303 to `/organisations?test=<id>` (post/redirect/get), so a
 * refresh reloads the page instead of making another LRS call. A result is shown only to the session that
 * asked for it, for 15 minutes, by the dashboard process that ran the test (in memory: a restart, or
 * another process behind a load balancer, says the result is gone and to test again).
 */
import { randomBytes } from 'node:crypto';
import type { OrganisationTestResult } from '../orgs/test-organisation.ts';
import type { StaffSession } from './sessions.ts';

/** How long a test result stays on its page, ms. */
export const TEST_RESULT_TTL_MS = 15 * 60_000;
/** At most this many results are kept; the oldest go first. */
const MAX_RESULTS = 200;

export interface OrganisationTestResults {
  /** Keeps a result for the session; returns the id the page is redirected with. */
  keep(session: StaffSession, result: OrganisationTestResult): string;
  /** The result kept under `id` for this session, or undefined when there is none (expired, another session's). */
  find(session: StaffSession, id: string): OrganisationTestResult | undefined;
}

export function createOrganisationTestResults(o: { now?: () => number } = {}): OrganisationTestResults {
  const now = o.now ?? Date.now;
  // Insertion order is age order: the first entries are the oldest.
  const kept = new Map<string, { session: string; at: number; result: OrganisationTestResult }>();
  const sessionKey = (s: StaffSession) => `${s.staffUserId}:${s.csrfToken}`;
  return {
    keep(session, result) {
      for (const [id, k] of kept) {
        if (kept.size < MAX_RESULTS && now() - k.at < TEST_RESULT_TTL_MS) break;
        kept.delete(id);
      }
      const id = randomBytes(12).toString('base64url');
      kept.set(id, { session: sessionKey(session), at: now(), result });
      return id;
    },
    find(session, id) {
      const k = kept.get(id);
      if (!k || k.session !== sessionKey(session) || now() - k.at >= TEST_RESULT_TTL_MS) return undefined;
      return k.result;
    },
  };
}
