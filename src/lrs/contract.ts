/**
 * Contract drift: a WSDL, as the `soap` package reads it, compared with our message descriptions
 * (messages.ts). The WSDL is read from text already in memory; an import or include that would make
 * soap fetch another document is refused (a `?singleWsdl` answer holds every schema inline).
 *
 * Per operation we use, the request element's children are walked in the parsed schema and compared
 * with the description: element names, namespaces (the schema's elementFormDefault or the element's
 * own `form` decides whether a child is qualified), order, and occurs and nil rules. Occurs and nil
 * are compared as the LRS would judge what we send: a difference is an element the WSDL requires that
 * we may leave out, more repeats than it allows, or nil where it is not nillable. A looser WSDL (the
 * published LearnerService.svc one makes nearly everything optional, docs/lrs.md §1.2) is no
 * difference.
 *
 * Answers: messages.ts names the response root element and, for the WCF services, the `…Result`
 * wrapper; those are compared with it. What the answer holds below is described by our own WSDL of the
 * service (wsdl/, read by the same reader), so the response element trees of ours and theirs are
 * compared with each other: every element missing, added (even one the client never reads), renamed,
 * moved, requalified or with other occurs or nil is a difference. Where our WSDL has a wildcard
 * (xs:any), whatever theirs has at that level is accepted. On LearnerService.svc our WSDL carries the
 * strict schema's occurs and the published WSDL the loose ones (docs/lrs.md §1.2): an answer element
 * that is only looser there (minOccurs 0 where ours is 1, more repeats than our bound) is a known note.
 */
import soap from 'soap';
import { errorMessage } from '../errors.ts';
import { MESSAGES, OPERATION_NAMES, type FieldSpec, type MessageSpec, type ServiceName } from './messages.ts';
import { xsdTypeOfRule } from './rules.ts';

const XSD = 'http://www.w3.org/2001/XMLSchema';

/** The parts of soap's parsed schema objects read here (soap does not export types for them). */
export interface SchemaNode {
  name?: string;
  $name?: string;
  $type?: string;
  $base?: string;
  $ref?: string;
  $minOccurs?: string;
  $maxOccurs?: string;
  $nillable?: string;
  $form?: string;
  children?: SchemaNode[];
  schemaXmlns?: Record<string, string>;
  xmlns?: Record<string, string>;
  definitionsXmlns?: Record<string, string>;
}
export interface SchemaDoc {
  $targetNamespace: string;
  $elementFormDefault?: string;
  elements: Record<string, SchemaNode>;
  complexTypes: Record<string, SchemaNode>;
  /** Named simple types. */
  types?: Record<string, SchemaNode>;
}
interface MessageRef {
  $name: string;
  $lookupType?: string;
  targetNamespace?: string;
}
interface MessagePart {
  name?: string;
  $element?: string;
  xmlns?: Record<string, string>;
  definitionsXmlns?: Record<string, string>;
}
export interface Definitions {
  schemas: Record<string, SchemaDoc>;
  messages?: Record<string, { children?: MessagePart[]; xmlns?: Record<string, string> }>;
  portTypes: Record<string, { methods: Record<string, { input?: MessageRef; output?: MessageRef }> }>;
  bindings: Record<string, { methods: Record<string, { soapAction?: string }> }>;
  services: Record<string, { ports: Record<string, { location: string }> }>;
}

/** One element of a message as either side describes it; ns '' = unqualified. */
export interface ContractField {
  name: string;
  ns: string;
  min: number;
  max: number;
  nillable: boolean;
  children?: ContractField[] | undefined;
  /**
   * A simple element's XML Schema built-in type, local name (`string`, `int`, `dateTime`): a named
   * simple type is followed to the built-in it restricts. Absent for complex elements and wildcards.
   */
  type?: string | undefined;
}

/** One operation of a WSDL: SOAPAction, request and response root elements and the request's content. */
export interface WsdlOperation {
  soapAction: string | undefined;
  root: { ns: string; name: string };
  fields: ContractField[];
  response: { ns: string; name: string; fields: ContractField[] } | undefined;
}

