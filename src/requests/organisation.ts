/**
 * The one look-up of the organisation a job calls the LRS for, shared by single calls, batch submits
 * and batch polls: its client, and its identity with the requester's UserName. A disabled or unusable
 * organisation gives a reason instead, and the job decides what that means for it.
 */
import { errorMessage } from '../errors.ts';
import type { LrsClient, LrsIdentity } from '../lrs/types.ts';

/** What a job needs from the organisations module: the client and identity for an organisation. */
export interface OrganisationClients {
  forOrganisation(organisationId: number): Promise<{
    client: LrsClient;
    credentials: {
      identity: Omit<LrsIdentity, 'userName'>;
      isDisabled: boolean;
      disabledReason?: string | null;
    };
  }>;
}

export type OrganisationForJob =
  { ok: true; client: LrsClient; identity: LrsIdentity } | { ok: false; reason: string };

/** The client and identity for `organisationId`, calling as `userName`; or why there is none. */
export async function organisationForJob(
  clients: OrganisationClients,
  organisationId: number,
  userName: string,
): Promise<OrganisationForJob> {
  try {
    const org = await clients.forOrganisation(organisationId);
    if (org.credentials.isDisabled)
      return {
        ok: false,
        reason: `The organisation is disabled: ${org.credentials.disabledReason ?? 'no reason given'}`,
      };
    return { ok: true, client: org.client, identity: { ...org.credentials.identity, userName } };
  } catch (e) {
    return { ok: false, reason: errorMessage(e) };
  }
}
