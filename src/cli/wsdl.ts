/**
 * `lrs-relay wsdl check [--url BASE] [--timeout MS] [--json]`: fetches the three services' WSDLs
 * (`?singleWsdl`), reads them with soap and compares every operation we use with our message
 * descriptions and, below each response root, with our own WSDLs in wsdl/ (src/lrs/contract.ts).
 * Run it before go-live and after each LRS release.
 * Exit codes: 0 every WSDL matches, 1 a difference or a WSDL that could not be fetched or read,
 * 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { endpointsAt, SERVICE_PATHS } from '../lrs/endpoints.ts';
import type { LrsEndpoints } from '../lrs/types.ts';
import { checkWsdls, WSDL_TIMEOUT_MS, type WsdlCheckResult } from '../lrs/wsdl-check.ts';
import { jsonText, terminalLine } from './kit.ts';

const USAGE = `Usage: lrs-relay wsdl check [--url BASE] [--timeout MS] [--json]

Fetches <service URL>?singleWsdl for LearnerService.svc, LearnerServiceR9.svc and ExternalService.svc
and compares each operation lrs-relay uses with its own message descriptions and, for the answers,
its own WSDLs: request and response elements, their names, namespaces (qualified or not), order,
minOccurs/maxOccurs and nil. An element added to an answer is a difference even if lrs-relay never reads it.
  --url BASE     the host to check, e.g. https://cmp-ws.dev.lrs.education.gov.uk (default: the
                 configured LRS_BASE_URL / LRS_*_SERVICE_URL)
  --timeout MS   per WSDL fetch (default ${WSDL_TIMEOUT_MS})
  --json         the full result, known accepted differences included
Exit 0 when every WSDL matches, 1 on a difference or a WSDL that could not be fetched, 2 bad usage.
No certificate or password is sent: fetching a WSDL needs none on the simulator.`;

export interface WsdlIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

/** The result as lines for a person; every value from the wire goes through terminalLine. */
export function formatWsdlCheck(result: WsdlCheckResult): string[] {
  const lines: string[] = [];
  for (const s of result.services) {
    const name = SERVICE_PATHS[s.service].slice(1);
    lines.push(terminalLine`${name}  ${s.url}`);
    if (s.error) {
      lines.push(terminalLine`  FAILED (${s.error.code}): ${s.error.message}`);
      continue;
    }
    const r = s.report;
    if (!r) continue;
    if (r.equal.length > 0) lines.push(terminalLine`  equal: ${r.equal.join(', ')}`);
    for (const d of r.differences)
      lines.push(
        terminalLine`  DIFFERENT ${d.operation} ${d.path}: ${d.what}: ours ${d.ours}, theirs ${d.theirs}`,
      );
    const answerNotes = r.notes.filter((n) => n.path.startsWith('response')).length;
    const requestNotes = r.notes.length - answerNotes;
    if (requestNotes > 0)
      lines.push(
        terminalLine`  ${requestNotes} known difference(s) accepted in requests: nillable elements the WSDL requires and the service's strict schema makes optional (--json lists them)`,
      );
    if (answerNotes > 0)
      lines.push(
        terminalLine`  ${answerNotes} known difference(s) accepted in answers: occurs looser than the strict schema our WSDL carries (--json lists them)`,
      );
    if (r.unused.length > 0)
      lines.push(terminalLine`  also offered, not used by lrs-relay: ${r.unused.join(', ')}`);
  }
  const differences = result.services.reduce((n, s) => n + (s.report?.differences.length ?? 0), 0);
  const failed = result.services.filter((s) => s.error).length;
  if (result.ok) lines.push('Result: every WSDL matches our message descriptions.');
  else
    lines.push(
      terminalLine`Result: ${differences} difference(s)${failed > 0 ? `, ${failed} WSDL(s) not fetched or not read` : ''}. Nothing in lrs-relay was changed.`,
    );
  return lines;
}

class UsageError extends Error {}

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return WSDL_TIMEOUT_MS;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 100 || n > 600_000)
    throw new UsageError('--timeout must be a whole number of ms from 100 to 600000');
  return n;
}

function urlOption(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError('--url must be a URL such as https://ws.lrs.education.gov.uk');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new UsageError('--url must be http:// or https://');
  return value;
}

export async function run(args: string[], ioOverrides: Partial<WsdlIo> = {}): Promise<number> {
  const io: WsdlIo = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
    ...ioOverrides,
  };
  let endpoints: LrsEndpoints;
  let timeoutMs: number;
  let json: boolean;
  let connectTimeoutMs: number | undefined;
  try {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (sub !== 'check')
      throw new UsageError(sub === undefined ? 'say what to do: wsdl check' : 'unknown wsdl command (check)');
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        url: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError('wsdl check takes no arguments, only options');
    timeoutMs = timeoutOption(values.timeout);
    json = values.json === true;
    if (values.url !== undefined) endpoints = endpointsAt(urlOption(values.url));
    else {
      const config = loadConfig(io.env);
      endpoints = config.lrsEndpoints;
      connectTimeoutMs = config.LRS_CONNECT_TIMEOUT_MS;
    }
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr(`lrs-relay wsdl: ${e.message}\nRun \`lrs-relay wsdl --help\` for the options.`);
      return 2;
    }
    throw e;
  }
  // Nothing secret goes out with a WSDL request, so plain http:// (the simulator) is allowed here.
  const result = await checkWsdls({ endpoints, timeoutMs, connectTimeoutMs, allowInsecureHttp: true });
  if (json) io.stdout(jsonText(result));
  else for (const line of formatWsdlCheck(result)) io.stdout(line);
  return result.ok ? 0 : 1;
}
