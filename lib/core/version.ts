/** The gateway's own version, reported in /api/openapi.json and the panel footer. */
export const VERSION = "0.1.0";
