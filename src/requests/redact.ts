/**
 * Removes a request's own personal values from text the LRS wrote, before that text is kept anywhere
 * (lrs.request.last_error, lrs.outcome.description, lrs.batch.last_error, logs). An LRS fault's
 * FurtherDetails or a batch error row can quote the learner's name, date of birth or postcode in any
 * wording, so the values are matched, not a wording: each personal field of the payload
 * (PERSONAL_FIELDS in src/personal-data.ts) is looked for in the forms people and the LRS write it and replaced
 * by a marker such as `[given name]`. Only LRS text goes through here: our own wording and codes never do.
 */
import { LrsError } from '../lrs/errors.ts';
import { PERSONAL_FIELDS, type PersonalValueForm } from '../personal-data.ts';

/** Text with the personal values of the payloads it was made from replaced by markers. */
export type Redactor = (text: string) => string;

/** Single words shorter than this (initials) are not looked for: they would match ordinary text. */
const MIN_WORD_LENGTH = 2;
/** Most characters between two words of one value in the text ("Mary-Jane", "Mary - Jane", "O'Brien"). */
const MAX_GAP = 3;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

/**
 * Words as the text is compared: letters (with their accents) and digits, with apostrophes inside a word
 * ("O'Brien", "Mary's") kept in it; compared without accents, apostrophes or case ("OBrien", "Marys").
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['\u2018\u2019`][\p{L}\p{M}\p{N}]+)*/gu;
const APOSTROPHE = /['\u2018\u2019`]/g;
const wordKey = (w: string): string =>
  w.normalize('NFD').replace(/\p{M}/gu, '').replace(APOSTROPHE, '').toLowerCase();
const wordsOf = (value: string): string[] => [...value.matchAll(WORD)].map((m) => wordKey(m[0]));

/** What to look for, built once per set of payloads: word sequences, dates and postcodes, each with its marker. */
interface Index {
  /** First word → the sequences starting with it (longest first when matched). */
  sequences: Map<string, { words: string[]; marker: string }[]>;
  /** `year-month-day` (and `yy-month-day`) → marker. */
  dates: Map<string, string>;
  /** Postcode without spaces, upper case → marker. */
  postcodes: Map<string, string>;
  /** Sequences already added (the first value's marker wins). */
  seen: Set<string>;
}

function addSequence(index: Index, words: string[], marker: string): void {
  if (words.length === 0 || (words.length === 1 && [...words[0]!].length < MIN_WORD_LENGTH)) return;
  const key = words.join(' ');
  if (index.seen.has(key)) return;
  index.seen.add(key);
  const list = index.sequences.get(words[0]!) ?? [];
  list.push({ words, marker });
  index.sequences.set(words[0]!, list);
}

/** A value as a whole (its words in order, and run together: "O'Brien" is also "OBrien"). */
function addPhrase(index: Index, value: string, marker: string): void {
  const words = wordsOf(value);
  addSequence(index, words, marker);
  if (words.length > 1) addSequence(index, [words.join('')], marker);
}

/** Year, month and day of an ISO date (2005-01-31, with or without a time) or a UK day-first one (31/01/2005). */
function parseDate(value: string): { year: number; month: number; day: number } | undefined {
  const iso = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(value);
  const uk = iso ? undefined : /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(value);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : uk ? [uk[3], uk[2], uk[1]] : [];
  return validDate(Number(year), Number(month), Number(day));
}

function validDate(
  year: number,
  month: number,
  day: number,
): { year: number; month: number; day: number } | undefined {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 0 ? { year, month, day } : undefined;
}

const dateKey = (year: number, month: number, day: number): string => `${year}-${month}-${day}`;

/** A UK postcode: outward code, optional space, inward code. */
const POSTCODE_SHAPE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;

function addValue(index: Index, form: PersonalValueForm, value: string, marker: string): void {
  switch (form) {
    case 'name': {
      // The whole name, and each of its parts ("Mary-Jane": "Mary Jane", "MaryJane", "Mary", "Jane";
      // "O'Brien": "OBrien", "Brien").
      addPhrase(index, value, marker);
      for (const part of value.split(/[^\p{L}\p{M}\p{N}]+/u)) addSequence(index, [wordKey(part)], marker);
      return;
    }
    case 'date': {
      const d = parseDate(value);
      if (!d) return addPhrase(index, value, marker);
      for (const key of [dateKey(d.year, d.month, d.day), dateKey(d.year % 100, d.month, d.day)])
        if (!index.dates.has(key)) index.dates.set(key, marker);
      return;
    }
    case 'postcode': {
      const compact = value.replace(/\s+/g, '').toUpperCase();
      if (!POSTCODE_SHAPE.test(compact)) return addPhrase(index, value, marker);
      if (!index.postcodes.has(compact)) index.postcodes.set(compact, marker);
      return;
    }
    case 'phrase':
    case 'identifier':
      return addPhrase(index, value, marker);
  }
}

function buildIndex(payloads: readonly unknown[]): Index {
  const index: Index = { sequences: new Map(), dates: new Map(), postcodes: new Map(), seen: new Set() };
  for (const payload of payloads) {
    if (typeof payload !== 'object' || payload === null) continue;
    const p = payload as Record<string, unknown>;
    for (const [field, { form, marker }] of Object.entries(PERSONAL_FIELDS)) {
      const v = p[field];
      const value = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
      if (value !== '') addValue(index, form, value, marker);
    }
  }
  for (const list of index.sequences.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
}

interface Span {
  start: number;
  end: number;
  marker: string;
}

const ORDINAL = '(?:st|nd|rd|th)?';
const MONTH_WORD = '(\\p{L}{3,9})\\.?';
const TIME = '(?:[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s?Z|\\s?[+-]\\d{2}(?::?\\d{2})?)?)?';
/**
 * Every way a date is written in the text: ISO (2005-01-31, also with / or . and a time and offset), day
 * first (31/01/2005, 31-1-05, 31.01.2005, 31 01 2005), eight digits (20050131, 31012005), and with the month
 * in words (31 January 2005, 31st Jan 05, 31-Jan-2005, 31 of January 2005, January 31, 2005).
 */
const DATES = new RegExp(
  [
    `(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})${TIME}`,
    `(\\d{1,2})[-/. ](\\d{1,2})[-/. ](\\d{4}|\\d{2})`,
    `(\\d{8})`,
    `(\\d{1,2})${ORDINAL}[\\s-]+(?:of\\s+)?${MONTH_WORD}[\\s,-]+(\\d{4}|\\d{2})`,
    `${MONTH_WORD}\\s+(\\d{1,2})${ORDINAL},?\\s+(\\d{4})`,
  ]
    .map((s) => `(?<![\\p{L}\\p{N}])(?:${s})(?![\\p{L}\\p{N}])`)
    .join('|'),
  'giu',
);

const monthNumber = (word: string | undefined): number =>
  MONTHS.indexOf(wordKey(word ?? '').slice(0, 3) as (typeof MONTHS)[number]) + 1;

/** The dates a match of DATES may stand for (an eight-digit run is read both ways). */
function datesOfMatch(g: (string | undefined)[]): string[] {
  const n = (i: number) => Number(g[i]);
  const keys: (ReturnType<typeof validDate> | undefined)[] = [];
  if (g[1] !== undefined) keys.push(validDate(n(1), n(2), n(3)));
  else if (g[4] !== undefined) keys.push(validDate(n(6), n(5), n(4)));
  else if (g[7] !== undefined) {
    const s = g[7];
    keys.push(validDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6))));
    keys.push(validDate(Number(s.slice(4)), Number(s.slice(2, 4)), Number(s.slice(0, 2))));
  } else if (g[8] !== undefined) keys.push(validDate(n(10), monthNumber(g[9]), n(8)));
  else if (g[11] !== undefined) keys.push(validDate(n(13), monthNumber(g[11]), n(12)));
  return keys.flatMap((d) => (d ? [dateKey(d.year, d.month, d.day)] : []));
}

