/**
 * The dashboard's pages and form actions (all behind requireStaff; posts behind requireCsrf).
 * Every handler passes the session's actor to the query or action, which limits it in SQL, so a
 * request of another organisation is "not found" whichever URL is used.
 */
import type { RoleReport } from '../processes/heartbeat.ts';
import express, { type Request, type Response, type Router } from 'express';
import type { Html } from './html.ts';
import type { SupportDb } from '../db/pool.ts';
import { explainCode } from '../codes/table.ts';
import {
  cancelRequests,
  canUndo,
  resolvePossibleMatch,
  retryRequests,
  SupportActionError,
  UNDO_WINDOW_S,
  undoCancel,
} from './actions.ts';
import { readCandidates } from './match.ts';
import { statusLabel } from './labels.ts';
import { renderConfirmPage } from './pages/confirm.ts';
import { listOrganisationHealth, type OrganisationCheck } from './organisations.ts';
import { renderOrganisationsPage } from './pages/organisations.ts';
import type { OrganisationTester } from '../orgs/test-organisation.ts';
import type { OrganisationTestResults } from './org-test-results.ts';
import { getAuth, requireCsrf } from './http-auth.ts';
import { getExceptionTrend, getOverview, readOverviewRange } from './overview.ts';
import { renderBatchesPage } from './pages/batches.ts';
import { renderExceptionsPage } from './pages/exceptions.ts';
import { renderPage } from './pages/layout.ts';
import {
  learnerHref,
  renderLearnerChoicePage,
  renderLearnerLookupPage,
  renderLearnerPage,
} from './pages/learner.ts';
import { renderOverviewPage } from './pages/overview.ts';
import { renderRequestDetailPage } from './pages/request-detail.ts';
import { AGE_FILTERS, renderRequestsPage, type RequestsQuery } from './pages/requests.ts';
import { html } from './html.ts';
import { canSearchLearners, canSeePersonalData } from './access.ts';
import { getLearnerDetail, LEARNER_REQUEST_LIMIT } from './learner-history.ts';
import { canSeeQueue, getQueueDepths, getQueueStates, type QueueSet } from './queue-depths.ts';
import { renderQueuesPage } from './pages/queues.ts';
import { withTimeout } from '../timeout.ts';
import type { QueueBackendKind } from '../queues/catalogue.ts';
import {
  findRequestIds,
  getLearnerHistory,
  getRequestDetail,
  listBatches,
  listExceptions,
  listOrganisations,
  listRequests,
  type RequestFilter,
  type RequestRow,
} from './queries.ts';

/** Messages shown after an action; the redirect names one by key so no text is echoed from the URL. */
const FLASHES = {
  retried: (n: number) => `${n} request(s) sent back to the queue.`,
  cancelled: (n: number) => `${n} request(s) cancelled.`,
  matched: () => 'Candidate chosen: the ULN is recorded and the request succeeded.',
  rejected: () => 'All candidates rejected; the request still needs action, with your note.',
  nothing: () => 'Nothing was changed: the request(s) are not in a state that allows it.',
  undone: (n: number) => `Undone: ${n} request(s) are back as they were.`,
  undoGone: () =>
    `Nothing was undone: a cancel can be undone only by whoever did it, once, within ${UNDO_WINDOW_S / 60} minutes.`,
  sameAnswer: () =>
    'Nothing was retried: a retry of this code sends the same details and can only bring the same answer.',
} as const;

function flashFrom(req: Request): string | null {
  const key = String(req.query.done ?? '');
  const n = Number(req.query.n ?? 0);
  return key in FLASHES ? FLASHES[key as keyof typeof FLASHES](Number.isSafeInteger(n) ? n : 0) : null;
}

function send(res: Response, page: Html, status = 200): void {
  res.status(status).type('html').send(page.value);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 200) : '';
}

function bodyStr(req: Request, name: string): string {
  return str((req.body as Record<string, unknown> | undefined)?.[name]);
}

function parseId(v: unknown): number {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : NaN;
}

function notFoundPage(res: Response, text: string): void {
  const auth = getAuth(res);
  send(res, renderPage({ title: 'Not found', auth, body: html`<p>${text}</p>` }), 404);
}

function notFound(res: Response): void {
  notFoundPage(res, 'No such request among your organisations.');
}