export interface ReadWsdl {
  defs: Definitions;
  /** WSDL operation name → what it says, for the first portType and binding. */
  operations: Map<string, WsdlOperation>;
  /** soap:address of every port: `service/port` → location. */
  addresses: Record<string, string>;
}

/** A WSDL soap could not read, or one that names other documents to fetch. */
export class WsdlReadError extends Error {
  override readonly name = 'WsdlReadError';
}

function resolveQName(node: SchemaNode, schema: SchemaDoc, qname: string): { ns: string; local: string } {
  const [prefix, local] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
  const ns =
    node.schemaXmlns?.[prefix] ??
    node.xmlns?.[prefix] ??
    (prefix === '' ? schema.$targetNamespace : node.definitionsXmlns?.[prefix]);
  if (ns === undefined) throw new WsdlReadError(`unresolved prefix in ${qname}`);
  return { ns, local };
}

/**
 * Most elements walked for one message: 20,000. Our largest request (registerSingleLearner) has under
 * 40; the bound keeps a hostile or recursive type from walking 2^depth paths.
 */
const MAX_FIELDS = 20_000;
interface Budget {
  left: number;
}

/** Elements of a complex type in document order: base type first, then its own sequence. */
export function contentOf(
  defs: Definitions,
  type: SchemaNode,
  schema: SchemaDoc,
  depth = 0,
  budget: Budget = { left: MAX_FIELDS },
): ContractField[] {
  if (depth > 32) throw new WsdlReadError('types nest more than 32 deep (a recursive type?)');
  const out: ContractField[] = [];
  const visit = (n: SchemaNode): void => {
    if (n.name === 'element') {
      out.push(fieldOf(defs, n, schema, depth + 1, budget));
      return;
    }
    if (n.name === 'any') {
      out.push({ name: '*', ns: '*', min: 0, max: Infinity, nillable: false });
      return;
    }
    if (n.name === 'extension' && n.$base) {
      const base = resolveQName(n, schema, n.$base);
      const baseSchema = defs.schemas[base.ns];
      const baseType = baseSchema?.complexTypes[base.local];
      if (!baseSchema || !baseType) throw new WsdlReadError(`base type ${n.$base} not found`);
      out.push(...contentOf(defs, baseType, baseSchema, depth + 1, budget));
    }
    for (const c of n.children ?? []) visit(c);
  };
  for (const c of type.children ?? []) visit(c);
  return out;
}

function occurs(el: SchemaNode): { min: number; max: number } {
  const max =
    el.$maxOccurs === undefined ? 1 : el.$maxOccurs === 'unbounded' ? Infinity : Number(el.$maxOccurs);
  return { min: el.$minOccurs === undefined ? 1 : Number(el.$minOccurs), max };
}

/** The built-in type a simple type restricts, following named simple types (at most 8 deep). */
function builtInOf(defs: Definitions, node: SchemaNode, schema: SchemaDoc, qname: string, depth = 0): string {
  if (depth > 8) throw new WsdlReadError(`simple type ${qname} restricts more than 8 types deep`);
  const t = resolveQName(node, schema, qname);
  if (t.ns === XSD) return t.local;
  const typeSchema = defs.schemas[t.ns];
  const simple = typeSchema?.types?.[t.local];
  if (!typeSchema || !simple) throw new WsdlReadError(`type ${qname} not found`);
  return builtInOfSimple(defs, simple, typeSchema, qname, depth + 1);
}

/** The built-in type an `xs:simpleType` node restricts (a list or union reads as `string`). */
function builtInOfSimple(
  defs: Definitions,
  simple: SchemaNode,
  schema: SchemaDoc,
  what: string,
  depth: number,
): string {
  const restriction = simple.children?.find((c) => c.name === 'restriction');
  if (!restriction) return 'string';
  if (!restriction.$base) throw new WsdlReadError(`simple type ${what} restricts no base type`);
  return builtInOf(defs, restriction, schema, restriction.$base, depth);
}

