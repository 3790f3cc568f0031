/**
 * Test helper: validates a SOAP request envelope against our WSDL of its service (wsdl/), as a schema
 * validator would: the body element must be an operation's request root; below it each element in
 * schema order, namespace, occurs and nil as declared, and each simple value in the lexical space of its
 * XML Schema built-in type (xs:dateTime needs its time part, xs:int its range). The WSDL is read with
 * soap (src/lrs/contract.ts) and the envelope with fast-xml-parser (canonical-xml.ts), not with the
 * client's own descriptions or parser, so a mistake in those cannot cancel out.
 */
import { readFileSync } from 'node:fs';
import { readWsdlText, type ContractField } from '../../../src/lrs/contract.ts';
import type { ServiceName } from '../../../src/lrs/messages.ts';
import { canonicalBody, type CNode } from './canonical-xml.ts';

const WSDL_FILES: Record<ServiceName, string> = {
  learnerService: 'LearnerService.wsdl',
  learnerServiceR9: 'LearnerServiceR9.wsdl',
  externalService: 'ExternalService.wsdl',
};

const DATE_TIME =
  /^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$/;

const integerIn =
  (min: bigint, max: bigint) =>
  (v: string): boolean =>
    /^[+-]?[0-9]+$/.test(v) && BigInt(v) >= min && BigInt(v) <= max;

/** Lexical checks of the built-in types our WSDLs use; whitespace collapses first, as for every non-string type. */
const LEXICAL: Record<string, (v: string) => boolean> = {
  string: () => true,
  int: integerIn(-2147483648n, 2147483647n),
  long: integerIn(-9223372036854775808n, 9223372036854775807n),
  float: (v) => /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|-?INF|NaN)$/.test(v),
  boolean: (v) => /^(true|false|1|0)$/.test(v),
  base64Binary: (v) => /^[A-Za-z0-9+/= ]*$/.test(v),
  dateTime: (v) => {
    const m = DATE_TIME.exec(v);
    if (!m || Number(m[1]) === 0) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const days = new Date(Date.UTC(2000, mo, 0)).getUTCDate(); // a leap year: February has 29
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && !leap ? 28 : days);
  },
};

function valueProblem(f: ContractField, node: CNode, path: string): string | undefined {
  if (node.children.length > 0) return `${path}: a simple value was expected, child elements found`;
  const type = f.type ?? 'string';
  const check = LEXICAL[type];
  if (!check) return `${path}: no lexical check for xs:${type} in this helper`;
  const text = node.text ?? '';
  const value = type === 'string' ? text : text.replace(/[ \t\r\n]+/g, ' ').trim();
  return check(value) ? undefined : `${path}: not a valid xs:${type}`;
}

function sequenceProblems(fields: readonly ContractField[], nodes: readonly CNode[], path: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (const f of fields) {
    const matches = (n: CNode | undefined) =>
      n !== undefined && (f.name === '*' || n.name === `{${f.ns}}${f.name}`);
    let count = 0;
    while (count < f.max && matches(nodes[i])) {
      const node = nodes[i] as CNode;
      const at = `${path}/${f.name}`;
      if (node.nil) {
        if (!f.nillable) out.push(`${at}: nil, but the element is not nillable`);
      } else if (f.name === '*') {
        // A wildcard takes any content.
      } else if (f.children) out.push(...sequenceProblems(f.children, node.children, at));
      else {
        const p = valueProblem(f, node, at);
        if (p) out.push(p);
      }
      i++;
      count++;
    }
    if (count < f.min)
      out.push(`${path}/${f.name}: required, missing (found ${nodes[i]?.name ?? 'the end'})`);
  }
  for (const n of nodes.slice(i)) out.push(`${path}: unexpected element ${n.name}`);
  return out;
}

/** Every way `envelope` breaks our WSDL of `service`; [] when it is valid. */
export async function schemaProblems(service: ServiceName, envelope: string): Promise<string[]> {
  const text = readFileSync(new URL(`../../../wsdl/${WSDL_FILES[service]}`, import.meta.url), 'utf8');
  const wsdl = await readWsdlText(text, WSDL_FILES[service]);
  const body = canonicalBody(envelope);
  const op = [...wsdl.operations.values()].find((o) => `{${o.root.ns}}${o.root.name}` === body.name);
  if (!op) return [`${body.name} is no request element of ${WSDL_FILES[service]}`];
  return sequenceProblems(op.fields, body.children, op.root.name);
}
