/**
 * The `lrs-relay` command line: a table of commands, each in its own module exporting
 * `run(args: string[]): Promise<number>` (the exit code). Modules load lazily so `--help` is instant,
 * which is why the one-line summaries live here, in the table, and nowhere else.
 */
import { ConfigError } from '../config.ts';
import { errorMessage } from '../errors.ts';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  start: {
    summary: 'run the relay: producer, workers, schedulers, dashboard (--role to pick)',
    load: () => import('./start.ts'),
  },
  migrate: {
    summary: 'apply the database migrations (safe to run twice, or twice at once)',
    load: () => import('./migrate.ts'),
  },
  orgs: {
    summary: 'add, list, show, update, disable, enable or test the LRS organisations served',
    load: () => import('./orgs.ts'),
  },
  call: {
    summary: 'make one LRS call from a JSON input and print the typed result',
    load: () => import('./call.ts'),
  },
  wsdl: {
    summary: "check the LRS services' live WSDLs against lrs-relay's message descriptions (contract drift)",
    load: () => import('./wsdl.ts'),
  },
  conformance: {
    summary: 'parse every file given (or under a folder) as an LRS answer; say which were skipped and why',
    load: () => import('./conformance.ts'),
  },
  simulator: {
    summary: 'run the LRS simulator (the three SOAP services + admin endpoint) on its own',
    load: () => import('./simulator.ts'),
  },
  requests: {
    summary: 'list, show, retry or cancel requests (--json for scripts)',
    load: () => import('./requests.ts'),
  },
  exceptions: {
    summary: 'requests needing action or failed, grouped by code, with resolution notes',
    load: () => import('./exceptions.ts'),
  },
  batches: { summary: 'LRS batch jobs and their state', load: () => import('./batches.ts') },
  learner: {
    summary: "a learner's request history, by MIS learner id or ULN; export or erase their data",
    load: () => import('./learner.ts'),
  },
  explain: {
    summary: 'what an LRS or lrs-relay code means and what to do about it',
    load: () => import('./explain.ts'),
  },
  staff: {
    summary: 'dashboard staff accounts: add, list, grant, revoke, passwd',
    load: () => import('./staff.ts'),
  },
  'mis-login': {
    summary: 'which organisations each MIS database login may act for: grant, revoke, list',
    load: () => import('./mis-login.ts'),
  },
  demo: {
    summary: 'run the simulator, the relay and a sample MIS with 2,000 students end to end, then report',
    load: () => import('./demo.ts'),
  },
  import: {
    summary: 'queue LRS work from an MIS export (CSV), reporting every row refused and why',
    load: () => import('./import.ts'),
  },
  'acquire-ulns': {
    summary:
      'create batch register requests for every learner in the MIS view needing a ULN (--wait: progress bar)',
    load: () => import('./acquire-ulns.ts'),
  },
};

function printHelp(): void {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  console.log('Usage: lrs-relay <command> [options]\n\nCommands:');
  for (const [name, c] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(width)}  ${c.summary}`);
  console.log('\nRun `lrs-relay <command> --help` for the options of one command.');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const { terminalText } = await import('./kit.ts');
    console.error(
      `lrs-relay: unknown command "${terminalText(name)}". Run \`lrs-relay --help\` for the list.`,
    );
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

// A reader that stops early (`lrs-relay requests show 5 | head`) closes the pipe. Node reports that
// as an unhandled EPIPE error with a stack trace; instead the rest of the output is dropped and the
// command finishes what it was doing (a retry or cancel is never cut short), with its own exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stream.write = (() => true) as typeof stream.write;
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Every message below can quote what the user typed or set (an option, an environment value) or
  // stored and remote text: escaped as every CLI output of such text is.
  const { terminalText } = await import('./kit.ts');
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(`lrs-relay: configuration: ${terminalText(p)}`);
    console.error('lrs-relay: nothing was started. See .env.example for every variable and its default.');
    process.exitCode = 78;
  } else if (e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    // An unknown or malformed option (node:util parseArgs): bad usage, so say where the options are.
    const command = terminalText(process.argv[2] ?? '');
    const problem = terminalText(e.message.split('. ')[0]?.replace(/\.$/, '') ?? '');
    console.error(`lrs-relay ${command}: ${problem}.\nRun \`lrs-relay ${command} --help\` for the options.`);
    process.exitCode = 2;
  } else {
    // Line by line, so our own multi-line messages keep their lines.
    console.error(`lrs-relay: ${errorMessage(e).split('\n').map(terminalText).join('\n')}`);
    process.exitCode = 1;
  }
}