/** A local element: its namespace follows XSD rules (form, else the schema's elementFormDefault). */
function fieldOf(
  defs: Definitions,
  el: SchemaNode,
  schema: SchemaDoc,
  depth: number,
  budget: Budget,
): ContractField {
  if (--budget.left < 0)
    throw new WsdlReadError(
      `a message holds more than ${MAX_FIELDS} elements: refused (types that nest without end?)`,
    );
  if (el.$ref) {
    // A reference to a global element: always qualified in that element's namespace.
    const r = resolveQName(el, schema, el.$ref);
    const refSchema = defs.schemas[r.ns];
    const target = refSchema?.elements[r.local];
    if (!refSchema || !target) throw new WsdlReadError(`element ${el.$ref} not found`);
    return { ...fieldOf(defs, target, refSchema, depth + 1, budget), ...occurs(el), name: r.local, ns: r.ns };
  }
  const qualified = (el.$form ?? schema.$elementFormDefault ?? 'unqualified') === 'qualified';
  const field: ContractField = {
    name: el.$name ?? '?',
    ns: qualified ? schema.$targetNamespace : '',
    ...occurs(el),
    nillable: el.$nillable === 'true',
  };
  const inline = el.children?.find((c) => c.name === 'complexType');
  const inlineSimple = el.children?.find((c) => c.name === 'simpleType');
  if (inline) field.children = contentOf(defs, inline, schema, depth, budget);
  else if (inlineSimple) field.type = builtInOfSimple(defs, inlineSimple, schema, field.name, 0);
  else if (el.$type) {
    const t = resolveQName(el, schema, el.$type);
    const typeSchema = defs.schemas[t.ns];
    const complex = typeSchema?.complexTypes[t.local];
    if (complex && typeSchema) field.children = contentOf(defs, complex, typeSchema, depth, budget);
    else if (t.ns !== XSD && !typeSchema)
      throw new WsdlReadError(`type ${el.$type} of ${field.name} not found`);
    else field.type = builtInOf(defs, el, schema, el.$type);
  }
  return field;
}

interface RootElement {
  ns: string;
  name: string;
  /** The schema element, when soap resolved it. */
  node?: SchemaNode | undefined;
}

/**
 * The global element a portType input or output carries. soap resolves it when the part's prefix is
 * declared on the definitions; a WCF singleWsdl declares it on the part itself
 * (`<wsdl:part element="q1:FindLearnerByULN" xmlns:q1="…"/>`), which soap leaves unresolved, so
 * the message's part is read here instead.
 */
function messageElement(defs: Definitions, ref: MessageRef, what: string): RootElement {
  // Resolved by soap, `ref` is the schema element itself; soap may rename it after the operation
  // ($name, and its key in the schema), while the part's own QName stays in $lookupType.
  if (ref.targetNamespace !== undefined)
    return {
      ns: ref.targetNamespace,
      name: ref.$lookupType?.split(':').pop() ?? ref.$name,
      node: ref as SchemaNode,
    };
  const message = defs.messages?.[ref.$name];
  const part = message?.children?.find((c) => c.name === 'part' && c.$element !== undefined);
  const element = part?.$element;
  if (!part || element === undefined)
    throw new WsdlReadError(`${what}: message ${ref.$name} has no element part`);
  const [prefix, local] = element.includes(':') ? (element.split(':') as [string, string]) : ['', element];
  const ns = part.xmlns?.[prefix] ?? message?.xmlns?.[prefix] ?? part.definitionsXmlns?.[prefix];
  if (ns === undefined) throw new WsdlReadError(`${what}: unresolved prefix in ${element}`);
  return { ns, name: local };
}

