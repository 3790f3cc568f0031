/**
 * The demo's people, generated deterministically from a seed: the learners the (simulated) LRS already
 * holds, and the MIS students that meet them — new learners, learners the LRS knows (with and without
 * a ULN in the MIS), linked records, possible matches, crowds too large to tell apart, bad data, and
 * students too incomplete to submit. Name pools and birth years are chosen so the scenarios do not
 * collide: new learners are born after every seeded learner, so they can only ever be "no match".
 */
import type { OutcomeExamples } from '../simulator/seed.ts';
import { createRandom, pickIndex, pickOne, type Random } from '../simulator/prng.ts';
import { generateUln } from '../lrs/uln.ts';

/** What a demo student is meant to show (the outcome the relay should reach). */
export const SCENARIOS = {
  /** Not at the LRS: registered (WSRC0005). */
  new: 0.39,
  /** At the LRS, no ULN in the MIS: the search finds it (WSRC0004), nothing registered. */
  exact: 0.22,
  /** ULN already in the MIS: verified (WSVRC001). */
  verify: 0.12,
  /** Matches a record merged into another: the master ULN is stored (WSRC0022). */
  linked: 0.04,
  /** Same names and birth date, different postcode: candidates for staff (WSRC0003). */
  possible: 0.07,
  /** One of a crowd of identical names and birth dates: too many to list (WSRC0002). */
  tooMany: 0.02,
  /** A name longer than the LRS allows: refused before any call (LOCAL_VALIDATION). */
  badName: 0.03,
  /** A birth date outside the years the LRS accepts (LOCAL_VALIDATION). */
  badDate: 0.03,
  /** Not a UK postcode (LOCAL_VALIDATION). */
  badPostcode: 0.04,
  /** A ULN with a wrong check digit (LOCAL_VALIDATION). */
  badUln: 0.03,
  /** No postcode yet: the trigger does not submit it. */
  incomplete: 0.01,
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface DemoStudent {
  studentId: string;
  scenario: Scenario;
  forename: string;
  surname: string;
  /** yyyy-MM-dd (always a real calendar date: the MIS column is a date). */
  birthDate: string;
  sex: 'M' | 'F' | 'U' | 'X';
  postcode: string | null;
  email: string | null;
  uln: string | null;
}

/** A learner on the simulated LRS register (the row shape the simulator's `learners` option reads). */
export interface LrsSeedLearner {
  uln: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  lastKnownPostCode: string;
  mergedInto?: string;
}

export interface Population {
  students: DemoStudent[];
  /**
   * Students enrolled before lrs-relay was installed (no trigger saw them, none has a ULN): the nightly
   * ULN acquisition finds them in the MIS's view and sends them in batches.
   */
  backlog: DemoStudent[];
  lrsLearners: LrsSeedLearner[];
}

/** The backlog's mix, per 20 students: mostly learners to find or register, and a few for staff. */
const BACKLOG_MIX: Partial<Record<Scenario, number>> = {
  new: 8,
  exact: 5,
  linked: 1,
  possible: 2,
  tooMany: 1,
  badName: 1,
  badDate: 1,
  badPostcode: 1,
};

function backlogCounts(n: number): Partial<Record<Scenario, number>> {
  const out: Partial<Record<Scenario, number>> = {};
  let assigned = 0;
  for (const [s, per20] of Object.entries(BACKLOG_MIX) as [Scenario, number][]) {
    out[s] = Math.floor((n * per20) / 20);
    assigned += out[s];
  }
  out.new = (out.new ?? 0) + n - assigned;
  return out;
}

const GIVEN = [
  'Aaliyah',
  'Bethany',
  'Callum',
  'Declan',
  'Eleanor',
  'Finley',
  'Gemma',
  'Harvey',
  'Imogen',
  'Jasper',
  'Keira',
  'Lewis',
  'Maisie',
  'Nathan',
  'Olivia',
  'Phoebe',
  'Reuben',
  'Scarlett',
  'Tobias',
  'Ursula',
  'Vincent',
  'Wiktoria',
  'Yusuf',
  'Zara',
  'Amir',
  'Bronwen',
  'Ciaran',
  'Delyth',
  'Emeka',
  'Farah',
] as const;
const FAMILY = [
  'Abbott',
  'Bannerman',
  'Crawshaw',
  'Dunmore',
  'Eastwood',
  'Fairbairn',
  'Gallagher',
  'Hargreaves',
  'Iqbal',
  'Jankowski',
  'Kowalczyk',
  'Llewellyn',
  'McAllister',
  'Nwosu',
  'Oyelaran',
  'Pemberton',
  'Quinlan',
  'Rashid',
  'Sutcliffe',
  'Thistlewood',
  'Underhill',
  'Vasquez',
  'Whitworth',
  'Xu',
  'Yardley',
  'Zielinski',
  "O'Sullivan",
  'Ramsbottom',
  'Featherstone',
  'Achterberg',
] as const;
const AREAS = ['CV', 'B', 'LS', 'M', 'NE', 'BS', 'L', 'SW', 'NW', 'EX', 'CF', 'G', 'DN', 'HU'] as const;
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ';
const BAD_POSTCODES = ['NOT KNOWN', 'CV4 9E', '12345', 'ZZ9 9ZZZZ', 'TBC'] as const;
const DAY_MS = 86_400_000;

function postcode(r: Random): string {
  return `${pickOne(r, AREAS)}${1 + pickIndex(r, 29)} ${pickIndex(r, 10)}${pickOne(r, [...INWARD])}${pickOne(r, [...INWARD])}`;
}

/** A date between two years (inclusive of `fromYear`, exclusive of `toYear`). */
function dateBetween(r: Random, fromYear: number, toYear: number): string {
  const from = Date.UTC(fromYear, 0, 1);
  const days = Math.floor((Date.UTC(toYear, 0, 1) - from) / DAY_MS);
  return new Date(from + pickIndex(r, days) * DAY_MS).toISOString().slice(0, 10);
}

function counts(n: number): Record<Scenario, number> {
  const names = Object.keys(SCENARIOS) as Scenario[];
  const out = Object.fromEntries(names.map((s) => [s, Math.floor(n * SCENARIOS[s])])) as Record<
    Scenario,
    number
  >;
  const assigned = names.reduce((t, s) => t + out[s], 0);
  out.new += n - assigned; // rounding leftovers are new learners
  return out;
}

/** Fisher–Yates with the seeded generator: the same seed gives the same order. */
function shuffle<T>(r: Random, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = pickIndex(r, i + 1);
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/**
 * `n` students and the LRS learners they meet. `examples` (from `simulator.admin.examples()`) make the first
 * exact / linked / possible / too-many students the simulator's own synthetic learners.
 */
export function generatePopulation(
  n: number,
  seed = 1,
  examples: OutcomeExamples = {},
  /** Students for the backlog (default none), made after the others so these stay as they were. */
  backlogSize = 0,
): Population {
  const r = createRandom(seed);
  const lrsLearners: LrsSeedLearner[] = [];
  const usedUlns = new Set<string>();
  let ulnSequence = 0;
  const nextUln = (): string => {
    for (;;) {
      const u = generateUln('8', ulnSequence++);
      if (!usedUlns.has(u)) {
        usedUlns.add(u);
        return u;
      }
    }
  };
  const sexOf = (): 'M' | 'F' => (r() < 0.5 ? 'M' : 'F');
  const genderOf = (sex: DemoStudent['sex']): string => ({ M: '1', F: '2', U: '0', X: '9' })[sex];
  const person = (fromYear: number, toYear: number) => ({
    forename: pickOne(r, GIVEN),
    surname: pickOne(r, FAMILY),
    birthDate: dateBetween(r, fromYear, toYear),
    sex: sexOf() as DemoStudent['sex'],
    postcode: postcode(r) as string | null,
  });
  /** A learner the LRS already holds, born before any new learner. */
  const atLrs = (p: ReturnType<typeof person>, over: Partial<LrsSeedLearner> = {}): LrsSeedLearner => {
    const l: LrsSeedLearner = {
      uln: nextUln(),
      givenName: p.forename,
      familyName: p.surname,
      dateOfBirth: p.birthDate,
      gender: genderOf(p.sex),
      lastKnownPostCode: p.postcode ?? postcode(r),
      ...over,
    };
    lrsLearners.push(l);
    return l;
  };
  const fromExample = (key: keyof OutcomeExamples) => {
    const ex = examples[key];
    if (!ex) return undefined;
    const sex: DemoStudent['sex'] =
      ex.gender === '1' ? 'M' : ex.gender === '2' ? 'F' : ex.gender === '9' ? 'X' : 'U';
    return {
      forename: ex.givenName,
      surname: ex.familyName,
      birthDate: ex.dateOfBirth,
      sex,
      postcode: ex.lastKnownPostCode as string | null,
    };
  };
  const usedExamples = new Set<string>();
  const example = (key: keyof OutcomeExamples) => {
    if (usedExamples.has(key)) return undefined;
    usedExamples.add(key);
    return fromExample(key);
  };

  const make = (scenario: Scenario): Omit<DemoStudent, 'studentId'> => {
    const base = { scenario, email: null as string | null, uln: null as string | null };
    switch (scenario) {
      case 'new':
        return { ...base, ...person(2008, 2010) };
      case 'exact': {
        const ex = example('exact');
        if (ex) return { ...base, ...ex };
        const p = person(1996, 2008);
        atLrs(p);
        return { ...base, ...p };
      }
      case 'verify': {
        const p = person(1996, 2008);
        return { ...base, ...p, uln: atLrs(p).uln };
      }
      case 'linked': {
        const ex = example('linked');
        if (ex) return { ...base, ...ex };
        const p = person(1996, 2008);
        const master = atLrs({ ...p, postcode: postcode(r) });
        atLrs(p, { mergedInto: master.uln });
        return { ...base, ...p };
      }
      case 'possible': {
        const ex = example('possible');
        if (ex) return { ...base, ...ex };
        const p = person(1996, 2008);
        atLrs({ ...p, postcode: postcode(r) });
        return { ...base, ...p };
      }
      case 'tooMany': {
        const ex = example('tooMany');
        if (ex) return { ...base, ...ex };
        const p = person(1996, 2008);
        for (let i = 0; i < 11; i++) atLrs({ ...p, postcode: postcode(r) });
        return { ...base, ...p };
      }
      case 'badName':
        return {
          ...base,
          ...person(2008, 2010),
          surname: `${pickOne(r, FAMILY)}-${pickOne(r, FAMILY)}-${pickOne(r, FAMILY)}-Montgomery-Smythe`,
        };
      case 'badDate':
        return {
          ...base,
          ...person(2008, 2010),
          birthDate: r() < 0.5 ? dateBetween(r, 1700, 1790) : dateBetween(r, 2101, 2200),
        };
      case 'badPostcode':
        return { ...base, ...person(2008, 2010), postcode: pickOne(r, BAD_POSTCODES) };
      case 'badUln': {
        const p = person(1996, 2008);
        const good = nextUln();
        const last = Number(good.slice(-1));
        return { ...base, ...p, uln: `${good.slice(0, 9)}${(last + 1 + pickIndex(r, 8)) % 10}` };
      }
      case 'incomplete':
        return { ...base, ...person(2008, 2010), postcode: null };
    }
  };

  const plan: Scenario[] = [];
  for (const [scenario, count] of Object.entries(counts(n)) as [Scenario, number][]) {
    for (let i = 0; i < count; i++) plan.push(scenario);
  }
  const students = shuffle(r, plan).map((scenario, i) => {
    const s = make(scenario);
    const email =
      r() < 0.3
        ? `${s.forename}.${s.surname}`.toLowerCase().replace(/[^a-z.]/g, '') + '@students.example.ac.uk'
        : null;
    return { ...s, email: s.email ?? email, studentId: `S${String(i + 1).padStart(6, '0')}` };
  });
  const backlogPlan: Scenario[] = [];
  for (const [scenario, count] of Object.entries(backlogCounts(backlogSize)) as [Scenario, number][]) {
    for (let i = 0; i < count; i++) backlogPlan.push(scenario);
  }
  const backlog = shuffle(r, backlogPlan).map((scenario, i) => ({
    ...make(scenario),
    studentId: `B${String(i + 1).padStart(6, '0')}`,
  }));
  return { students, backlog, lrsLearners };
}
