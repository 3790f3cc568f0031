/**
 * The simulated learner register: learners indexed for the hot path (date of birth and normalised identity),
 * demographic matching, find-before-register, ULN issue, versioned updates. State lives in the instance.
 */
import type { LearningEvent } from '../lrs/types.ts';
import { generateUln } from '../lrs/uln.ts';
import { generateEvents } from './events.ts';
import { hashKey } from './prng.ts';
import { REGISTER_FIELDS, type SimLearner } from './learner-record.ts';
import { identityKey, isPossibleMatch, normaliseName, type IdentityFields } from './match.ts';

/** A family name (normalised) that always gives too many matches, so tests and demos can reach WSRC0002 at will. */
export const TOO_MANY_FAMILY_NAME = 'EVERYBODY';

export type FindOutcome =
  | { code: 'WSRC0001' }
  | { code: 'WSRC0002' }
  | { code: 'WSRC0003'; candidates: SimLearner[] }
  | { code: 'WSRC0004'; learner: SimLearner }
  | { code: 'WSRC0022'; learner: SimLearner };

export type RegisterOutcome =
  | { code: 'WSRC0005'; uln: string }
  | { code: 'WSRC0021'; reason: 'duplicate' | 'no_recent_search' | 'possible_match_wait' };

export type UpdateOutcome = { code: 'WSRC0006' | 'WSRC0013' | 'WSRC0019' | 'WSRC0020' };

export interface StoreOptions {
  /** How long a FUL demographic search by an organisation licenses registering that person, ms. */
  findBeforeRegisterWindowMs: number;
  /** After a possible-match search, how long the organisation must wait before registering, ms (0 = no wait). */
  possibleMatchMinWaitMs: number;
  /** More candidates than this is "too many" (WSRC0002). */
  maxPossibleMatches: number;
  /** First digit(s) of issued ULNs. */
  issuedUlnPrefix: string;
}

