/**
 * The typed surface of the LRS client: what callers pass in and what they get back.
 * Every other part of lrs-relay (workers, simulator tests, support tooling) codes against these types.
 * Field names follow the LRS element names in camelCase (docs/lrs.md §4).
 */

// Each operation module owns its input (and R9 result) shape; the client surface names them rather than restating them.
import type { LearningEventsInput } from './operations/get-learner-learning-events.ts';
import type { LearnerByDemographicsInput } from './operations/learner-by-demographics.ts';
import type { LearnerByUlnR9Input, LearnerByUlnR9Result } from './operations/learner-by-uln-r9.ts';
import type { LearnerByUlnInput } from './operations/learner-by-uln.ts';
import type { SubmitAchievementsInput } from './operations/submit-achievement-batch-job.ts';
import type { SubmitBatchRegistrationInput } from './operations/submit-batch-registration.ts';
import type { SubmitVerifyBatchInput } from './operations/submit-verify-batch.ts';

// Code classes and sources belong to the code table (src/codes); the client's surface names them too.
import type { CodeClass, CodeSource } from '../codes/types.ts';
export type { CodeClass, CodeSource };

/** The organisation and person behind one call (docs/lrs.md §2.4). Exactly one of ukprn / organisationRef. */
export interface LrsIdentity {
  ukprn?: string | undefined;
  organisationRef?: string | undefined;
  /** The organisation's 16-character LRS web-service password. */
  password: string;
  /** The person or process behind the request (1–35 characters). */
  userName: string;
  /** LRS vendor id (R9 `vendorID`/`vendorId`). */
  vendorId?: number | undefined;
}

/** Client certificate for mutual TLS: PKCS#12 or PEM. */
export type LrsTlsCredentials =
  | { pfx: Buffer; passphrase?: string | undefined }
  | { key: Buffer | string; cert: Buffer | string; passphrase?: string | undefined };

export type Gender = '0' | '1' | '2' | '9';
export type FindType = 'FUL' | 'CHK';

/** Demographics used to search (learnerByDemographics). Dates are `yyyy-MM-dd`. */
export interface Demographics {
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  gender: Gender | string;
  lastKnownPostCode: string;
  previousFamilyName?: string | undefined;
  schoolAtAge16?: string | undefined;
  placeOfBirth?: string | undefined;
  emailAddress?: string | undefined;
}

/** LearnerToRegister (docs/lrs.md §4.4), in camelCase. */
export interface LearnerToRegister {
  title?: string | undefined;
  givenName: string;
  middleOtherName?: string | undefined;
  familyName: string;
  preferredGivenName?: string | undefined;
  previousFamilyName?: string | undefined;
  familyNameAtAge16?: string | undefined;
  schoolAtAge16?: string | undefined;
  lastKnownAddressLine1?: string | undefined;
  lastKnownAddressLine2?: string | undefined;
  lastKnownAddressTown?: string | undefined;
  lastKnownAddressCountyOrCity?: string | undefined;
  lastKnownPostCode: string;
  dateOfAddressCapture?: string | undefined;
  dateOfBirth: string;
  placeOfBirth?: string | undefined;
  gender: Gender | string;
  emailAddress?: string | undefined;
  nationality?: string | undefined;
  scottishCandidateNumber?: string | undefined;
  verificationType: string;
  otherVerificationDescription?: string | undefined;
  abilityToShare: string;
  notes?: string | undefined;
}

/** LearnerToUpdate = LearnerToRegister + ULN + VersionNumber (docs/lrs.md §4.5). */
export interface LearnerToUpdate extends LearnerToRegister {
  uln: string;
  versionNumber: number;
}

/** A learner record as returned by find operations (docs/lrs.md §4.3). Absent/nil/empty elements are undefined. */
export interface LrsLearner {
  createdDate?: string | undefined;
  lastUpdatedDate?: string | undefined;
  uln: string;
  masterSubstituted?: string | undefined;
  title?: string | undefined;
  givenName?: string | undefined;
  middleOtherName?: string | undefined;
  familyName?: string | undefined;
  preferredGivenName?: string | undefined;
  previousFamilyName?: string | undefined;
  familyNameAtAge16?: string | undefined;
  schoolAtAge16?: string | undefined;
  lastKnownAddressLine1?: string | undefined;
  lastKnownAddressLine2?: string | undefined;
  lastKnownAddressTown?: string | undefined;
  lastKnownAddressCountyOrCity?: string | undefined;
  lastKnownPostCode?: string | undefined;
  dateOfAddressCapture?: string | undefined;
  dateOfBirth?: string | undefined;
  placeOfBirth?: string | undefined;
  gender?: string | undefined;
  emailAddress?: string | undefined;
  nationality?: string | undefined;
  scottishCandidateNumber?: string | undefined;
  verificationType?: string | undefined;
  otherVerificationDescription?: string | undefined;
  tierLevel?: string | undefined;
  abilityToShare?: string | undefined;
  learnerStatus?: string | undefined;
  linkedUlns: string[];
  notes?: string | undefined;
  versionNumber?: number | undefined;
}