/** The content of a global element (request or response root). */
function rootContent(defs: Definitions, root: RootElement, what: string): ContractField[] {
  const schema = defs.schemas[root.ns];
  const el = root.node ?? schema?.elements[root.name];
  if (!schema || !el) throw new WsdlReadError(`${what} element {${root.ns}}${root.name} not found`);
  return fieldOf(defs, el, schema, 0, { left: MAX_FIELDS }).children ?? [];
}

/**
 * Reads a WSDL from text with soap. Refuses a DOCTYPE and any import or include with a location (soap
 * would fetch it); `source` only names the document in errors. Throws WsdlReadError.
 */
export async function readWsdlText(text: string, source = 'WSDL'): Promise<ReadWsdl> {
  if (/<!DOCTYPE/i.test(text)) throw new WsdlReadError(`${source}: a DOCTYPE is refused`);
  let wsdl: soap.WSDL;
  try {
    wsdl = await new Promise<soap.WSDL>((resolve, reject) => {
      const w = new soap.WSDL(text, 'in-memory.wsdl', {
        wsdl_options: {
          overrideImportLocation: (location: string) => {
            throw new WsdlReadError(
              `${source} imports ${location}: external imports are refused (a ?singleWsdl document holds every schema inline)`,
            );
          },
        },
      });
      w.onReady((err) => (err ? reject(err as Error) : resolve(w)));
    });
  } catch (e) {
    if (e instanceof WsdlReadError) throw e;
    throw new WsdlReadError(`${source}: soap could not read it (${errorMessage(e)})`, {
      cause: e,
    });
  }
  const defs = wsdl.definitions as unknown as Definitions;
  if (!defs || typeof defs !== 'object' || !defs.portTypes || !defs.schemas)
    throw new WsdlReadError(`${source}: not a WSDL (no definitions)`);
  const addresses: Record<string, string> = {};
  for (const [sName, s] of Object.entries(defs.services ?? {}))
    for (const [pName, p] of Object.entries(s.ports ?? {})) addresses[`${sName}/${pName}`] = p.location;
  const operations = new Map<string, WsdlOperation>();
  const portType = Object.values(defs.portTypes)[0];
  const binding = Object.values(defs.bindings ?? {})[0];
  try {
    for (const [name, m] of Object.entries(portType?.methods ?? {})) {
      if (!m.input) continue;
      const input = messageElement(defs, m.input, `${name} request`);
      const root = { ns: input.ns, name: input.name };
      const fields = rootContent(defs, input, `${name} request`);
      const out = m.output ? messageElement(defs, m.output, `${name} response`) : undefined;
      const response = out
        ? { ns: out.ns, name: out.name, fields: rootContent(defs, out, `${name} response`) }
        : undefined;
      operations.set(name, { soapAction: binding?.methods[name]?.soapAction, root, fields, response });
    }
  } catch (e) {
    if (e instanceof WsdlReadError) throw new WsdlReadError(`${source}: ${e.message}`, { cause: e });
    throw e;
  }
  return { defs, operations, addresses };
}

/** Our description of a message's children in the same shape as a WSDL's. */
export function fieldsOf(fields: readonly FieldSpec[]): ContractField[] {
  return fields.map((f) => ({
    name: f.name,
    ns: f.ns,
    min: f.min,
    max: f.max,
    nillable: f.nillable,
    children: f.children ? fieldsOf(f.children) : undefined,
    type: f.rule ? xsdTypeOfRule(f.rule) : undefined,
  }));
}

/** One way the WSDL and our description disagree, in plain words. */
export interface ContractDifference {
  /** WSDL operation name. */
  operation: string;
  /** Where: `request`, `response`, or an element path such as `request Learner/FamilyName`. */
  path: string;
  /** What differs, e.g. `element renamed`, `namespace`, `order`, `minOccurs`. */
  what: string;
  ours: string;
  theirs: string;
}

/**
 * Where differences and notes go. `strictSchema`: the service validates requests with a stricter
 * schema than its WSDL (LearnerService.svc, docs/lrs.md §1.2), so the WSDL's minOccurs on a nillable
 * element does not bind: omitting it is accepted.
 */
