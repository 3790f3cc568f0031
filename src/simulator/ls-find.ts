/** LearnerService.svc reads: learnerByDemographics (the hot path), learnerByULN, verifyLearner, retrieveULNs. */
import type { LearnerToVerify } from '../lrs/types.ts';
import type { SimContext } from './context.ts';
import { renderLearner } from './learner-record.ts';
import { compareForVerify } from './match.ts';
import type { FindOutcome } from './store.ts';
import { childOf, el, miapEnvelope, NS, textOf, type XmlNode } from './xml.ts';

const FIND_OPEN = `<ns2:FindLearnerResponse xmlns:ns2="${NS.findmsg}">`;
const FIND_CLOSE = '</ns2:FindLearnerResponse>';

/** Non-empty text of a child, else undefined (the LRS leaves empty criteria out of its echo). */
function present(root: XmlNode, name: string): string | undefined {
  const v = textOf(root, name);
  return v === '' ? undefined : v;
}

function renderOutcome(outcome: FindOutcome): string {
  switch (outcome.code) {
    case 'WSRC0004':
      return renderLearner(outcome.learner);
    case 'WSRC0022':
      return renderLearner(outcome.learner, true);
    case 'WSRC0003':
      return outcome.candidates.map((l) => renderLearner(l)).join('');
    default:
      return '';
  }
}

export function handleFindByDemographics(ctx: SimContext, root: XmlNode, orgId: string): string {
  const d = {
    familyName: textOf(root, 'FamilyName'),
    givenName: textOf(root, 'GivenName'),
    dateOfBirth: textOf(root, 'DateOfBirth'),
    gender: textOf(root, 'Gender'),
    lastKnownPostCode: textOf(root, 'LastKnownPostCode'),
  };
  const outcome = ctx.store.find(d);
  if (textOf(root, 'FindType') === 'FUL') ctx.store.recordSearch(orgId, d, outcome.code, ctx.now());
  return miapEnvelope(
    `${FIND_OPEN}${el('ResponseCode', outcome.code)}${el('FamilyName', d.familyName)}${el('GivenName', d.givenName)}` +
      `${el('DateOfBirth', d.dateOfBirth)}${el('Gender', d.gender)}${el('LastKnownPostCode', d.lastKnownPostCode)}` +
      `${el('PreviousFamilyName', present(root, 'PreviousFamilyName'))}${el('SchoolAtAge16', present(root, 'SchoolAtAge16'))}` +
      `${el('PlaceOfBirth', present(root, 'PlaceOfBirth'))}${el('EmailAddress', present(root, 'EmailAddress'))}${renderOutcome(outcome)}${FIND_CLOSE}`,
  );
}

export function handleFindByUln(ctx: SimContext, root: XmlNode): string {
  const uln = textOf(root, 'ULN');
  const familyName = textOf(root, 'FamilyName');
  const givenName = textOf(root, 'GivenName');
  const hit = ctx.store.byUlnAndNames(uln, givenName, familyName);
  const outcome: FindOutcome = !hit
    ? { code: 'WSRC0001' }
    : hit.master === hit.record
      ? { code: 'WSRC0004', learner: hit.record }
      : { code: 'WSRC0022', learner: hit.master };
  return miapEnvelope(
    `${FIND_OPEN}${el('ResponseCode', outcome.code)}${el('ULN', uln)}${el('FamilyName', familyName)}${el('GivenName', givenName)}${renderOutcome(outcome)}${FIND_CLOSE}`,
  );
}

/** Reads a LearnerToVerify / batch Learner element. */
export function readVerifyInput(n: XmlNode): LearnerToVerify {
  const opt = (name: string) => {
    const v = textOf(n, name);
    return v === '' ? undefined : v;
  };
  return {
    misIdentifier: opt('MISIdentifier'),
    uln: textOf(n, 'ULN'),
    familyName: textOf(n, 'FamilyName'),
    givenName: textOf(n, 'GivenName'),
    dateOfBirth: opt('DateOfBirth'),
    gender: opt('Gender'),
  };
}

