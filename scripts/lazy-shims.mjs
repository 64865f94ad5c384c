// Stands in for @modelcontextprotocol/server/_shims in the bundle: the SDK's JSON Schema validator (AJV, ~150 KB)
// is only needed when a handler elicits in the 2025 push style, so it is loaded from its own file on first use.
import { createRequire } from 'node:module';
import process from 'node:process';

let Validator;

/** The SDK's AJV-backed validator, required from dist/chunks/ajv.cjs (beside the server bundle) the first time a schema needs checking. */
export class DefaultJsonSchemaValidator {
  #inner;
  getValidator(schema) {
    Validator ??= createRequire(import.meta.url)('./ajv.cjs').AjvJsonSchemaValidator;
    this.#inner ??= new Validator();
    return this.#inner.getValidator(schema);
  }
}

export { process };
