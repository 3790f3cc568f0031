/** LearnerService.svc writes: registerSingleLearner and updateSingleLearner. */
import type { SimContext } from './context.ts';
import { REGISTER_FIELDS, type RegisterFieldKey } from './learner-record.ts';
import { childOf, detach, el, miapEnvelope, NS, textOf, type XmlNode } from './xml.ts';

/** The LearnerToRegister elements present in `n` (nil counts as present and empty). */
export function readRegisterFields(n: XmlNode): Partial<Record<RegisterFieldKey, string>> {
  const out: Partial<Record<RegisterFieldKey, string>> = {};
  for (const [name, key] of REGISTER_FIELDS) {
    const c = childOf(n, name);
    if (c) out[key] = c.nil ? '' : c.text;
  }
  return out;
}

/** Drops empty optional values so records hold `undefined` rather than ''. */
export function toNewLearner(f: Partial<Record<RegisterFieldKey, string>>) {
  const clean: Partial<Record<RegisterFieldKey, string>> = {};
  for (const [, key] of REGISTER_FIELDS) {
    const v = f[key];
    if (v !== undefined && v !== '') clean[key] = detach(v);
  }
  return {
    ...clean,
    givenName: clean.givenName ?? '',
    familyName: clean.familyName ?? '',
    dateOfBirth: clean.dateOfBirth ?? '',
    gender: clean.gender ?? '',
    lastKnownPostCode: clean.lastKnownPostCode ?? '',
    abilityToShare: clean.abilityToShare ?? '1',
  };
}

export function handleRegister(ctx: SimContext, root: XmlNode, orgId: string): string {
  const learner = childOf(root, 'Learner');
  const outcome = ctx.store.register(
    orgId,
    toNewLearner(learner ? readRegisterFields(learner) : {}),
    ctx.now(),
  );
  const uln = outcome.code === 'WSRC0005' ? outcome.uln : undefined;
  return miapEnvelope(
    `<ns2:RegisterLearnerResponse xmlns:ns2="${NS.regmsg}">${el('ResponseCode', outcome.code)}${el('ULN', uln)}</ns2:RegisterLearnerResponse>`,
  );
}

export function handleUpdate(ctx: SimContext, root: XmlNode): string {
  const learner = childOf(root, 'Learner');
  const outcome = learner
    ? ctx.store.update(
        textOf(learner, 'ULN'),
        Number(textOf(learner, 'VersionNumber')),
        readRegisterFields(learner),
        ctx.now(),
      )
    : { code: 'WSRC0019' as const };
  return miapEnvelope(
    `<ns2:UpdateLearnerResponse xmlns:ns2="${NS.regmsg}">${el('ResponseCode', outcome.code)}</ns2:UpdateLearnerResponse>`,
  );
}