const POSTCODES = /(?<![\p{L}\p{N}])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![\p{L}\p{N}])/giu;

function findSpans(index: Index, text: string): Span[] {
  const spans: Span[] = [];
  if (index.dates.size > 0) {
    for (const m of text.matchAll(DATES)) {
      const marker = datesOfMatch([...m])
        .map((k) => index.dates.get(k))
        .find((x) => x !== undefined);
      if (marker) spans.push({ start: m.index, end: m.index + m[0].length, marker });
    }
  }
  if (index.postcodes.size > 0) {
    for (const m of text.matchAll(POSTCODES)) {
      const marker = index.postcodes.get(`${m[1]}${m[2]}`.toUpperCase());
      if (marker) spans.push({ start: m.index, end: m.index + m[0].length, marker });
    }
  }
  const taken = (start: number, end: number) => spans.some((s) => start < s.end && end > s.start);
  const words = [...text.matchAll(WORD)].map((m) => ({
    key: wordKey(m[0]),
    start: m.index,
    end: m.index + m[0].length,
  }));
  for (let i = 0; i < words.length; i++) {
    const candidates = index.sequences.get(words[i]!.key);
    if (!candidates) continue;
    const hit = candidates.find((c) =>
      c.words.every((w, k) => {
        const word = words[i + k];
        const prev = words[i + k - 1];
        return word?.key === w && (k === 0 || (prev !== undefined && word.start - prev.end <= MAX_GAP));
      }),
    );
    if (!hit) continue;
    const start = words[i]!.start;
    const end = words[i + hit.words.length - 1]!.end;
    if (taken(start, end)) continue;
    spans.push({ start, end, marker: hit.marker });
    i += hit.words.length - 1;
  }
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * A redactor for text about the requests whose payloads are given: one request's payload for its own
 * fault or error row, every payload of a batch for text about the whole batch. Payloads that are not
 * objects, and fields that are empty, add nothing. Each value becomes `[marker]` (PERSONAL_FIELDS).
 */
export function createRedactor(payloads: readonly unknown[]): Redactor {
  const index = buildIndex(payloads);
  if (index.sequences.size === 0 && index.dates.size === 0 && index.postcodes.size === 0) return (t) => t;
  return (text) => {
    let out = '';
    let at = 0;
    for (const s of findSpans(index, text)) {
      if (s.start < at) continue;
      out += `${text.slice(at, s.start)}[${s.marker}]`;
      at = s.end;
    }
    return out + text.slice(at);
  };
}

/** The same LrsError with the LRS's own text (Description, FurtherDetails) redacted; our message is kept. */
export function redactLrsError(err: LrsError, redact: Redactor): LrsError {
  if (err.description === undefined && err.furtherDetails === undefined) return err;
  const copy = new LrsError(err.message, {
    code: err.code,
    codeSource: err.codeSource,
    class: err.class,
    retryable: err.retryable,
    operation: err.operation,
    httpStatus: err.httpStatus,
    description: err.description === undefined ? undefined : redact(err.description),
    furtherDetails: err.furtherDetails === undefined ? undefined : redact(err.furtherDetails),
    problems: err.problems,
    ambiguous: err.ambiguous,
    cause: err.cause,
  });
  copy.stack = err.stack;
  return copy;
}
