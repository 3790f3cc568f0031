/** Where the three LRS services live under one host (docs/lrs.md §1.1). */
import type { ServiceName } from './messages.ts';
import type { LrsEndpoints } from './types.ts';

/** Each service's path under the host. */
export const SERVICE_PATHS: Readonly<Record<ServiceName, string>> = Object.freeze({
  learnerService: '/LearnerService.svc',
  learnerServiceR9: '/LearnerServiceR9.svc',
  externalService: '/ExternalService.svc',
});

/** The three service URLs under one base URL (`https://cmp-ws.dev.lrs.education.gov.uk`); trailing slashes ignored. */
export function endpointsAt(base: string): LrsEndpoints {
  const b = base.replace(/\/+$/, '');
  return {
    learnerService: `${b}${SERVICE_PATHS.learnerService}`,
    learnerServiceR9: `${b}${SERVICE_PATHS.learnerServiceR9}`,
    externalService: `${b}${SERVICE_PATHS.externalService}`,
  };
}
