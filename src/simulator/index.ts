/** The LRS simulator's public surface. See docs/simulator.md. */
export { createSimulator, Simulator } from './server.ts';
export type { SimulatorOptions, FaultSettings } from './options.ts';
export type { SimulatorAdmin, SimulatorStats } from './admin.ts';
export {
  DEFAULT_ORGANISATION,
  readOrganisationFile,
  parseOrganisations,
  type SimOrganisation,
} from './orgs.ts';
export { readLearnerFile, parseLearnerRows } from './import-learners.ts';
export type { SimLearner } from './learner-record.ts';
export { TOO_MANY_FAMILY_NAME } from './store.ts';
