import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/**
 * Checks HTTP answers against an OpenAPI 3.1 description: the status must be
 * one the operation declares, the content type and body the ones declared for
 * that status (JSON Schema 2020-12 with formats, by ajv), and every header it
 * marks required must be there and match its schema. A method the path does
 * not take must be a 405 with `Allow` listing the ones it does.
 */

type Json = Record<string, any>;

export interface SentRequest {
  method: string;
  /** Path and query as sent. */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options', 'trace'] as const;
const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv2020) => void;
const pointer = (segments: readonly string[]) => `#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

/** The description's path templates as patterns: `{call_id}` matches one path segment. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

export function createContract(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (segments: readonly string[]) => {
    const key = pointer(segments);
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile({ $ref: `openapi.json${key}` })));
    return validate;
  };

  /** Follows a local `$ref`, keeping where the target lives (for schema pointers) and the referrer's siblings (`required`). */
  function resolve(value: Json, at: string[]): { value: Json; at: string[] } {
    if (typeof value.$ref !== 'string') return { value, at };
    const target = (value.$ref as string).replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const resolved = target.reduce<Json>((node, key) => node[key], document);
    const { $ref: _, ...siblings } = value;
    return resolve({ ...resolved, ...siblings }, target);
  }

  const paths = Object.entries(document.paths as Json).map(([template, item]) => ({ template, item: item as Json, pattern: templatePattern(template) }));

  /** The path template a request's path falls under, or null. */
  const templateOf = (pathname: string) => paths.find((p) => p.pattern.test(pathname)) ?? null;

  /** The methods a path takes, upper case, in the description's order (as Allow lists them). */
  const methodsOf = (item: Json) => Object.keys(item).filter((key) => (METHODS as readonly string[]).includes(key)).map((m) => m.toUpperCase());

  /** What is wrong with an answer, or an empty list. */
  function problems(sent: SentRequest, answer: Answer, expected?: { notFound?: boolean }): string[] {
    const found: string[] = [];
    const pathname = sent.target.split('?', 1)[0]!;
    const path = templateOf(pathname);
    const method = sent.method.toLowerCase();
    let responses: Json;
    let at: string[];
    if (!path) {
      // No such resource: nothing the description declares, but still a vendor error body.
      responses = { '401': { $ref: '#/components/responses/Unauthorized' }, '404': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }, '429': { $ref: '#/components/responses/TooManyRequests' }, '503': { $ref: '#/components/responses/ServiceUnavailable' } };
      at = ['x-unrouted'];
      if (expected?.notFound === false) found.push(`${pathname} matches no path of the description`);
    } else if (!(method in path.item)) {
      // A method the path does not take: 405 naming the ones it does, after the credentials as for any request.
      const allow = methodsOf(path.item).join(', ');
      if (answer.status === 405 && answer.headers.get('allow') !== allow) found.push(`Allow is ${answer.headers.get('allow')}, the description says ${allow}`);
      const declared = path.item.get?.security?.length === 0 ? {} : { '401': { $ref: '#/components/responses/Unauthorized' }, '429': { $ref: '#/components/responses/TooManyRequests' }, '503': { $ref: '#/components/responses/ServiceUnavailable' } };
      responses = { ...declared, '405': { $ref: '#/components/responses/MethodNotAllowed' } };
      at = ['x-not-allowed'];
    } else {
      responses = path.item[method].responses;
      at = ['paths', path.template, method, 'responses'];
    }
    const declaredResponse = responses[String(answer.status)] ?? responses.default;
    if (!declaredResponse) return [`status ${answer.status} is not declared for ${sent.method} ${path?.template ?? pathname} (declared: ${Object.keys(responses).join(', ')})`];
    const { value: response, at: responseAt } = resolve(declaredResponse, [...at, String(answer.status)]);
    const mediaType = response.content?.['application/json'];
    const contentType = answer.headers.get('content-type') ?? '';
    if (sent.method === 'HEAD' || !mediaType) {
      if (answer.text !== '') found.push(`a ${sent.method} ${answer.status} must have no body, got ${answer.text.slice(0, 100)}`);
    }
    if (mediaType && sent.method !== 'HEAD') {
      if (!/^application\/json\b/.test(contentType)) found.push(`content-type ${contentType}, declared application/json`);
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        found.push(`body is not JSON: ${answer.text.slice(0, 200)}`);
      }
      if (body !== undefined) {
        const schemaAt = responseAt[0] === 'x-unrouted' || responseAt[0] === 'x-not-allowed' ? null : [...responseAt, 'content', 'application/json', 'schema'];
        const validate = schemaAt ? validatorAt(schemaAt) : ajv.compile({ $ref: 'openapi.json#/components/schemas/Error' });
        if (!validate(body)) found.push(`body does not match the ${answer.status} schema: ${ajv.errorsText(validate.errors)}; body ${answer.text.slice(0, 300)}`);
      }
    }
    for (const [name, declaredHeader] of Object.entries((response.headers ?? {}) as Json)) {
      const { value: headerObject } = resolve(declaredHeader, []);
      const value = answer.headers.get(name);
      if (value === null) {
        if (headerObject.required) found.push(`required header ${name} is missing`);
        continue;
      }
      if (headerObject.schema) {
        const validate = ajv.compile(headerObject.schema);
        if (!validate(value)) found.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
      }
    }
    return found;
  }

  return { problems, templateOf, methodsOf, paths };
}

/** A request as text to replay it (curl-like). */
export function describeRequest(sent: SentRequest): string {
  const headers = Object.entries(sent.headers).map(([name, value]) => `${name}: ${value}`);
  const body = sent.body === undefined ? '' : `\n\n${sent.body.length > 2000 ? `${sent.body.slice(0, 2000)}… (${sent.body.length} chars)` : sent.body}`;
  return `${sent.method} ${sent.target}\n${headers.join('\n')}${body}`;
}