/** The request filter in a query string (status, code, kind, org, batch, age, q, order, after/before). */
export function readRequestFilter(
  q: Record<string, unknown>,
  now: Date,
): RequestFilter & { raw: RequestsQuery } {
  const raw: RequestsQuery = {
    q: str(q.q).slice(0, 100),
    status: str(q.status),
    code: str(q.code),
    kind: str(q.kind),
    org: str(q.org),
    age: Object.hasOwn(AGE_FILTERS, str(q.age)) ? str(q.age) : '',
    order: str(q.order) === 'oldest' ? 'oldest' : '',
  };
  const orgId = parseId(raw.org);
  const batchId = parseId(str(q.batch));
  const after = parseId(q.after);
  const before = parseId(q.before);
  const ageS = raw.age === '' ? null : AGE_FILTERS[raw.age as keyof typeof AGE_FILTERS][0];
  return {
    raw,
    ...(raw.status ? { status: [raw.status] } : {}),
    ...(raw.code ? { code: [raw.code] } : {}),
    ...(raw.kind ? { kind: [raw.kind] } : {}),
    ...(Number.isNaN(orgId) ? {} : { organisationIds: [orgId] }),
    ...(Number.isNaN(batchId) ? {} : { batchId }),
    ...(ageS === null ? {} : { createdBefore: new Date(now.getTime() - ageS * 1000) }),
    ...(raw.q.trim() === '' ? {} : { search: raw.q.trim() }),
    order: raw.order === 'oldest' ? 'oldest first' : 'newest first',
    ...(Number.isNaN(after)
      ? Number.isNaN(before)
        ? {}
        : { from: { id: before, backwards: true } }
      : { from: { id: after, backwards: false } }),
  };
}

/** Rows per page of the requests list. */
const REQUESTS_PAGE = 50;

/** The learners (organisation and MIS id) that requests are about, in the order first met. */
function distinctLearners(
  rows: readonly RequestRow[],
): { organisationId: number; organisation: string; misLearnerId: string; name: string | null }[] {
  const seen = new Map<
    string,
    { organisationId: number; organisation: string; misLearnerId: string; name: string | null }
  >();
  for (const r of rows) {
    if (r.misLearnerId === null) continue;
    const key = JSON.stringify([r.organisationId, r.misLearnerId]);
    if (!seen.has(key))
      seen.set(key, {
        organisationId: r.organisationId,
        organisation: r.organisation,
        misLearnerId: r.misLearnerId,
        name: r.learnerName,
      });
  }
  return [...seen.values()];
}

const QUEUE_DEPTHS_TIMEOUT_MS = 2_000;

