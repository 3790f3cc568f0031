/** Shared pieces of the two WCF services (R9 and External): SOAPAction handling and result wrappers. */
import { escapeXml, NS, wcfEnvelope, type XmlNode } from './xml.ts';

/** The SOAPAction header without the quotes WCF clients put around it. */
export function readSoapAction(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  return v.trim().replace(/^"(.*)"$/, '$1');
}

/** `<a:Name>value</a:Name>` in the model namespace; '' → empty element, undefined → absent. */
export function m(name: string, v: string | number | undefined): string {
  if (v === undefined) return '';
  return v === '' ? `<a:${name}/>` : `<a:${name}>${escapeXml(String(v))}</a:${name}>`;
}

/** `<a:Name i:nil="true"/>` when undefined (DataContract members that are always emitted). */
export function mNil(name: string, v: string | number | undefined): string {
  return v === undefined ? `<a:${name} i:nil="true"/>` : m(name, v);
}

/** `<OpResponse xmlns=ns><OpResult xmlns:a=model xmlns:i=xsi>inner</OpResult></OpResponse>` in a WCF envelope. */
export function wcfResult(op: string, ns: string, inner: string): string {
  return wcfEnvelope(
    `<${op}Response xmlns="${ns}"><${op}Result xmlns:a="${NS.model}" xmlns:i="${NS.xsi}">${inner}</${op}Result></${op}Response>`,
  );
}

/** WCF's fault when the body does not hold the wrapper element the action promises (HTTP 500). */
export function deserializationFault(op: string, ns: string, got: XmlNode): string {
  return wcfEnvelope(
    `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">a:DeserializationFailed</faultcode>` +
      `<faultstring xml:lang="en-GB">OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with name '${op}' and namespace '${ns}'. ` +
      `Found node type 'Element' with name '${escapeXml(got.name)}' and namespace '${escapeXml(got.ns)}'</faultstring></s:Fault>`,
  );
}

/** Text of a direct child in namespace `ns`; members in another namespace are ignored, as DataContract deserialisation does. */
export function member(node: XmlNode | undefined, name: string, ns: string): string | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name && c.ns === ns) return c.nil ? undefined : c.text;
  return undefined;
}

export function memberNode(node: XmlNode | undefined, name: string, ns: string): XmlNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name && c.ns === ns && !c.nil) return c;
  return undefined;
}
