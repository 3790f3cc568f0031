#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step) so `npx lrs-relay` works from a checkout.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
