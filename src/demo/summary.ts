/**
 * The demo's closing report: requests by status and by code (with what each code means and what to do),
 * what the simulated LRS registered, and where to look next.
 */
import type pg from 'pg';
import { explainCode } from '../codes/table.ts';

export interface DemoSummary {
  /** Requests the MIS trigger queued. */
  requests: number;
  byStatus: Record<string, number>;
  /** Final code per request (LRS code or lrs-relay's own); `(none)` for requests without one. */
  byCode: Record<string, number>;
  /** Wall-clock seconds from the first insert until every request was terminal. */
  seconds: number;
  /** Learners the simulated LRS registered (issued new ULNs for). */
  registrations: number;
  /** Registrations of a person the LRS already held: must be 0. */
  duplicateRegistrations: number;
}

export interface DemoReport {
  summary: DemoSummary;
  students: number;
  /** Students the trigger did not submit (required fields missing in the MIS). */
  notSubmitted: number;
  /** The nightly ULN acquisition: requests it created for the backlog, and the LRS batch jobs they went in. */
  nightly: { requests: number; batches: number };
  /** Students whose ULN the sample MIS wrote into mis.students when it heard their request finish. */
  ulnsWrittenBack: number;
  /** NOTIFY lrs_outcome messages the sample MIS heard (one per finished request). */
  outcomeNotifications: number;
  databaseUrl: string;
  dashboardUrl?: string | undefined;
  /** A throwaway admin login for the demo's dashboard. */
  dashboardLogin?: { username: string; password: string } | undefined;
  logFile?: string | undefined;
}

export async function summariseRequests(
  pool: pg.Pool,
): Promise<Pick<DemoSummary, 'requests' | 'byStatus' | 'byCode'>> {
  const r = await pool.query<{ status: string; code: string; n: number }>(
    `select status, coalesce(last_code, '(none)') as code, count(*)::int as n
       from lrs.request group by 1, 2 order by 3 desc, 2`,
  );
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  let requests = 0;
  for (const row of r.rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
    byCode[row.code] = (byCode[row.code] ?? 0) + row.n;
    requests += row.n;
  }
  return { requests, byStatus, byCode };
}

/** The URL with any password masked (the report is printed and may be pasted). */
function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The human-readable report (stdout). */
export function formatReport(r: DemoReport): string {
  const s = r.summary;
  const lines: string[] = [];
  const rate = s.seconds > 0 ? Math.round(s.requests / s.seconds) : s.requests;
  lines.push(
    `${r.students} students enrolled in mis.students → ${s.requests} LRS requests, all finished in ${s.seconds.toFixed(1)} s (${rate} requests/s).`,
  );
  if (r.notSubmitted > 0)
    lines.push(
      `${r.notSubmitted} student(s) were not submitted: required fields are missing in the MIS (the trigger waits for them).`,
    );
  lines.push(
    `The nightly ULN acquisition sent ${r.nightly.requests} student(s) enrolled before lrs-relay was installed in ${r.nightly.batches} LRS batch job(s): see Batches on the dashboard, or \`lrs-relay batches\`.`,
  );
  lines.push(
    `${r.ulnsWrittenBack} student(s) got their ULN in mis.students: the MIS heard ${r.outcomeNotifications} finished request(s) (NOTIFY lrs_outcome) and wrote back the ULNs the LRS found, queuing no new request.`,
  );
  lines.push('', 'By status:');
  for (const [status, n] of Object.entries(s.byStatus).sort((a, b) => b[1] - a[1]))
    lines.push(`  ${status.padEnd(13)} ${String(n).padStart(6)}`);
  lines.push('', 'By code:');
  for (const [code, n] of Object.entries(s.byCode).sort((a, b) => b[1] - a[1])) {
    const e = explainCode(code);
    lines.push(`  ${code.padEnd(17)} ${String(n).padStart(6)}  ${e.meaning}`);
    lines.push(`  ${' '.repeat(24)}→ ${e.resolution}`);
  }
  lines.push(
    '',
    `Simulated LRS: ${s.registrations} learner(s) registered, ${s.duplicateRegistrations} duplicate registration(s).`,
    '',
    'Where to look next:',
    `  psql '${displayUrl(r.databaseUrl)}' -c 'select * from lrs.learner_status limit 20'`,
    `  DATABASE_URL='${displayUrl(r.databaseUrl)}' npx lrs-relay exceptions     # work needing a person, by code`,
  );
  if (r.dashboardUrl) {
    const login = r.dashboardLogin
      ? `, log in as ${r.dashboardLogin.username} / ${r.dashboardLogin.password}`
      : '';
    lines.push(`  ${r.dashboardUrl}     # the dashboard (until Ctrl-C)${login}`);
  } else lines.push('  npm run demo -- --keep     # the same, and the dashboard stays up to browse');
  if (r.logFile) lines.push(`  ${r.logFile}     # the relay's log (personal data redacted)`);
  lines.push('  The demo database is recreated on the next run; your configured database was not touched.');
  return `${lines.join('\n')}\n`;
}