interface Sink {
  differences: ContractDifference[];
  notes: ContractDifference[];
  strictSchema: boolean;
  /**
   * `request`: ours is messages.ts, judged as the service judges what we send. `response`: ours is our
   * bundled WSDL's answer, and any change is a difference.
   */
  side: 'request' | 'response';
}

const KNOWN_LOOSE_MIN =
  'minOccurs: the WSDL requires this nillable element, which we may leave out; accepted, the service validates with the strict schema where it is optional';

const KNOWN_LOOSE_ANSWER =
  'occurs: the published WSDL is looser than the strict schema our WSDL carries for this answer element; accepted';

const describeNs = (ns: string): string => (ns === '' ? 'unqualified' : `qualified in ${ns}`);
const describeMax = (n: number): string => (n === Infinity ? 'unbounded' : String(n));
const qname = (f: { ns: string; name: string }): string => (f.ns === '' ? f.name : `{${f.ns}}${f.name}`);

/** Occurs and nil of one request element, judged as the service judges what we send. */
function compareRequestRules(
  operation: string,
  p: string,
  o: ContractField,
  t: ContractField,
  sink: Sink,
): void {
  const out = sink.differences;
  if (t.min >= 1 && o.min < 1) {
    const d = { operation, path: p, ours: String(o.min), theirs: String(t.min) };
    if (sink.strictSchema && t.nillable) sink.notes.push({ ...d, what: KNOWN_LOOSE_MIN });
    else out.push({ ...d, what: 'minOccurs (the WSDL requires an element we may leave out)' });
  }
  if (o.max > t.max)
    out.push({
      operation,
      path: p,
      what: 'maxOccurs (we may send more than the WSDL allows)',
      ours: describeMax(o.max),
      theirs: describeMax(t.max),
    });
  if (o.nillable && !t.nillable)
    out.push({
      operation,
      path: p,
      what: 'nillable (we may send nil)',
      ours: 'nillable',
      theirs: 'not nillable',
    });
}

/**
 * Occurs and nil of one answer element, ours (our WSDL) against theirs: any change is a difference,
 * except that on a strict-schema service a looser occurs in theirs is a known note (see the top).
 */
function compareAnswerRules(
  operation: string,
  p: string,
  o: ContractField,
  t: ContractField,
  sink: Sink,
): void {
  const looser = sink.strictSchema && t.min <= o.min && t.max >= o.max;
  const push = (d: ContractDifference): void => {
    if (looser) sink.notes.push({ ...d, what: `${KNOWN_LOOSE_ANSWER} (${d.what})` });
    else sink.differences.push(d);
  };
  if (o.min !== t.min)
    push({ operation, path: p, what: 'minOccurs', ours: String(o.min), theirs: String(t.min) });
  if (o.max !== t.max)
    push({ operation, path: p, what: 'maxOccurs', ours: describeMax(o.max), theirs: describeMax(t.max) });
  if (o.nillable !== t.nillable)
    sink.differences.push({
      operation,
      path: p,
      what: 'nillable',
      ours: o.nillable ? 'nillable' : 'not nillable',
      theirs: t.nillable ? 'nillable' : 'not nillable',
    });
}