export function createPageRoutes(o: {
  db: SupportDb;
  queueSet: QueueSet;
  /** Where the queues live (default redis), for what the overview says when they do not answer. */
  queueBackend?: QueueBackendKind | undefined;
  checkOrganisation?: OrganisationCheck | undefined;
  certificateWarningDays: number;
  /** Whether administrators get a Test button per organisation (the process can test one). */
  canTestOrganisations?: boolean | undefined;
  /** The relay's heartbeats, for the overview's line of which roles run where. */
  processes?: { report(): Promise<RoleReport> } | undefined;
  /** The Test button's results, shown on /organisations?test=<id> after its redirect. */
  testResults: OrganisationTestResults;
}): Router {
  const { db } = o;
  const router = express.Router();

  router.get('/', async (req, res) => {
    const auth = getAuth(res);
    const range = readOverviewRange(req.query.range);
    const now = new Date();
    const [overview, queues, roles, organisations] = await Promise.all([
      getOverview(db, auth.actor, range, now),
      o.queueSet.list(),
      o.processes?.report(),
      listOrganisationHealth(db, auth.actor, {
        check: o.checkOrganisation,
        warningDays: o.certificateWarningDays,
        now,
      }),
    ]);
    const visible = queues.filter((q) => canSeeQueue(auth.actor, q.name));
    // Redis down must not take the page with it: the figures from Postgres are still right, and the
    // page says what is wrong instead of the queue table.
    let queuesError: string | null = null;
    const depths =
      queues.length === 0
        ? null
        : await withTimeout(getQueueDepths(visible), QUEUE_DEPTHS_TIMEOUT_MS).catch((e: unknown) => {
            queuesError = e instanceof Error ? e.message.slice(0, 200) : 'no answer';
            return null;
          });
    send(
      res,
      renderOverviewPage({
        auth,
        overview,
        queues: depths,
        queuesError,
        queueBackend: o.queueBackend,
        roles,
        organisations,
        range,
        now,
      }),
    );
  });

  // The queues page on either backend (bull-board, on Redis, is mounted under it by the dashboard).
  router.get('/queues', async (_req, res) => {
    const auth = getAuth(res);
    const visible = (await o.queueSet.list()).filter((q) => canSeeQueue(auth.actor, q.name));
    let error: string | null = null;
    const rows = await withTimeout(getQueueStates(visible), QUEUE_DEPTHS_TIMEOUT_MS).catch((e: unknown) => {
      error = e instanceof Error ? e.message.slice(0, 200) : 'no answer';
      return null;
    });
    send(
      res,
      renderQueuesPage({
        auth,
        backend: o.queueBackend ?? 'redis',
        rows,
        error,
        organisationOf: (name) => o.queueSet.organisationOf(name),
        now: new Date(),
      }),
    );
  });

  router.get('/exceptions', async (req, res) => {
    const auth = getAuth(res);
    const undoId = parseId(req.query.undo);
    const undo = !Number.isNaN(undoId) && (await canUndo(db, undoId, auth.actor)) ? undoId : null;
    const [groups, trend] = await Promise.all([
      listExceptions(db, auth.actor),
      getExceptionTrend(db, auth.actor, new Date()),
    ]);
    send(res, renderExceptionsPage({ auth, groups, trend, flash: flashFrom(req), undo }));
  });

  router.get('/requests', async (req, res) => {
    const auth = getAuth(res);
    const now = new Date();
    const filter = readRequestFilter(req.query, now);
    const canSearch = canSearchLearners(auth.actor);
    if (!canSearch) delete filter.search;
    // One row more than a page says whether the list goes on in the direction being read.
    const [fetched, organisations] = await Promise.all([
      listRequests(db, auth.actor, { ...filter, limit: REQUESTS_PAGE + 1 }),
      listOrganisations(db, auth.actor),
    ]);
    const backwards = filter.from?.backwards ?? false;
    const more = fetched.length > REQUESTS_PAGE;
    const rows = more ? (backwards ? fetched.slice(1) : fetched.slice(0, REQUESTS_PAGE)) : fetched;
    const aheadMore = backwards || more;
    const behindMore = backwards ? more : filter.from !== undefined;
    const oldestFirst = filter.order === 'oldest first';
    send(
      res,
      renderRequestsPage({
        auth,
        rows,
        query: filter.raw,
        organisations,
        hasOlder: oldestFirst ? behindMore : aheadMore,
        hasNewer: oldestFirst ? aheadMore : behindMore,
        canSearch,
        now,
      }),
    );
  });

  router.get('/requests/:id', async (req, res) => {
    const auth = getAuth(res);
    const detail = await getRequestDetail(db, auth.actor, parseId(req.params.id));
    if (!detail) return notFound(res);
    const error =
      req.query.error === 'note'
        ? 'Say why none of the candidates is the learner.'
        : req.query.error === 'note-characters'
          ? 'The note holds control characters or invisible format characters (such as ESC, U+202E or U+200B): write it as plain text.'
          : null;
    send(res, renderRequestDetailPage({ auth, detail, flash: flashFrom(req), error }));
  });

  // The MIS learner id travels in the query string: the error log names req.path only.
  router.get('/learner', async (req, res) => {
    const auth = getAuth(res);
    const org = str(req.query.org);
    const id = typeof req.query.id === 'string' ? req.query.id : '';
    // No organisation: the key may be a ULN (or an MIS id) of any organisation whose learners this actor
    // may see; one learner found opens their page, several are listed to choose from.
    if (org === '' && id.trim() !== '') {
      const found = distinctLearners(
        await getLearnerHistory(db, auth.actor, id.trim(), { limit: LEARNER_REQUEST_LIMIT }),
      );
      const [only] = found;
      if (found.length === 1 && only)
        return res.redirect(303, learnerHref(only.organisationId, only.misLearnerId));
      if (found.length > 1)
        return send(res, renderLearnerChoicePage({ auth, key: id.trim(), learners: found }));
    }
    const detail = org === '' || id === '' ? null : await getLearnerDetail(db, auth.actor, parseId(org), id);
    if (detail) return send(res, renderLearnerPage({ auth, detail }));
    // Only organisations whose learners this actor may look up; the same page for any unknown learner.
    const organisations = (await listOrganisations(db, auth.actor)).filter((g) =>
      canSeePersonalData(auth.actor, g.id),
    );
    const isNotFound = org !== '' || id !== '';
    send(res, renderLearnerLookupPage({ auth, organisations, org, id, isNotFound }), isNotFound ? 404 : 200);
  });

  router.get('/organisations', async (req, res) => {
    const auth = getAuth(res);
    const rows = await listOrganisationHealth(db, auth.actor, {
      check: o.checkOrganisation,
      warningDays: o.certificateWarningDays,
      now: new Date(),
    });
    // A Test's result, after its redirect (?test=<id>), for the session that asked for it.
    const testId = str(req.query.test);
    const tested = testId === '' ? null : (o.testResults.find(auth.session, testId) ?? null);
    send(
      res,
      renderOrganisationsPage({
        auth,
        rows,
        canTest: auth.actor.isAdmin && o.canTestOrganisations === true,
        tested,
        isTestGone: testId !== '' && tested === null,
      }),
    );
  });

  router.get('/batches', async (_req, res) => {
    const auth = getAuth(res);
    send(res, renderBatchesPage({ auth, rows: await listBatches(db, auth.actor) }));
  });

  // A small JSON API for scripts that hold a session (same scoping as the pages).
  router.get('/api/requests', async (req, res) => {
    const { actor } = getAuth(res);
    const filter = readRequestFilter(req.query, new Date());
    if (!canSearchLearners(actor)) delete filter.search;
    res.json(await listRequests(db, actor, { ...filter, limit: 500 }));
  });
  router.get('/api/requests/:id', async (req, res) => {
    const detail = await getRequestDetail(db, getAuth(res).actor, parseId(req.params.id));
    if (!detail) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.json(detail);
  });
  router.get('/api/exceptions', async (_req, res) => {
    res.json(await listExceptions(db, getAuth(res).actor));
  });

  return router;
}