/** Fields every parsed response carries. */
export interface ResultBase {
  /** The LRS response code exactly as sent (unknown codes kept verbatim). */
  code: string;
  /** 'lrs' except when the LRS sent no overall code (retrieveULNs), then our RESPONSE_READ. */
  codeSource: CodeSource;
  class: CodeClass;
}

/** learnerByULN / learnerByDemographics (docs/lrs.md §4.3). One candidate is still a list. */
export type FindResult = ResultBase &
  (
    | { outcome: 'no_match' }
    | { outcome: 'too_many' }
    | { outcome: 'possible'; candidates: LrsLearner[] }
    | { outcome: 'exact'; learner: LrsLearner }
    | { outcome: 'linked'; learner: LrsLearner; linkedUlns: string[] }
    | { outcome: 'unknown'; learners: LrsLearner[] }
  );

export type RegisterResult = ResultBase & {
  outcome: 'registered' | 'refused' | 'unknown';
  uln?: string | undefined;
};
export type UpdateResult = ResultBase & {
  outcome: 'updated' | 'stale_version' | 'uln_not_found' | 'no_change' | 'refused' | 'unknown';
};

/** verifyLearner and each verify-batch row (docs/lrs.md §4.6, §5.2). */
export interface VerifiedLearner {
  misIdentifier?: string | undefined;
  searchedUln?: string | undefined;
  searchedFamilyName?: string | undefined;
  searchedGivenName?: string | undefined;
  searchedDateOfBirth?: string | undefined;
  searchedGender?: string | undefined;
  responseCode: string;
  uln?: string | undefined;
  familyName?: string | undefined;
  givenName?: string | undefined;
  dateOfBirth?: string | undefined;
  gender?: string | undefined;
  failureFlags: string[];
}
export type VerifyResult = ResultBase & { verified: VerifiedLearner };

export interface LearnerToVerify {
  misIdentifier?: string | undefined;
  uln: string;
  familyName: string;
  givenName: string;
  dateOfBirth?: string | undefined;
  gender?: string | undefined;
}

/** A BatchLearner (docs/lrs.md §4.7): MISIdentifier is our request id. */
export interface BatchLearner extends Partial<LearnerToRegister> {
  uln?: string | undefined;
  misIdentifier?: string | undefined;
  givenName: string;
  familyName: string;
}
export interface OutputBatchLearner extends BatchLearner {
  returnCode: string;
}

export type SubmitBatchResult = ResultBase & { jobId?: string | undefined };

export interface BatchOutputCounters {
  newLearnersCount?: number | undefined;
  existsUpdatedLearnersCount?: number | undefined;
  possibleMatchLearnersCount?: number | undefined;
  learnersNotFoundCount?: number | undefined;
  rejectedLearnersCount?: number | undefined;
}
export type BatchRegistrationOutput = ResultBase & {
  /** running: poll again later (WSRC0008); done: rows are final; failed: WSRC0010; unknown_job: WSRC0018. */
  state: 'running' | 'done' | 'failed' | 'unknown_job' | 'unknown';
  jobStatus?: string | undefined;
  counters: BatchOutputCounters;
  jobStartedDateTime?: string | undefined;
  jobFinishedDateTime?: string | undefined;
  learners: OutputBatchLearner[];
};
export type VerifyBatchOutput = ResultBase & {
  state: 'running' | 'done' | 'failed' | 'unknown_job' | 'unknown';
  jobStatus?: string | undefined;
  jobStartedDateTime?: string | undefined;
  jobFinishedDateTime?: string | undefined;
  learners: VerifiedLearner[];
};

export interface RetrievedUln {
  uln: string;
  masterUln?: string | undefined;
  responseCode?: string | undefined;
  familyName?: string | undefined;
  givenName?: string | undefined;
  dateOfBirth?: string | undefined;
  gender?: string | undefined;
}
export type RetrieveUlnsResult = ResultBase & { ulns: RetrievedUln[] };

/** One PLR learning event (docs/lrs.md §4.11); all members optional, camelCase of the DataContract names. */
export interface LearningEvent {
  id?: number | undefined;
  achievementAwardDate?: string | undefined;
  achievementProviderName?: string | undefined;
  achievementProviderUkprn?: string | undefined;
  awardingOrganisationName?: string | undefined;
  awardingOrganisationUkprn?: string | undefined;
  collectionType?: string | undefined;
  credits?: number | undefined;
  dateLoaded?: string | undefined;
  grade?: string | undefined;
  languageForAssessment?: string | undefined;
  level?: string | undefined;
  participationEndDate?: string | undefined;
  participationStartDate?: string | undefined;
  qualificationType?: string | undefined;
  restriction?: string | undefined;
  returnNumber?: string | undefined;
  source?: string | undefined;
  status?: string | undefined;
  subject?: string | undefined;
  subjectCode?: string | undefined;
  underDataChallenge?: string | undefined;
}
export type LearningEventsResult = ResultBase & {
  outcome: 'found' | 'linked' | 'not_shared' | 'not_verified' | 'invalid_uln' | 'unknown';
  foundUln?: string | undefined;
  incomingUln?: string | undefined;
  events: LearningEvent[];
};

