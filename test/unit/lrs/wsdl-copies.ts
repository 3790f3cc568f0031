/**
 * Changed copies of our WSDLs (wsdl/), made in memory, for the contract-drift tests: each change is
 * one edit after an anchor, and fails loudly if the text it edits is gone (a test that edits nothing
 * cannot fail).
 */
import { readFileSync } from 'node:fs';
import type { ServiceName } from '../../../src/lrs/messages.ts';

export const WSDL_FILES: Record<ServiceName, string> = {
  learnerService: 'LearnerService.wsdl',
  learnerServiceR9: 'LearnerServiceR9.wsdl',
  externalService: 'ExternalService.wsdl',
};

/** Our WSDL of a service, as in the repository. */
export function ourWsdl(service: ServiceName): string {
  return readFileSync(new URL(`../../../wsdl/${WSDL_FILES[service]}`, import.meta.url), 'utf8');
}

/** `text` with the first `from` after `anchor` replaced by `to`. */
export function editAfter(text: string, anchor: string, from: string, to: string): string {
  const a = text.indexOf(anchor);
  if (a < 0) throw new Error(`anchor not found: ${anchor}`);
  const i = text.indexOf(from, a);
  if (i < 0) throw new Error(`text not found after ${anchor}: ${from}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

const FIND_BY_DEMOGRAPHICS = '<xs:element name="FindLearnerByDemographics">';
const FIND_BY_ULN = '<xs:element name="FindLearnerByULN">';

/** learnerByDemographics: LastKnownPostCode renamed to PostCode. */
export const renameElement = (t: string): string =>
  editAfter(t, FIND_BY_DEMOGRAPHICS, 'name="LastKnownPostCode"', 'name="PostCode"');

/** learnerByULN: FamilyName and GivenName swapped. */
export function swapOrder(t: string): string {
  const a = editAfter(t, FIND_BY_ULN, 'name="FamilyName"', 'name="@swap@"');
  const b = editAfter(a, FIND_BY_ULN, 'name="GivenName"', 'name="FamilyName"');
  return editAfter(b, FIND_BY_ULN, 'name="@swap@"', 'name="GivenName"');
}

/** registerSingleLearner: Learner/Title becomes required (minOccurs 0 → 1). */
export const requireTitle = (t: string): string =>
  editAfter(
    t,
    '<xs:complexType name="LearnerToRegister">',
    '<xs:element name="Title" type="xs:string" minOccurs="0"/>',
    '<xs:element name="Title" type="xs:string"/>',
  );

/** retrieveULNs: ULNsToRetrieve/ULN may occur once (maxOccurs 200 → 1). */
export const singleUln = (t: string): string =>
  editAfter(t, '<xs:complexType name="ULNsToRetrieveList">', 'maxOccurs="200"', 'maxOccurs="1"');

/** GetAchievementBatchJob: jobId unqualified (form="unqualified") instead of in the services namespace. */
export const unqualifyJobId = (t: string): string =>
  editAfter(
    t,
    '<xs:element name="GetAchievementBatchJob">',
    '<xs:element name="jobId"',
    '<xs:element form="unqualified" name="jobId"',
  );

// ---------- answers: changes below a response root ----------

const LEARNING_EVENTS_RESPONSE = '<xs:complexType name="GetLearnerLearningEventsResponse">';
const LEARNING_EVENT = '<xs:complexType name="LearningEvent">';

/** GetLearnerLearningEvents answer: LearningEvent/Grade renamed to Mark. */
export const renameAnswerGrade = (t: string): string =>
  editAfter(t, LEARNING_EVENT, 'name="Grade"', 'name="Mark"');

/** GetLearnerLearningEvents answer: FoundULN removed. */
export const removeAnswerFoundUln = (t: string): string =>
  editAfter(
    t,
    LEARNING_EVENTS_RESPONSE,
    '<xs:element name="FoundULN" type="xs:string" minOccurs="0" nillable="true"/>',
    '',
  );

/** GetLearnerLearningEvents answer: FoundULN and IncomingULN swapped. */
export function swapAnswerUlns(t: string): string {
  const a = editAfter(t, LEARNING_EVENTS_RESPONSE, 'name="FoundULN"', 'name="@swap@"');
  const b = editAfter(a, LEARNING_EVENTS_RESPONSE, 'name="IncomingULN"', 'name="FoundULN"');
  return editAfter(b, LEARNING_EVENTS_RESPONSE, 'name="@swap@"', 'name="IncomingULN"');
}

/** GetLearnerLearningEvents answer: one LearningEvent at most, and Credits required. */
export function answerOccursChanged(t: string): string {
  const a = editAfter(
    t,
    '<xs:complexType name="ArrayOfLearningEvent">',
    'maxOccurs="unbounded"',
    'maxOccurs="1"',
  );
  return editAfter(
    a,
    LEARNING_EVENT,
    '<xs:element name="Credits" type="xs:long" minOccurs="0"/>',
    '<xs:element name="Credits" type="xs:long"/>',
  );
}

/** GetLearnerLearningEvents answer: a new optional element after LearnerRecord, which we never read. */
export const addAnswerElement = (t: string): string =>
  editAfter(
    t,
    LEARNING_EVENTS_RESPONSE,
    'nillable="true"/>\n            </xs:sequence>',
    'nillable="true"/>\n              <xs:element name="Notes" type="xs:string" minOccurs="0"/>\n            </xs:sequence>',
  );

/** SubmitAchievementBatchJob request: Achievement/Action typed xs:string instead of xs:int. */
export const actionAsString = (t: string): string =>
  editAfter(
    t,
    '<xs:complexType name="Achievement">',
    '<xs:element name="Action" type="xs:int"/>',
    '<xs:element name="Action" type="xs:string"/>',
  );

/** GetAchievementBatchJob answer: AchievementsCreated typed xs:string instead of xs:int. */
export const createdCountAsString = (t: string): string =>
  editAfter(t, 'name="AchievementsCreated"', 'type="xs:int"', 'type="xs:string"');
