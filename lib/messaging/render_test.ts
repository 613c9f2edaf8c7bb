import { assertEquals } from "../core/testing.ts";
import { renderTemplate, templateVariables } from "./render.ts";

Deno.test("renderTemplate fills name, number and custom fields per recipient", () => {
  const r = renderTemplate("Hola {{name}}, tu pedido {{ pedido }} al {{number}}", {
    name: "Ana",
    number: "595981000111",
    pedido: 42,
  });
  assertEquals(r, { text: "Hola Ana, tu pedido 42 al 595981000111", unknown: [] });
});

Deno.test("a fallback fills a missing or empty value; an empty fallback renders nothing", () => {
  assertEquals(renderTemplate("Hola {{name|cliente}}!", {}).text, "Hola cliente!");
  assertEquals(renderTemplate("Hola {{name|cliente}}!", { name: "  " }).text, "Hola cliente!");
  assertEquals(renderTemplate("Hola {{name|}}!", { name: null }), { text: "Hola !", unknown: [] });
  assertEquals(renderTemplate("{{ciudad | Asunción }}", { ciudad: "Luque" }).text, "Luque");
});

Deno.test("unknown variables are reported once and never sent as raw braces", () => {
  const r = renderTemplate("{{x}} {{ x }} {{bad name}} {{}} {{y|}} {{z}}", { y: "" });
  assertEquals(r.text, "     ");
  assertEquals(r.unknown, ["x", "{{bad name}}", "{{}}", "z"]);
});

Deno.test("names match exactly first, then ignoring case", () => {
  assertEquals(renderTemplate("{{Nombre}}", { nombre: "Luis" }).text, "Luis");
  assertEquals(renderTemplate("{{nombre}}", { nombre: "a", NOMBRE: "b" }).text, "a");
});

Deno.test("templateVariables lists each valid name once, in order", () => {
  assertEquals(templateVariables("{{name}} {{pedido|0}} {{name}} {{bad name}} {{order.id}}"), [
    "name",
    "pedido",
    "order.id",
  ]);
});
