/**
 * A tiny checker that words its failures like the jsonschema library Evolution uses, with the leading
 * `instance.` stripped and schema descriptions taking precedence (contract §1.1). zod's texts differ,
 * and tests of the gateway depend on the exact strings.
 */
import { schemaError } from "./errors.ts";

export type Json = Record<string, unknown>;
type JsonType = "string" | "boolean" | "integer" | "number" | "object" | "array";

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number";
  }
}

/** Collects schema errors for one object; `path` is the jsonschema property path below `instance`. */
export class Checker {
  readonly errors: string[] = [];
  readonly body: Json;

  constructor(body: unknown, readonly path = "") {
    if (!isObject(body)) {
      this.errors.push(`${path || "instance"} is not of a type(s) object`);
      this.body = {};
    } else this.body = body;
  }

  #name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Every listed key must be present. */
  required(...keys: string[]): this {
    for (const key of keys) {
      if (this.body[key] === undefined) {
        this.errors.push(`${this.path || "instance"} requires property "${key}"`);
      }
    }
    return this;
  }

  /** When present, the value must have the JSON type; `description` replaces the text like in Evolution. */
  type(key: string, type: JsonType, description?: string): this {
    const value = this.body[key];
    if (value !== undefined && !hasType(value, type)) {
      this.errors.push(description ?? `${this.#name(key)} is not of a type(s) ${type}`);
    }
    return this;
  }

  /** When the value is a string, it must match `pattern` (jsonschema prints the pattern JSON-quoted). */
  pattern(key: string, pattern: string): this {
    const value = this.body[key];
    if (typeof value === "string" && !new RegExp(pattern).test(value)) {
      this.errors.push(`${this.#name(key)} does not match pattern ${JSON.stringify(pattern)}`);
    }
    return this;
  }

  /** When present, the value must be one of `values`. */
  oneOf(key: string, values: readonly string[]): this {
    const value = this.body[key];
    if (value !== undefined && !values.includes(value as string)) {
      this.errors.push(`${this.#name(key)} is not one of enum values: ${values.join(",")}`);
    }
    return this;
  }

  /** When the value is an array, each item must be one of `values`. */
  itemsOneOf(key: string, values: readonly string[]): this {
    const value = this.body[key];
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (!values.includes(item)) {
          this.errors.push(`${this.#name(key)}[${i}] is not one of enum values: ${values.join(",")}`);
        }
      });
    }
    return this;
  }

  /** When the value is an array, it must hold only strings, at least `min` of them, without duplicates. */
  stringArray(key: string, min = 0): this {
    const value = this.body[key];
    if (value === undefined) return this;
    if (!Array.isArray(value)) return this.type(key, "array");
    if (value.length < min) this.errors.push(`${this.#name(key)} does not meet minimum length of ${min}`);
    value.forEach((item, i) => {
      if (typeof item !== "string") this.errors.push(`${this.#name(key)}[${i}] is not of a type(s) string`);
    });
    if (new Set(value).size !== value.length) this.errors.push(`${this.#name(key)} contains duplicate item`);
    return this;
  }

  /**
   * Evolution's "cannot be empty" rule is conditional: it only fires when the object has no keys besides
   * the listed ones (contract §1.3), which is why `{"instanceName":"","integration":"…"}` passes.
   */
  notEmpty(...keys: string[]): this {
    if (!Object.keys(this.body).every((k) => keys.includes(k))) return this;
    for (const key of keys) {
      if (this.body[key] === "") this.errors.push(`The "${key}" cannot be empty`);
    }
    return this;
  }

  /** Adds the errors of a nested checker. */
  merge(other: Checker): this {
    this.errors.push(...other.errors);
    return this;
  }

  /** Throws the nested-array 400 when anything failed. */
  done(): Json {
    if (this.errors.length > 0) throw schemaError(this.errors);
    return this.body;
  }
}
