import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/http/openapi.js';

/**
 * Checks real answers of the server API against its OpenAPI document: the operation must document the status, and
 * the body must match the schema it documents (or be empty when it documents none). Strict: a schema keyword ajv
 * does not know fails, and every response schema forbids fields it does not name.
 */
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
// The document's own parts are no JSON Schema keywords: ajv only resolves references into them.
ajv.addVocabulary(['openapi', 'info', 'components', 'security', 'paths']);
ajv.addSchema(openApiDocument, 'openapi.json');

type Operation = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
const paths = openApiDocument.paths as unknown as Record<string, Record<string, Operation>>;

/** The document's operation for a request, by matching the URL's path against the path templates. */
function operationOf(method: string, url: string): { template: string; operation: Operation } {
  const { pathname } = new URL(url);
  const template = Object.keys(paths).find((candidate) => new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname));
  assert.ok(template, `the document has a path for ${pathname}`);
  const operation = paths[template]![method.toLowerCase()];
  assert.ok(operation, `the document has ${method} ${template}`);
  return { template, operation };
}

/** Asserts that `response` (to `method`) is as documented, and returns its body (`undefined` when empty). */
export async function documented(method: string, response: Response): Promise<unknown> {
  const { template, operation } = operationOf(method, response.url);
  const answer = operation.responses[String(response.status)];
  assert.ok(answer, `${method} ${template} documents the status ${response.status}`);
  const text = await response.text();
  const reference = answer.content?.['application/json']?.schema?.$ref;
  if (!reference) {
    assert.equal(text, '', `${method} ${template} ${response.status} documents no body`);
    return undefined;
  }
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body: unknown = JSON.parse(text);
  const validate = ajv.getSchema(`openapi.json${reference}`);
  assert.ok(validate, `${reference} resolves`);
  assert.ok(validate(body), `${method} ${template} ${response.status}: ${ajv.errorsText(validate.errors)}\n${text}`);
  return body;
}

/** A `fetch` whose every answer is checked against the document (for the typed client). */
export const documentedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  await documented(init?.method ?? 'GET', response.clone());
  return response;
};
