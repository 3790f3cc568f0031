/**
 * LearnerServiceR9.svc: dispatch on SOAPAction (mandatory for WCF), then GetLearnerLearningEvents (the PLR,
 * with the verification and sharing gates and linked substitution) and LearnerByUln. Credential and
 * service-hours failures come back as DomainFaults (docs/lrs.md §5.4(2); which codes the real service faults on is unknown).
 */
import { isValidUln } from '../lrs/uln.ts';
import type { SimContext, SimResponse } from './context.ts';
import { xmlResponse } from './context.ts';
import { renderEvent } from './events.ts';
import { actionNotSupportedFault, domainFault, WSEC_DESCRIPTIONS } from './faults.ts';
import type { SimLearner } from './learner-record.ts';
import { isoDate } from './store.ts';
import { deserializationFault, m, member, memberNode, mNil, wcfResult } from './wcf.ts';
import { escapeXml, NS, type XmlNode } from './xml.ts';

const ACTION_PREFIX = 'http://tempuri.org/ILearnerServiceR9/';
/** Operations in the current R9 contract; the last three are known but not simulated (WSEC0002). */
const R9_OPERATIONS = [
  'GetLearnerLearningEvents',
  'LearnerByUln',
  'UpdateLearnerSubsetFields',
  'ViewAudit',
  'GetOrganisation',
] as const;

/** The operation an R9 request asks for, or undefined when its SOAPAction is missing or unknown. */
export function r9Operation(action: string): string | undefined {
  if (!action.startsWith(ACTION_PREFIX)) return undefined;
  const op = action.slice(ACTION_PREFIX.length);
  return (R9_OPERATIONS as readonly string[]).includes(op) ? op : undefined;
}

function fail(ctx: SimContext, code: keyof typeof WSEC_DESCRIPTIONS): SimResponse {
  ctx.stats.countFault(code);
  return xmlResponse(domainFault(code, WSEC_DESCRIPTIONS[code]), 500);
}

export function handleR9(ctx: SimContext, action: string, root: XmlNode): SimResponse {
  const op = r9Operation(action);
  if (!op) {
    ctx.stats.countCall('unknown');
    ctx.stats.countFault('ActionNotSupported');
    return xmlResponse(actionNotSupportedFault(action), 500);
  }
  ctx.stats.countCall(op);
  if (root.name !== op || root.ns !== NS.tempuri)
    return xmlResponse(deserializationFault(op, NS.tempuri, root), 500);
  if (op !== 'GetLearnerLearningEvents' && op !== 'LearnerByUln') return fail(ctx, 'WSEC0002');
  if (ctx.outOfHours(op)) return fail(ctx, 'WSEC0004');
  // GetLearnerLearningEvents takes InvokingOrganisationR10; LearnerByUln the older InvokingOrganisation (docs/lrs.md §2.4).
  const org = memberNode(root, 'invokingOrganisation', NS.tempuri);
  const credNs = op === 'GetLearnerLearningEvents' ? NS.r10 : NS.common;
  const auth = ctx.orgs.authenticate(
    {
      ukprn: member(org, 'Ukprn', credNs),
      organisationRef: member(
        org,
        op === 'GetLearnerLearningEvents' ? 'OrganisationRef' : 'Reference',
        credNs,
      ),
      password: member(org, 'Password', credNs) ?? '',
    },
    [op, op === 'GetLearnerLearningEvents' ? 'getLearnerLearningEvents' : 'learnerByUlnR9'],
  );
  if (!auth.ok) return fail(ctx, auth.code);
  const p = (name: string) => member(root, name, NS.tempuri) ?? '';
  return xmlResponse(
    op === 'LearnerByUln'
      ? learnerByUln(ctx, p('uln'), p('givenName'), p('familyName'))
      : learningEvents(ctx, p('uln'), p('givenName'), p('familyName')),
  );
}

