import assert from "node:assert/strict";
import { parseExactJson } from "./exact_json.ts";

Deno.test("an id above 2^53 is kept exactly, as a string", () => {
  const parsed = parseExactJson('{"id": 820982911946154508, "nested": [{"id":18446744073709551615}]}') as {
    id: string;
    nested: { id: string }[];
  };
  assert.equal(parsed.id, "820982911946154508");
  assert.equal(parsed.nested[0].id, "18446744073709551615");
});

Deno.test("small integers, decimals and negative numbers stay numbers", () => {
  assert.deepEqual(parseExactJson('{"a": 1001, "b": -5, "c": 12.5, "d": 1e3, "e": 123456789012345}'), {
    a: 1001,
    b: -5,
    c: 12.5,
    d: 1000,
    e: 123456789012345,
  });
});

Deno.test("digits inside strings are left alone, escaped quotes included", () => {
  const text = '{"note": "ref 820982911946154508 \\"quoted 99999999999999999\\"", "id": 820982911946154508}';
  assert.deepEqual(parseExactJson(text), {
    note: 'ref 820982911946154508 "quoted 99999999999999999"',
    id: "820982911946154508",
  });
});

Deno.test("malformed JSON is still refused", () => {
  assert.throws(() => parseExactJson('{"id": 820982911946154508'), SyntaxError);
});