/** Today as `yyyy-MM-dd` (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class LearnerStore {
  private readonly byUln = new Map<string, SimLearner>();
  /** `dob|G|given` and `dob|F|family` (normalised): every possible-match rule shares the birth date and one name. */
  private readonly byDobName = new Map<number, SimLearner[]>();
  /** hashKey(identityKey) → learners; hits are re-checked against the real key. */
  private readonly byIdentity = new Map<number, SimLearner[]>();
  /**
   * hashKey(org|identity) → time of the last FUL search × 2, plus 1 when it was a possible match.
   * Insertion-ordered by time, so expiry prunes from the front. Numbers keep a million entries small.
   */
  private readonly searches = new Map<number, number>();
  /** Achievements loaded through the External service, per master ULN, shown after the generated PLR. */
  private readonly loadedEvents = new Map<string, LearningEvent[]>();
  registrations = 0;
  duplicateRegistrations = 0;
  refusedRegistrations = 0;

  constructor(
    private readonly o: StoreOptions,
    /** Survives reset() so an instance never issues one ULN twice. */
    private readonly issue: { next: number } = { next: 0 },
  ) {}

  get size(): number {
    return this.byUln.size;
  }

  /** Adds a learner (seeding and import). Merged records must be added after their master. */
  add(l: SimLearner): void {
    if (this.byUln.has(l.uln)) throw new Error(`duplicate ULN ${l.uln} in learner data`);
    this.byUln.set(l.uln, l);
    this.index(l);
    if (l.mergedInto !== undefined) {
      const master = this.byUln.get(l.mergedInto);
      if (!master) throw new Error(`ULN ${l.uln} is merged into ${l.mergedInto}, which is not loaded`);
      if (!master.linkedUlns.includes(l.uln)) master.linkedUlns.push(l.uln);
    }
  }

  get(uln: string): SimLearner | undefined {
    return this.byUln.get(uln);
  }

  /** The record itself, or its master when it was merged. */
  master(l: SimLearner): SimLearner {
    return l.mergedInto === undefined ? l : (this.byUln.get(l.mergedInto) ?? l);
  }

  /** The record for `uln` when the names (normalised) match it or its master, with that master; else undefined. */
  byUlnAndNames(
    uln: string,
    givenName: string,
    familyName: string,
  ): { record: SimLearner; master: SimLearner } | undefined {
    const record = this.byUln.get(uln);
    if (!record) return undefined;
    const master = this.master(record);
    return hasNames(record, givenName, familyName) || hasNames(master, givenName, familyName)
      ? { record, master }
      : undefined;
  }

  /** The learner's PLR: generated events plus achievements loaded since start-up. */
  eventsOf(uln: string): LearningEvent[] {
    const loaded = this.loadedEvents.get(uln);
    const generated = generateEvents(uln);
    return loaded ? [...generated, ...loaded] : generated;
  }

  addEvent(uln: string, e: LearningEvent): void {
    push(this.loadedEvents, uln, e);
  }

  private index(l: SimLearner): void {
    push(this.byDobName, dobNameKey(l.dateOfBirth, 'G', normaliseName(l.givenName)), l);
    push(this.byDobName, dobNameKey(l.dateOfBirth, 'F', normaliseName(l.familyName)), l);
    push(this.byIdentity, hashKey(identityKey(l)), l);
  }

  private unindex(l: SimLearner): void {
    remove(this.byDobName, dobNameKey(l.dateOfBirth, 'G', normaliseName(l.givenName)), l);
    remove(this.byDobName, dobNameKey(l.dateOfBirth, 'F', normaliseName(l.familyName)), l);
    remove(this.byIdentity, hashKey(identityKey(l)), l);
  }

  /** learnerByDemographics matching (docs/lrs.md §8). */
  find(d: IdentityFields): FindOutcome {
    if (normaliseName(d.familyName) === TOO_MANY_FAMILY_NAME) return { code: 'WSRC0002' };
    const exact = this.sameIdentity(d);
    if (exact.length === 1 && exact[0] !== undefined) {
      const hit = exact[0];
      return hit.mergedInto === undefined
        ? { code: 'WSRC0004', learner: hit }
        : { code: 'WSRC0022', learner: this.master(hit) };
    }
    const seen = new Set<string>();
    const candidates: SimLearner[] = [];
    const g = normaliseName(d.givenName);
    const f = normaliseName(d.familyName);
    // Same given name (family similar, previous or equal), same family name (given similar), or swapped names.
    for (const key of [
      dobNameKey(d.dateOfBirth, 'G', g),
      dobNameKey(d.dateOfBirth, 'F', f),
      dobNameKey(d.dateOfBirth, 'F', g),
    ]) {
      for (const l of this.byDobName.get(key) ?? []) {
        if (l.dateOfBirth !== d.dateOfBirth || !isPossibleMatch(d, l)) continue;
        const m = this.master(l);
        if (seen.has(m.uln)) continue;
        seen.add(m.uln);
        candidates.push(m);
      }
    }
    if (candidates.length > this.o.maxPossibleMatches) return { code: 'WSRC0002' };
    if (candidates.length > 0) return { code: 'WSRC0003', candidates };
    return { code: 'WSRC0001' };
  }

  /** Remembers a FUL demographic search by `org`, licensing registration within the window. */
  recordSearch(org: string, d: IdentityFields, outcome: FindOutcome['code'], now: number): void {
    const key = hashKey(`${org}|${identityKey(d)}`);
    this.searches.delete(key);
    this.searches.set(key, now * 2 + (outcome === 'WSRC0003' ? 1 : 0));
    const horizon = now - this.o.findBeforeRegisterWindowMs;
    for (const [k, v] of this.searches) {
      if (Math.floor(v / 2) >= horizon) break;
      this.searches.delete(k);
    }
  }

  /** registerSingleLearner: duplicate check, then the find-before-register rule, then a fresh ULN. */
  register(
    org: string,
    learner: Omit<
      SimLearner,
      'uln' | 'createdDate' | 'lastUpdatedDate' | 'versionNumber' | 'learnerStatus' | 'linkedUlns'
    >,
    now: number,
  ): RegisterOutcome {
    if (this.sameIdentity(learner).length > 0) {
      this.duplicateRegistrations++;
      this.refusedRegistrations++;
      return { code: 'WSRC0021', reason: 'duplicate' };
    }
    const search = this.searches.get(hashKey(`${org}|${identityKey(learner)}`));
    const at = search === undefined ? undefined : Math.floor(search / 2);
    if (search === undefined || at === undefined || now - at > this.o.findBeforeRegisterWindowMs) {
      this.refusedRegistrations++;
      return { code: 'WSRC0021', reason: 'no_recent_search' };
    }
    if (search % 2 === 1 && now - at < this.o.possibleMatchMinWaitMs) {
      this.refusedRegistrations++;
      return { code: 'WSRC0021', reason: 'possible_match_wait' };
    }
    const uln = this.issueUln();
    const today = isoDate(now);
    this.add({
      ...learner,
      uln,
      createdDate: today,
      lastUpdatedDate: today,
      versionNumber: 1,
      learnerStatus: '1',
      linkedUlns: [],
      tierLevel: learner.tierLevel ?? '0',
    });
    this.registrations++;
    return { code: 'WSRC0005', uln };
  }

  /** Learners whose five mandatory demographics equal `d` after normalising. */
  private sameIdentity(d: IdentityFields): SimLearner[] {
    const key = identityKey(d);
    return (this.byIdentity.get(hashKey(key)) ?? []).filter((l) => identityKey(l) === key);
  }

  private issueUln(): string {
    for (;;) {
      const uln = generateUln(this.o.issuedUlnPrefix, this.issue.next);
      this.issue.next = Number(uln.slice(this.o.issuedUlnPrefix.length, 9)) + 1;
      if (!this.byUln.has(uln)) return uln;
    }
  }

  /**
   * updateSingleLearner: fields present in the request replace the record's values; absent ones stay.
   * `fields` holds only the LearnerToRegister elements that were present.
   */
  update(
    uln: string,
    versionNumber: number,
    fields: Partial<Record<(typeof REGISTER_FIELDS)[number][1], string>>,
    now: number,
  ): UpdateOutcome {
    const l = this.byUln.get(uln);
    if (l === undefined || l.mergedInto !== undefined) return { code: 'WSRC0019' };
    if (versionNumber !== l.versionNumber) return { code: 'WSRC0013' };
    const changes: [string, string | undefined][] = [];
    for (const [, key] of REGISTER_FIELDS) {
      const v = fields[key];
      if (v === undefined) continue;
      const next = v === '' ? undefined : v;
      if ((l[key] ?? undefined) !== next) changes.push([key, next]);
    }
    if (changes.length === 0) return { code: 'WSRC0020' };
    this.unindex(l);
    const target = l as unknown as Record<string, string | undefined>;
    for (const [key, value] of changes) target[key] = value;
    l.versionNumber++;
    l.lastUpdatedDate = isoDate(now);
    this.index(l);
    return { code: 'WSRC0006' };
  }
}

function hasNames(l: SimLearner, givenName: string, familyName: string): boolean {
  return (
    normaliseName(l.givenName) === normaliseName(givenName) &&
    normaliseName(l.familyName) === normaliseName(familyName)
  );
}

function dobNameKey(dob: string, which: 'G' | 'F', name: string): number {
  return hashKey(`${dob}|${which}|${name}`);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function remove<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (!list) return;
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(k);
}