function learningEvents(ctx: SimContext, uln: string, given: string, family: string): string {
  const plr = (code: string, found: string, events: string) =>
    wcfResult(
      'GetLearnerLearningEvents',
      NS.tempuri,
      `${m('ResponseCode', code)}${m('FoundULN', found)}${m('IncomingULN', uln)}${events === '' ? '<a:LearnerRecord/>' : `<a:LearnerRecord>${events}</a:LearnerRecord>`}`,
    );
  if (!isValidUln(uln)) return plr('WSEC0136', '', '');
  const hit = ctx.store.byUlnAndNames(uln, given, family);
  if (!hit) return plr('WSEC0208', '', '');
  if (hit.master.abilityToShare !== '1') return plr('WSEC0206', hit.master.uln, '');
  const events = ctx.store.eventsOf(hit.master.uln).map(renderEvent).join('');
  return plr(hit.master === hit.record ? 'WSRC0004' : 'WSRC0022', hit.master.uln, events);
}

const b = (name: string, v: string | number | undefined) =>
  v === undefined ? '' : `<b:${name}>${escapeXml(String(v))}</b:${name}>`;

/** A subset of the ~90-member MIAPModel Learner, alphabetical as DataContract orders it; dates as xs:dateTime. */
function renderR9Learner(l: SimLearner, now: number): string {
  const dt = (d: string | undefined) => (d ? `${d}T00:00:00` : undefined);
  const linked =
    l.linkedUlns.length === 0
      ? ''
      : `<b:LinkedUlns xmlns:c="${NS.arrays}">${l.linkedUlns.map((u) => `<c:string>${u}</c:string>`).join('')}</b:LinkedUlns>`;
  return (
    `<a:Learner xmlns:b="${NS.miapModel}">${b('AbilityToShare', l.abilityToShare)}${b('CreatedDate', dt(l.createdDate))}${b('DateOfAddressCapture', dt(l.dateOfAddressCapture))}` +
    `${b('DateOfBirth', dt(l.dateOfBirth))}${b('EmailAddress', l.emailAddress)}${b('FamilyName', l.familyName)}${b('FamilyNameAt16', l.familyNameAtAge16)}` +
    `${b('Gender', l.gender)}${b('GivenName', l.givenName)}${b('LastKnownAddressCountyOrCity', l.lastKnownAddressCountyOrCity)}` +
    `${b('LastKnownAddressLine1', l.lastKnownAddressLine1)}${b('LastKnownAddressLine2', l.lastKnownAddressLine2)}${b('LastKnownAddressTown', l.lastKnownAddressTown)}` +
    `${b('LastKnownPostCode', l.lastKnownPostCode)}${b('LastUpdatedDate', dt(l.lastUpdatedDate ?? isoDate(now)))}${linked}${b('MiddleOtherName', l.middleOtherName)}` +
    `${b('Nationality', l.nationality)}${b('PlaceOfBirth', l.placeOfBirth)}${b('PreferredGivenName', l.preferredGivenName)}${b('PreviousFamilyName', l.previousFamilyName)}` +
    `${b('SchoolAtAge16', l.schoolAtAge16)}${b('ScottishCandidateNumber', l.scottishCandidateNumber)}${b('TierLevel', l.tierLevel)}${b('Title', l.title)}` +
    `${b('Uln', l.uln)}${b('VerificationType', l.verificationType)}${b('VersionNumber', l.versionNumber)}</a:Learner>`
  );
}

/** R9 LearnerByUln: WSRC0004 found, WSRC0022 via a linked ULN (master returned), WSRC0001 unknown ULN or names. */
function learnerByUln(ctx: SimContext, uln: string, given: string, family: string): string {
  const hit = ctx.store.byUlnAndNames(uln, given, family);
  const code = !hit ? 'WSRC0001' : hit.master === hit.record ? 'WSRC0004' : 'WSRC0022';
  const learner = hit ? renderR9Learner(hit.master, ctx.now()) : '';
  return wcfResult(
    'LearnerByUln',
    NS.tempuri,
    `${m('ResponseCode', code)}${mNil('FamilyName', family)}${mNil('GivenName', given)}${learner}${mNil('Uln', uln)}`,
  );
}
