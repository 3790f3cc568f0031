/**
 * Learning events (the PLR) for GetLearnerLearningEvents: the captured events of the seeded learner
 * 1174112637, and deterministic generated ones for everyone else (same ULN → same events on every run).
 */
import type { LearningEvent } from '../lrs/types.ts';
import { createRandom, hashString, pickIndex, pickOne } from './prng.ts';
import { escapeXml } from './xml.ts';

const ilr = (e: Partial<LearningEvent>): LearningEvent => ({
  awardingOrganisationName: 'UNKNOWN',
  awardingOrganisationUkprn: 'UNKNWN',
  collectionType: 'W',
  credits: 0,
  grade: '9999999999',
  restriction: '0',
  returnNumber: '02',
  source: 'ILR',
  status: 'F',
  underDataChallenge: 'N',
  ...e,
});
const npd = (e: Partial<LearningEvent>): LearningEvent =>
  ilr({
    collectionType: 'A',
    returnNumber: '01',
    source: 'NPD',
    participationStartDate: '',
    participationEndDate: '',
    ...e,
  });

/** The events of the captured exact-match PLR (ULN 1174112637), in the order the LRS returned them. */
export const CAPTURED_EVENTS: readonly LearningEvent[] = [
  ilr({
    achievementAwardDate: '2011-10-24',
    achievementProviderName: 'SAMPLE CHURCH',
    achievementProviderUkprn: '10030488',
    dateLoaded: '2012-05-31 16:47:04',
    id: 2931,
    participationEndDate: '2011-10-24',
    participationStartDate: '2011-10-02',
    qualificationType: 'GCSE',
    subject: 'GCSE in English Literature',
    subjectCode: '50079116',
  }),
  ilr({
    achievementAwardDate: '2011-10-24',
    achievementProviderName: 'VALLEY PARK SCHOOL',
    achievementProviderUkprn: '10033421',
    dateLoaded: '2012-05-31 16:47:04',
    id: 2932,
    participationEndDate: '2011-10-24',
    participationStartDate: '2011-10-02',
    qualificationType: 'Certificate',
    subject: 'Certificate in Business Language Competence',
    subjectCode: '10016454',
  }),
  npd({
    achievementAwardDate: '2010-07-01',
    achievementProviderName: 'SAMPLE CHURCH',
    achievementProviderUkprn: '10030488',
    awardingOrganisationName: 'EDEXCEL Foundation',
    awardingOrganisationUkprn: '100060',
    dateLoaded: '2012-05-30 17:28:02',
    grade: 'E',
    id: 252,
    qualificationType: 'GCE AS level',
    subject: 'EDEXCEL Level 3 Advanced Subsidiary GCE in Government and Politics',
    subjectCode: '50026173',
  }),
  npd({
    achievementAwardDate: '2058-07-01',
    achievementProviderName: 'THE CORSHAM SCHOOL',
    achievementProviderUkprn: '10033325',
    awardingOrganisationName: 'Assessment and Qualifications Alliance',
    awardingOrganisationUkprn: '100062',
    dateLoaded: '2012-05-30 17:28:02',
    grade: 'A*',
    id: 253,
    qualificationType: 'GCE A level',
    subject: 'AQA Level 3 Advanced GCE in English Literature A',
    subjectCode: '50025685',
  }),
  npd({
    achievementAwardDate: '2010-07-01',
    achievementProviderName: 'VALLEY PARK SCHOOL',
    achievementProviderUkprn: '10033421',
    awardingOrganisationName: 'Welsh Joint Education Committee',
    awardingOrganisationUkprn: '100040',
    dateLoaded: '2012-05-30 17:28:02',
    grade: 'D',
    id: 254,
    qualificationType: 'GCE A level',
    subject: 'WJEC Level 3 Advanced GCE in Business Studies',
    subjectCode: '50024760',
  }),
  npd({
    achievementAwardDate: '2011-07-01',
    achievementProviderName: 'VALLEY PARK SCHOOL',
    achievementProviderUkprn: '10033421',
    awardingOrganisationName: 'Oxford,Cambridge and RSA Examinations',
    awardingOrganisationUkprn: '100061',
    dateLoaded: '2012-05-30 17:28:02',
    grade: 'U',
    id: 255,
    qualificationType: 'GCE A level',
    subject: 'OCR Level 3 Advanced GCE in English Literature',
    subjectCode: '50024899',
  }),
  {
    achievementAwardDate: '2014-10-27',
    achievementProviderName: '',
    achievementProviderUkprn: '',
    awardingOrganisationName: 'Cambridge International Examinations',
    awardingOrganisationUkprn: 'TEST0045',
    credits: 0,
    dateLoaded: '2014-11-26 10:10:07',
    grade: 'Pass',
    id: 38075232,
    languageForAssessment: 'English',
    level: 'Level 1/2',
    qualificationType: 'GCSE (A* to G)',
    source: 'AO',
    status: 'F',
    subject: 'OCR Level 1/Level 2 GCSE in Additional Science B',
    subjectCode: '600/1166/X',
    underDataChallenge: 'N',
  },
];

