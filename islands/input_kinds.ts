// Attribute sets for the kinds of input that recur across the forms, spread on a TextField.

/** A login name or identifier: kept exactly as typed, no capitals or spelling fixes forced on it. */
export const AS_TYPED = { autoCapitalize: "none", spellcheck: false } as const;

/** A code from an authenticator app, an e-mail or a WhatsApp message: numeric keypad, code autofill. */
export const ONE_TIME_CODE = { inputMode: "numeric", autocomplete: "one-time-code" } as const;

/** A whole number from 0 up (the account limits). */
export const COUNT = { type: "number", min: 0, step: 1, inputMode: "numeric" } as const;