/**
 * verifyLearner rules (docs/lrs.md §5.2): WSVRC006 unknown ULN; 001/002 everything supplied matches (002 via a linked ULN);
 * 003/004 names accepted (equal, swapped, or previous family name) but something differs; 005 names do not match.
 * Record details are returned only when the learner was (similarly) matched.
 */
export function renderVerifiedLearner(ctx: SimContext, v: LearnerToVerify): { xml: string; code: string } {
  const searched =
    `${el('MISIdentifier', v.misIdentifier)}${el('SearchedULN', v.uln)}${el('SearchedFamilyName', v.familyName)}${el('SearchedGivenName', v.givenName)}` +
    `${el('SearchedDateOfBirth', v.dateOfBirth)}${el('SearchedGender', v.gender)}`;
  const l = ctx.store.get(v.uln);
  if (!l)
    return {
      xml: `<VerifiedLearner>${searched}<ResponseCode>WSVRC006</ResponseCode></VerifiedLearner>`,
      code: 'WSVRC006',
    };
  const master = ctx.store.master(l);
  const linked = master !== l;
  let cmp = compareForVerify(v, l);
  if (linked) {
    const viaMaster = compareForVerify(v, master);
    if ((viaMaster.exact && !cmp.exact) || (viaMaster.namesAccepted && !cmp.namesAccepted)) cmp = viaMaster;
  }
  const code = cmp.exact
    ? linked
      ? 'WSVRC002'
      : 'WSVRC001'
    : cmp.namesAccepted
      ? linked
        ? 'WSVRC004'
        : 'WSVRC003'
      : 'WSVRC005';
  const record =
    code === 'WSVRC005'
      ? ''
      : `${el('ULN', master.uln)}${el('FamilyName', master.familyName)}${el('GivenName', master.givenName)}${el('DateOfBirth', master.dateOfBirth)}${el('Gender', master.gender)}`;
  const flags = cmp.flags.map((f) => `<FailureFlag>${f}</FailureFlag>`).join('');
  return {
    xml: `<VerifiedLearner>${searched}<ResponseCode>${code}</ResponseCode>${record}${flags}</VerifiedLearner>`,
    code,
  };
}

export function handleVerifyLearner(ctx: SimContext, root: XmlNode): string {
  const node = childOf(root, 'LearnerToVerify');
  const { xml } = renderVerifiedLearner(ctx, readVerifyInput(node ?? root));
  return miapEnvelope(
    `<ns2:VerifyLearnerResponse xmlns:ns2="${NS.reportmsg}">${xml}</ns2:VerifyLearnerResponse>`,
  );
}

/** retrieveULNs: WSRC0004 current, WSRC0022 merged (with MasterULN), WSRC0001 unknown — our reading of an unobserved operation. */
export function handleRetrieveUlns(ctx: SimContext, root: XmlNode): string {
  const list = childOf(root, 'ULNsToRetrieve');
  let rows = '';
  for (const n of list?.children ?? []) {
    const l = ctx.store.get(n.text);
    if (!l) {
      rows += `<VerifiedULN>${el('ULN', n.text)}<ResponseCode>WSRC0001</ResponseCode></VerifiedULN>`;
      continue;
    }
    const merged = l.mergedInto !== undefined;
    rows +=
      `<VerifiedULN>${el('ULN', l.uln)}${merged ? el('MasterULN', l.mergedInto) : ''}<ResponseCode>${merged ? 'WSRC0022' : 'WSRC0004'}</ResponseCode>` +
      `${el('FamilyName', l.familyName)}${el('GivenName', l.givenName)}${el('DateOfBirth', l.dateOfBirth)}${el('Gender', l.gender)}</VerifiedULN>`;
  }
  return miapEnvelope(
    `<ns2:RetrieveULNsResponse xmlns:ns2="${NS.reportmsg}"><RetrievedULNs>${rows}</RetrievedULNs></ns2:RetrieveULNsResponse>`,
  );
}
