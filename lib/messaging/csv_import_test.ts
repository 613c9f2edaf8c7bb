import { assertEquals, assertThrows } from "../core/testing.ts";
import { HttpError } from "../core/mod.ts";
import { csvDigits, fieldKey, parseContactsCsv } from "./csv_import.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("fieldKey turns a header into a template variable name", () => {
  assertEquals(fieldKey("Fecha de pago"), "fecha_de_pago");
  assertEquals(fieldKey("  Teléfono móvil "), "telefono_movil");
  assertEquals(fieldKey("N.º de cliente"), "n_de_cliente");
  assertEquals(fieldKey("###"), "");
});

Deno.test("csvDigits drops what people type around a number", () => {
  assertEquals(csvDigits("+595 (981) 123-456"), "595981123456");
  assertEquals(csvDigits("0981.123.456"), "0981123456");
  assertEquals(csvDigits("'0981123456"), "0981123456");
});

Deno.test("the separator is the one the header line uses outside quotes", () => {
  const semi = parseContactsCsv(bytes('"Nombre, completo";numero\n"Pérez, Ana";0981000001\n'));
  assertEquals([semi.delimiter, semi.contacts[0].label, semi.columns.name], [
    ";",
    "Pérez, Ana",
    "Nombre, completo",
  ]);
  const comma = parseContactsCsv(bytes('numero,nota\r\n0981000001,"a;b"\r\n'));
  assertEquals([comma.delimiter, comma.contacts[0].fields], [",", { nota: "a;b" }]);
});

Deno.test("rows: a short row reads missing cells as empty; a long name or field value is invalid", () => {
  const parsed = parseContactsCsv(bytes(`phone,name,city\n0981000001\n0981000002,${"n".repeat(101)},x\n`));
  assertEquals(parsed.report.map((r) => [r.status, r.code ?? null]), [["accepted", null], [
    "invalid",
    "field_too_long",
  ]]);
  assertEquals(parsed.report[1].reason, "name must be at most 100 characters");
});

Deno.test("a file without a number column or with an unknown mapped column is refused whole", () => {
  const code = (fn: () => unknown) => (assertThrows(fn, HttpError) as HttpError).code;
  assertEquals(code(() => parseContactsCsv(bytes("a,b\n1,2\n"))), "csv_no_number_column");
  assertEquals(code(() => parseContactsCsv(bytes("a,b\n1,2\n"), { name: "zzz" })), "csv_no_number_column");
  assertEquals(code(() => parseContactsCsv(bytes("a,b\n1,2\n"), { number: "zzz" })), "csv_column_missing");
  assertEquals(code(() => parseContactsCsv(bytes("numero\n\0\n"))), "nul_character");
});
