// Who is calling: credentials (session tokens, API keys, the panel cookie), the auth middleware,
// passwords, login lockout, TOTP 2FA, password recovery and the per-user views kept in memory.
export * from "./cookie.ts";
export * from "./credentials.ts";
export * from "./login_guard.ts";
export * from "./middleware.ts";
export * from "./passwords.ts";
export * from "./recovery.ts";
export * from "./recovery_delivery.ts";
export * from "./totp.ts";
export * from "./two_factor.ts";
export * from "./user_views.ts";
