import { type ErrorCode, ERRORS, errorText, fail, isErrorCode, paramsOfText } from "./errors.ts";
import { assert, assertEquals } from "./testing.ts";

const CODES = Object.keys(ERRORS) as ErrorCode[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("every error text is in the catalogue once: no two codes answer the same English message", () => {
  const byText = new Map<string, ErrorCode[]>();
  for (const code of CODES) byText.set(ERRORS[code].en, [...(byText.get(ERRORS[code].en) ?? []), code]);
  const shared = [...byText.values()].filter((codes) => codes.length > 1);
  assertEquals(shared, []);
});

Deno.test("every catalogue entry has a snake_case code, a 4xx/5xx status and a Spanish text with the same placeholders", () => {
  for (const code of CODES) {
    const { status, en, es } = ERRORS[code];
    assert(/^[a-z][a-z0-9_]*$/.test(code), code);
    assert(status >= 400 && status <= 599, `${code}: ${status}`);
    assert(en.trim() !== "" && es.trim() !== "", code);
    assertEquals(placeholders(es), placeholders(en), code);
  }
});

Deno.test("errorText fills placeholders in either language and fail() carries status, code and text", () => {
  assertEquals(errorText("field_required", { field: "number" }), "number is required");
  assertEquals(errorText("field_required", { field: "number" }, "es"), "number es obligatorio");
  const err = fail("field_required", { field: "text" }, { headers: { "Retry-After": "1" } });
  assertEquals([err.status, err.code, err.message, err.headers], [400, "field_required", "text is required", {
    "Retry-After": "1",
  }]);
  assertEquals([isErrorCode("not_found"), isErrorCode("toString"), isErrorCode(42)], [true, false, false]);
});

Deno.test("paramsOfText reads the values back out of a filled English text, so it can be re-worded in Spanish", () => {
  const wire = errorText("opt_out_recipient", { number: "595981000001", header: "X-Ignore-Opt-Out" });
  const params = paramsOfText("opt_out_recipient", wire);
  assertEquals(params, { number: "595981000001", header: "X-Ignore-Opt-Out" });
  assertEquals(
    errorText("opt_out_recipient", params!, "es"),
    "595981000001 pidió no recibir sus mensajes (envíe con la cabecera X-Ignore-Opt-Out: true para forzar el envío)",
  );
  assertEquals(paramsOfText("field_required", "text is required"), { field: "text" });
  // Another text (or the template's own regex characters taken literally) is no match.
  assertEquals(paramsOfText("opt_out_recipient", "something else"), null);
  assertEquals(paramsOfText("field_required", "text is required."), null);
});

Deno.test("every catalogue code is raised somewhere in the code base (no dead entries)", async () => {
  const root = new URL("../../", import.meta.url);
  const sources: string[] = [];
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      if (["node_modules", "static", "data", ".git", "tests"].includes(e.name)) continue;
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) await walk(url);
      else if (
        /\.tsx?$/.test(e.name) && !e.name.endsWith("_test.ts") && !url.pathname.endsWith("/core/errors.ts")
      ) {
        sources.push(await Deno.readTextFile(url));
      }
    }
  };
  await walk(root);
  const all = sources.join("\n");
  const unused = CODES.filter((code) => !all.includes(`"${code}"`));
  assertEquals(unused, []);
});
