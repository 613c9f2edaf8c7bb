import { useState } from "preact/hooks";

/**
 * A form's text inputs keyed by their `name` (the API body's keys): the values as typed,
 * `field(name)` with the `name`, `value` and `onValue` to spread on a TextField or SelectField, and
 * `reset()` back to the initial values (after a successful create).
 */
export function useForm<F extends Record<string, string>>(initial: F) {
  const [values, setValues] = useState<F>(initial);
  const set = (name: keyof F, value: string) => setValues((cur) => ({ ...cur, [name]: value }));
  return {
    values,
    set,
    reset: () => setValues(initial),
    field: <K extends keyof F & string>(name: K) => ({
      name,
      value: values[name],
      onValue: (value: string) => set(name, value),
    }),
  };
}