/** An achievement record (docs/lrs.md §4.13). Dates are ISO `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss`. */
export interface Achievement {
  achievementAwardDate: string;
  action: number;
  actionDate: string;
  actionReason?: string | undefined;
  dateOfBirth?: string | undefined;
  familyName: string;
  gender?: number | undefined;
  givenName: string;
  grade?: string | undefined;
  languageForAssessment?: string | undefined;
  learnerPostcode?: string | undefined;
  misIdentifier?: string | undefined;
  providerUkprn: string;
  uln: string;
  unitOrQualificationReferenceNumber: string;
}
export type SubmitAchievementsResult = ResultBase & { jobId?: number | undefined };
export type AchievementJobResult = ResultBase & {
  state: 'running' | 'done' | 'failed' | 'cancelled' | 'unknown';
  status?: string | undefined;
  jobId?: number | undefined;
  numberOfRecords?: number | undefined;
  achievementsCreated?: number | undefined;
  achievementsUpdated?: number | undefined;
  achievementsWithdrawn?: number | undefined;
  achievementsReinstated?: number | undefined;
  achievementsPromotedToFinal?: number | undefined;
  businessRuleErrors?: number | undefined;
  fieldDataErrors?: number | undefined;
  learnerDataErrors?: number | undefined;
  percentageSuccessfulRecords?: number | undefined;
  rejectionReason?: string | undefined;
  achievementBatchErrorFile?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
};

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Overrides the client's default timeout, in ms. */
  timeoutMs?: number | undefined;
}

/**
 * The LRS client: one method per operation. Every method validates its input first
 * (throwing LrsError code LOCAL_VALIDATION, never sending), then calls, then parses.
 * Any LRS response code is a resolved result; faults and transport failures throw LrsError.
 */
export interface LrsClient {
  learnerByUln(id: LrsIdentity, input: LearnerByUlnInput, o?: CallOptions): Promise<FindResult>;
  learnerByDemographics(
    id: LrsIdentity,
    input: LearnerByDemographicsInput,
    o?: CallOptions,
  ): Promise<FindResult>;
  registerSingleLearner(
    id: LrsIdentity,
    learner: LearnerToRegister,
    o?: CallOptions,
  ): Promise<RegisterResult>;
  updateSingleLearner(id: LrsIdentity, learner: LearnerToUpdate, o?: CallOptions): Promise<UpdateResult>;
  verifyLearner(id: LrsIdentity, learner: LearnerToVerify, o?: CallOptions): Promise<VerifyResult>;
  submitBatchRegistration(
    id: LrsIdentity,
    input: SubmitBatchRegistrationInput,
    o?: CallOptions,
  ): Promise<SubmitBatchResult>;
  getBatchRegistrationOutput(
    id: LrsIdentity,
    jobId: string,
    o?: CallOptions,
  ): Promise<BatchRegistrationOutput>;
  submitVerifyBatch(
    id: LrsIdentity,
    input: SubmitVerifyBatchInput,
    o?: CallOptions,
  ): Promise<SubmitBatchResult>;
  getVerifyBatchOutput(id: LrsIdentity, jobId: string, o?: CallOptions): Promise<VerifyBatchOutput>;
  retrieveUlns(id: LrsIdentity, ulns: string[], o?: CallOptions): Promise<RetrieveUlnsResult>;
  getLearnerLearningEvents(
    id: LrsIdentity,
    input: LearningEventsInput,
    o?: CallOptions,
  ): Promise<LearningEventsResult>;
  learnerByUlnR9(id: LrsIdentity, input: LearnerByUlnR9Input, o?: CallOptions): Promise<LearnerByUlnR9Result>;
  submitAchievementBatchJob(
    id: LrsIdentity,
    input: SubmitAchievementsInput,
    o?: CallOptions,
  ): Promise<SubmitAchievementsResult>;
  getAchievementBatchJob(id: LrsIdentity, jobId: number, o?: CallOptions): Promise<AchievementJobResult>;
  /** Releases keep-alive sockets. */
  close(): Promise<void>;
}

/** How the client reaches the three services. */
export interface LrsEndpoints {
  learnerService: string;
  learnerServiceR9: string;
  externalService: string;
}

export interface CreateLrsClientOptions {
  endpoints: LrsEndpoints;
  /** Default per-call timeout in ms (default 20000, as HMPPS). */
  timeoutMs?: number;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Plain http:// endpoints are refused unless this is true (the simulator). */
  allowInsecureHttp?: boolean;
  tls?: LrsTlsCredentials | undefined;
  /**
   * CA certificate(s), PEM, trusted for the LRS server certificate. Replaces Node's bundled roots when set,
   * so only for a private CA (local TLS tests, an LRS-like test host). Default: Node's bundled roots.
   */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Called once per call with what happened, for audit rows and metrics. No personal data. */
  onCall?: ((event: LrsCallEvent) => void) | undefined;
}

/** What the client reports about every call it makes (for audit and metrics). */
export interface LrsCallEvent {
  operation: string;
  organisation: string;
  userName: string;
  code: string;
  codeSource: CodeSource;
  durationMs: number;
  httpStatus?: number | undefined;
}
