/** The roles a relay process can run (`lrs-relay start --role …`). Imports nothing, so config.ts can use it. */
export const ROLES = ['producer', 'worker', 'scheduler', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];