/** Differences between our children and the WSDL's at one level, then below each matched element. */
function compareFields(
  operation: string,
  path: string,
  ours: readonly ContractField[],
  theirs: readonly ContractField[],
  sink: Sink,
): void {
  const out = sink.differences;
  const at = (name: string) => `${path}${path.endsWith(' ') ? '' : '/'}${name}`;
  const matchOf = new Map<number, number>();
  const taken = new Set<number>();
  ours.forEach((o, i) => {
    const j = theirs.findIndex((t, k) => !taken.has(k) && t.name === o.name);
    if (j >= 0) {
      matchOf.set(i, j);
      taken.add(j);
    }
  });
  // Our wildcard (xs:any, only in our WSDL's answers) accepts whatever theirs has left at this level.
  const open = ours.some((o, i) => o.name === '*' && !matchOf.has(i));
  const unmatchedTheirs = open ? [] : theirs.map((_, k) => k).filter((k) => !taken.has(k));
  ours.forEach((o, i) => {
    if (matchOf.has(i) || (o.name === '*' && open)) return;
    // An element of theirs left over at the same position reads as a rename.
    const k = unmatchedTheirs.indexOf(i);
    const t = k >= 0 ? theirs[i] : undefined;
    if (t) {
      unmatchedTheirs.splice(k, 1);
      out.push({ operation, path: at(o.name), what: 'element renamed', ours: qname(o), theirs: qname(t) });
    } else
      out.push({
        operation,
        path: at(o.name),
        what: 'element missing from the WSDL',
        ours: `${qname(o)} at position ${i + 1}`,
        theirs: 'absent',
      });
  });
  for (const k of unmatchedTheirs) {
    const t = theirs[k];
    if (!t) continue;
    out.push({
      operation,
      path: at(t.name),
      what:
        sink.side === 'response'
          ? 'element added to the answer (lrs-relay does not read it)'
          : t.min >= 1
            ? 'required element we do not send'
            : 'optional element we do not send',
      ours: 'absent',
      theirs: `${qname(t)} at position ${k + 1}, minOccurs ${t.min}`,
    });
  }
  const oursOrder = ours.filter((_, i) => matchOf.has(i)).map((o) => o.name);
  const theirsOrder = [...matchOf.entries()].sort((a, b) => a[1] - b[1]).map(([i]) => ours[i]?.name ?? '');
  if (oursOrder.join(' ') !== theirsOrder.join(' '))
    out.push({
      operation,
      path: path.trimEnd(),
      what: 'order of elements',
      ours: oursOrder.join(', '),
      theirs: theirsOrder.join(', '),
    });
  for (const [i, j] of matchOf) {
    const o = ours[i];
    const t = theirs[j];
    if (!o || !t) continue;
    const p = at(o.name);
    if (o.ns !== t.ns && t.ns !== '*')
      out.push({ operation, path: p, what: 'namespace', ours: describeNs(o.ns), theirs: describeNs(t.ns) });
    if (sink.side === 'response') compareAnswerRules(operation, p, o, t, sink);
    else compareRequestRules(operation, p, o, t, sink);
    if (o.type !== undefined && t.type !== undefined && o.type !== t.type)
      out.push({ operation, path: p, what: 'type', ours: `xs:${o.type}`, theirs: `xs:${t.type}` });
    if (o.children && !t.children)
      out.push({ operation, path: p, what: 'content', ours: 'child elements', theirs: 'simple value' });
    else if (!o.children && t.children && t.children.length > 0)
      out.push({ operation, path: p, what: 'content', ours: 'simple value', theirs: 'child elements' });
    else if (o.children && t.children) compareFields(operation, p, o.children, t.children, sink);
  }
}

/** Services whose requests are validated with a stricter schema than their published WSDL (docs/lrs.md §1.2). */
const STRICT_SCHEMA_SERVICES: ReadonlySet<ServiceName> = new Set(['learnerService']);

/**
 * Every difference between one of our message descriptions and the WSDL's operation of the same name,
 * and the notes: known, accepted differences that do not count. `bundled`: the same operation in our
 * own WSDL of the service, whose answer is compared below the root with the WSDL's.
 */