export function createActionRoutes(o: {
  db: SupportDb;
  testOrganisation?: OrganisationTester | undefined;
  /** Where the Test button keeps its result for the page it redirects to. */
  testResults: OrganisationTestResults;
}): Router {
  const { db } = o;
  const router = express.Router();
  router.use(requireCsrf);

  // One real LRS call with the organisation's credentials, as `lrs-relay orgs test` makes it: for
  // administrators only (it is audited with their name); the verdict is shown above the list.
  router.post('/organisations/:id/test', async (req, res) => {
    const auth = getAuth(res);
    const test = o.testOrganisation;
    if (!auth.actor.isAdmin || !test) {
      res.status(403).type('text/plain').send('only administrators may test an organisation');
      return;
    }
    const id = parseId(req.params.id);
    const tested = Number.isNaN(id) ? undefined : await test(id, auth.actor.name);
    if (!tested) return notFoundPage(res, 'No such organisation.');
    // Post/redirect/get: the result is shown by a GET, so a refresh does not test (call the LRS) again.
    res.redirect(303, `/organisations?test=${o.testResults.keep(auth.session, tested)}`);
  });

  const afterAction = (res: Response, base: string, key: keyof typeof FLASHES, n: number) =>
    res.redirect(
      303,
      `${base}${base.includes('?') ? '&' : '?'}done=${n === 0 && key !== 'sameAnswer' ? 'nothing' : key}&n=${n}`,
    );

  router.post('/requests/:id/retry', async (req, res) => {
    const id = parseId(req.params.id);
    const r = await retryRequests(db, [id], getAuth(res).actor);
    if (r.skipped.some((s) => s.reason === 'not_found')) return notFound(res);
    afterAction(res, `/requests/${id}`, 'retried', r.done.length);
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const id = parseId(req.params.id);
    const r = await cancelRequests(db, [id], getAuth(res).actor);
    if (r.skipped.some((s) => s.reason === 'not_found')) return notFound(res);
    afterAction(res, `/requests/${id}`, 'cancelled', r.done.length);
  });

  router.post('/requests/:id/resolve', async (req, res) => {
    const id = parseId(req.params.id);
    const uln = bodyStr(req, 'uln');
    const note = bodyStr(req, 'note');
    const auth = getAuth(res);
    // Settling who a learner is: said in words and confirmed before anything changes.
    if (bodyStr(req, 'confirm') !== 'yes') {
      const detail = await getRequestDetail(db, auth.actor, id);
      if (!detail?.personalData) return notFound(res);
      if (uln === '' && note.trim() === '') return res.redirect(303, `/requests/${id}?error=note`);
      const chosen = readCandidates(detail.outcome?.candidates).find((c) => c.uln === uln);
      const who = (c: Record<string, unknown>) =>
        [c.givenName, c.familyName, c.dateOfBirth].filter((v) => typeof v === 'string' && v !== '').join(' ');
      return send(
        res,
        renderConfirmPage({
          auth,
          title: uln === '' ? 'Reject every candidate?' : 'Choose this candidate?',
          what:
            uln === ''
              ? html`None of the ${readCandidates(detail.outcome?.candidates).length} candidates is learner ${detail.request.misLearnerId ?? ''}. The request keeps needing action, with your note: “${note.trim()}”.`
              : chosen
                ? html`Learner ${detail.request.misLearnerId ?? ''} is ULN <strong>${uln}</strong> (${who(chosen)}). The request succeeds with that ULN and the MIS is told.`
                : html`ULN ${uln} is not one of this request's candidates: nothing will change.`,
          undo:
            uln === ''
              ? 'You can still choose a candidate afterwards.'
              : 'This cannot be undone here: if it is wrong, correct the learner in the MIS, which sends a new request.',
          action: `/requests/${id}/resolve`,
          fields: { uln, note },
          button: uln === '' ? 'Yes, reject them all' : `Yes, record ULN ${uln}`,
          back: `/requests/${id}#possible-match`,
        }),
      );
    }
    try {
      const r = await resolvePossibleMatch(db, id, uln === '' ? null : uln, auth.actor, note);
      afterAction(res, `/requests/${id}`, r.outcome === 'matched' ? 'matched' : 'rejected', 1);
    } catch (e) {
      if (!(e instanceof SupportActionError)) throw e;
      if (e.code === 'not_found') return notFound(res);
      if (e.code === 'note_required') return res.redirect(303, `/requests/${id}?error=note`);
      if (e.code === 'note_control_characters')
        return res.redirect(303, `/requests/${id}?error=note-characters`);
      afterAction(res, `/requests/${id}`, 'nothing', 0);
    }
  });

  for (const action of ['retry', 'cancel'] as const) {
    router.post(`/exceptions/${action}`, async (req, res) => {
      const auth = getAuth(res);
      const { actor } = auth;
      const status = bodyStr(req, 'status');
      const code = bodyStr(req, 'code');
      // Only the exception groups the page shows: never "every request" by an empty filter.
      if (!['needs_action', 'failed', 'rejected'].includes(status) || code === '') {
        res
          .status(400)
          .type('text/plain')
          .send('status (needs_action, failed or rejected) and code are required');
        return;
      }
      // A retry of a matching outcome (possible match, too many) can only bring the same answer.
      if (action === 'retry' && explainCode(code).sameAnswerOnRetry) {
        afterAction(res, '/exceptions', 'sameAnswer', 0);
        return;
      }
      const ids = await findRequestIds(db, actor, { status: [status], code: [code] });
      const expected = Number(bodyStr(req, 'expected'));
      // Shown what will happen first; shown again if the group changed since.
      if (bodyStr(req, 'confirm') !== 'yes' || expected !== ids.length) {
        const meaning = explainCode(code).meaning;
        const n = `${ids.length} request${ids.length === 1 ? '' : 's'}`;
        return send(
          res,
          renderConfirmPage({
            auth,
            title: action === 'retry' ? `Retry ${n}?` : `Cancel ${n}?`,
            what:
              action === 'retry'
                ? html`Send ${n} (${statusLabel(status)}, <code>${code}</code>${meaning ? ` ${meaning}` : ''}) to the LRS again, each as it is.`
                : html`Cancel ${n} (${statusLabel(status)}, <code>${code}</code>${meaning ? ` ${meaning}` : ''}). They stop needing action, and the MIS sees them as cancelled.`,
            undo:
              action === 'retry'
                ? 'A retry cannot be undone: the LRS is asked again.'
                : `You can undo this for ${UNDO_WINDOW_S / 60} minutes afterwards.`,
            action: `/exceptions/${action}`,
            fields: { status, code, expected: String(ids.length) },
            button: action === 'retry' ? `Yes, retry ${n}` : `Yes, cancel ${n}`,
            back: '/exceptions',
            notice:
              bodyStr(req, 'confirm') === 'yes'
                ? `The group changed since you asked: it now holds ${n}. Confirm again.`
                : null,
          }),
        );
      }
      if (action === 'retry') {
        const r = await retryRequests(db, ids, actor);
        return afterAction(res, '/exceptions', 'retried', r.done.length);
      }
      const r = await cancelRequests(db, ids, actor, { undoable: true });
      const base = r.undoId ? `/exceptions?undo=${r.undoId}` : '/exceptions';
      afterAction(res, base, 'cancelled', r.done.length);
    });
  }

  router.post('/actions/:id/undo', async (req, res) => {
    const restored = await undoCancel(db, parseId(req.params.id), getAuth(res).actor);
    if (restored === null) return res.redirect(303, '/exceptions?done=undoGone&n=0');
    afterAction(res, '/exceptions', 'undone', restored.length);
  });

  return router;
}