const QUALIFICATIONS = [
  ['GCSE', 'GCSE in Mathematics', '50079001'],
  ['GCSE', 'GCSE in English Language', '50079002'],
  ['GCE A level', 'Level 3 Advanced GCE in Biology', '50025001'],
  ['NVQ', 'Level 2 NVQ Diploma in Hairdressing', '50087003'],
  ['Certificate', 'Level 1 Certificate in Digital Skills', '60312345'],
  ['Applied GCE Double Award', 'Applied GCE in Business (Double Award)', '50024002'],
] as const;
const PROVIDERS = [
  ['SAMPLE CHURCH', '10030488'],
  ['VALLEY PARK SCHOOL', '10033421'],
  ['THE CORSHAM SCHOOL', '10033325'],
] as const;

/** How many events a generated PLR holds; the linked master of the captured pair has 18, like the real capture. */
function eventCount(uln: string, random: () => number): number {
  return uln === '6936002314' ? 18 : pickIndex(random, 5);
}

/** The learner's PLR: captured events for 1174112637, otherwise generated from the ULN. */
export function generateEvents(uln: string): LearningEvent[] {
  if (uln === '1174112637') return [...CAPTURED_EVENTS];
  const random = createRandom(hashString(uln));
  const n = eventCount(uln, random);
  const events: LearningEvent[] = [];
  for (let i = 0; i < n; i++) {
    const [qualificationType, subject, subjectCode] = pickOne(random, QUALIFICATIONS);
    const [providerName, providerUkprn] = pickOne(random, PROVIDERS);
    const year = 2008 + pickIndex(random, 16);
    const base = {
      achievementAwardDate: `${year}-07-01`,
      achievementProviderName: providerName,
      achievementProviderUkprn: providerUkprn,
      dateLoaded: `${year}-09-30 17:28:02`,
      id: 100_000 + (hashString(`${uln}#${i}`) % 900_000),
      qualificationType,
      subject,
      subjectCode,
    };
    events.push(
      random() < 0.5
        ? ilr({ ...base, participationStartDate: `${year - 1}-09-01`, participationEndDate: `${year}-07-01` })
        : npd({ ...base, grade: pickOne(random, ['A', 'B', 'C', '4', '5', 'Pass']) }),
    );
  }
  return events;
}

const a = (name: string, v: string | number | undefined): string =>
  v === undefined ? '' : v === '' ? `<a:${name}/>` : `<a:${name}>${escapeXml(String(v))}</a:${name}>`;

/** One `<a:LearningEvent>` in DataContract (alphabetical) order; ILR/NPD events carry a nil Level. */
export function renderEvent(e: LearningEvent): string {
  const level =
    e.level === undefined ? (e.source === 'AO' ? '' : '<a:Level i:nil="true"/>') : a('Level', e.level);
  return (
    `<a:LearningEvent>${a('AchievementAwardDate', e.achievementAwardDate)}${a('AchievementProviderName', e.achievementProviderName)}` +
    `${a('AchievementProviderUkprn', e.achievementProviderUkprn)}${a('AwardingOrganisationName', e.awardingOrganisationName)}` +
    `${a('AwardingOrganisationUkprn', e.awardingOrganisationUkprn)}${a('CollectionType', e.collectionType)}${a('Credits', e.credits)}` +
    `${a('DateLoaded', e.dateLoaded)}${a('Grade', e.grade)}${a('ID', e.id)}${a('LanguageForAssessment', e.languageForAssessment)}${level}` +
    `${a('ParticipationEndDate', e.participationEndDate)}${a('ParticipationStartDate', e.participationStartDate)}` +
    `${a('QualificationType', e.qualificationType)}${a('Restriction', e.restriction)}${a('ReturnNumber', e.returnNumber)}` +
    `${a('Source', e.source)}${a('Status', e.status)}${a('Subject', e.subject)}${a('SubjectCode', e.subjectCode)}` +
    `${a('UnderDataChallenge', e.underDataChallenge)}</a:LearningEvent>`
  );
}