export function compareOperation(
  spec: MessageSpec,
  op: WsdlOperation | undefined,
  bundled: WsdlOperation | undefined,
): { differences: ContractDifference[]; notes: ContractDifference[] } {
  const operation = spec.wsdlOperation;
  const sink: Sink = {
    differences: [],
    notes: [],
    strictSchema: STRICT_SCHEMA_SERVICES.has(spec.service),
    side: 'request',
  };
  const out = sink.differences;
  if (!op) {
    out.push({
      operation,
      path: 'operation',
      what: 'operation missing from the WSDL',
      ours: operation,
      theirs: 'absent',
    });
    return sink;
  }
  if ((op.soapAction ?? '') !== spec.soapAction)
    out.push({
      operation,
      path: 'SOAPAction',
      what: 'SOAPAction',
      ours: spec.soapAction || '(empty)',
      theirs: op.soapAction || '(empty)',
    });
  if (op.root.ns !== spec.root.ns || op.root.name !== spec.root.name)
    out.push({
      operation,
      path: 'request',
      what: 'request root element',
      ours: qname(spec.root),
      theirs: qname(op.root),
    });
  compareFields(operation, `request ${spec.root.name}`, fieldsOf(spec.fields), op.fields, sink);
  if (!op.response)
    out.push({
      operation,
      path: 'response',
      what: 'response missing from the WSDL',
      ours: qname(spec.response),
      theirs: 'absent',
    });
  else {
    if (op.response.ns !== spec.response.ns || op.response.name !== spec.response.name)
      out.push({
        operation,
        path: 'response',
        what: 'response root element',
        ours: qname(spec.response),
        theirs: qname(op.response),
      });
    const result = spec.response.result;
    /** Where the wrapper check already reported a difference (the tree below says the same again). */
    let wrapperPath: string | undefined;
    if (result !== undefined) {
      // The WCF wrapper: the first child of the response, qualified in the response's namespace.
      const first = op.response.fields[0];
      const ours = { ns: spec.response.ns, name: result };
      if (!first || first.name !== ours.name || first.ns !== ours.ns) {
        wrapperPath = `response ${spec.response.name}/${result}`;
        out.push({
          operation,
          path: wrapperPath,
          what: 'result wrapper element',
          ours: qname(ours),
          theirs: first ? qname(first) : 'absent',
        });
      }
    }
    if (!bundled?.response)
      out.push({
        operation,
        path: 'response',
        what: 'answer missing from our own WSDL (wsdl/)',
        ours: 'absent',
        theirs: qname(op.response),
      });
    else {
      const answer: Sink = { ...sink, differences: [], side: 'response' };
      compareFields(
        operation,
        `response ${spec.response.name}`,
        bundled.response.fields,
        op.response.fields,
        answer,
      );
      out.push(...answer.differences.filter((d) => d.path !== wrapperPath));
    }
  }
  return { differences: out, notes: sink.notes };
}

/** What one service's WSDL says against every operation we use on it. */
export interface ServiceContractReport {
  service: ServiceName;
  /** WSDL operation names we use that match our descriptions exactly as far as this check goes. */
  equal: string[];
  differences: ContractDifference[];
  /** Known, accepted differences (printed, never a failure). */
  notes: ContractDifference[];
  /** WSDL operations we do not use (not a difference). */
  unused: string[];
}

/**
 * Compares every operation we use on `service` with a WSDL already read; `bundled` is our own WSDL of
 * the service (wsdl/), the description of the answers.
 */
export function compareService(
  service: ServiceName,
  wsdl: ReadWsdl,
  bundled: ReadWsdl,
): ServiceContractReport {
  const specs = OPERATION_NAMES.map((n) => MESSAGES[n] as MessageSpec).filter((s) => s.service === service);
  const equal: string[] = [];
  const differences: ContractDifference[] = [];
  const notes: ContractDifference[] = [];
  for (const spec of specs) {
    const d = compareOperation(
      spec,
      wsdl.operations.get(spec.wsdlOperation),
      bundled.operations.get(spec.wsdlOperation),
    );
    if (d.differences.length === 0) equal.push(spec.wsdlOperation);
    differences.push(...d.differences);
    notes.push(...d.notes);
  }
  const used = new Set(specs.map((s) => s.wsdlOperation));
  const unused = [...wsdl.operations.keys()].filter((n) => !used.has(n));
  return { service, equal, differences, notes, unused };
}
