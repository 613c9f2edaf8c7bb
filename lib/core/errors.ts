/**
 * The error catalogue: every error the HTTP API answers with, once, under a stable code. The English text
 * is the wire message (`{ "error": en, "code": code }`, the contract's strings); `es` is what the panel
 * shows in Spanish. This module imports nothing, so the islands bundle it and translate by code.
 *
 * `{name}` in a text is filled from the params given where the error is raised.
 * Each domain keeps its entries in its own section; codes are snake_case and never change once shipped.
 */
interface ErrorEntry {
  status: number;
  en: string;
  es: string;
}

export const ERRORS = {
  // ── core: HTTP, validation, pagination ──
  not_found: { status: 404, en: "Not found", es: "No encontrado" },
  method_not_allowed: { status: 405, en: "Method not allowed", es: "Método no permitido" },
  invalid_json: { status: 400, en: "Invalid JSON body", es: "El cuerpo JSON no es válido" },
  invalid_request: { status: 400, en: "Invalid request", es: "Solicitud no válida" },
  body_too_large: {
    status: 413,
    en: "Request body too large",
    es: "El cuerpo de la solicitud es demasiado grande",
  },
  nul_character: {
    status: 400,
    en: "Text must not contain NUL characters",
    es: "El texto no debe contener caracteres NUL",
  },
  database_unavailable: {
    status: 503,
    en: "Database temporarily unavailable, please retry later",
    es: "La base de datos no está disponible por el momento. Intente de nuevo en unos momentos.",
  },
  internal: { status: 500, en: "Internal server error", es: "Error interno del servidor" },
  page_invalid: {
    status: 400,
    en: "page must be a positive integer",
    es: "page debe ser un entero positivo",
  },
  limit_invalid: {
    status: 400,
    en: "limit must be a positive integer",
    es: "limit debe ser un entero positivo",
  },
  field_required: { status: 400, en: "{field} is required", es: "{field} es obligatorio" },
  // Shared by user profiles and send recipients.
  phone_digits: {
    status: 400,
    en: "Phone number must contain only digits",
    es: "El número de teléfono solo puede contener dígitos.",
  },
  phone_length: {
    status: 400,
    en: "Phone number must be between 8 and 20 digits",
    es: "El número de teléfono debe tener entre 8 y 20 dígitos.",
  },
  no_fields_to_update: { status: 400, en: "No fields to update", es: "No hay campos para actualizar" },
  // ── auth: credentials, sessions, 2FA, recovery ──
  missing_apikey: { status: 401, en: "Missing apikey header", es: "Falta el encabezado apikey" },
  csrf_failed: {
    status: 403,
    en: "CSRF check failed",
    es: "La solicitud fue rechazada por seguridad. Recargue la página.",
  },
  invalid_session: {
    status: 401,
    en: "Invalid or expired session token",
    es: "La sesión no es válida o expiró. Ingrese de nuevo.",
  },
  unauthorized: { status: 401, en: "Unauthorized", es: "No autorizado" },
  account_disabled: {
    status: 403,
    en: "Account is disabled",
    es: "Esta cuenta está desactivada. Contacte a un administrador.",
  },
  rate_limit_exceeded: {
    status: 429,
    en: "Rate limit exceeded",
    es: "Demasiadas solicitudes. Espere un momento e intente de nuevo.",
  },
  admin_required: { status: 403, en: "Admin access required", es: "Se requiere acceso de administrador." },
  api_key_scope: {
    status: 403,
    en: "API key scope does not allow this request",
    es: "El alcance de la clave API no permite esta solicitud.",
  },
  admin_key_restricted: {
    status: 403,
    en: "Admin routes need a login session or an unrestricted full-scope API key",
    es:
      "Las rutas de administración requieren una sesión o una clave API completa sin restricción de instancias.",
  },
  session_required: {
    status: 403,
    en: "This endpoint requires a login session",
    es: "Esta acción requiere haber iniciado sesión en el panel.",
  },
  password_required: { status: 400, en: "Password is required", es: "La contraseña es obligatoria." },
  password_too_short: {
    status: 400,
    en: "Password must be at least 8 characters",
    es: "La contraseña debe tener al menos 8 caracteres.",
  },
  password_too_long: {
    status: 400,
    en: "Password must be at most 256 characters",
    es: "La contraseña debe tener como máximo 256 caracteres.",
  },
  password_no_upper: {
    status: 400,
    en: "Password must contain at least one uppercase letter",
    es: "La contraseña debe tener una letra mayúscula.",
  },
  password_no_lower: {
    status: 400,
    en: "Password must contain at least one lowercase letter",
    es: "La contraseña debe tener una letra minúscula.",
  },
  password_no_digit: {
    status: 400,
    en: "Password must contain at least one number",
    es: "La contraseña debe tener un número.",
  },
  credentials_required: {
    status: 400,
    en: "username and password are required",
    es: "El usuario y la contraseña son obligatorios.",
  },
  invalid_credentials: {
    status: 401,
    en: "Invalid username or password",
    es: "Usuario o contraseña incorrectos.",
  },
  invalid_totp: {
    status: 401,
    en: "Invalid authenticator code",
    es: "El código del autenticador no es válido.",
  },
  account_locked: {
    status: 429,
    en: "Account temporarily locked. Try again in 15 minutes.",
    es: "Cuenta bloqueada temporalmente por demasiados intentos. Intente de nuevo en 15 minutos.",
  },
  ip_blocked: {
    status: 429,
    en: "Too many failed attempts from this address. Try again later.",
    es: "Demasiados intentos fallidos desde esta dirección. Intente más tarde.",
  },
  change_password_required: {
    status: 400,
    en: "current_password and new_password are required",
    es: "La contraseña actual y la nueva son obligatorias.",
  },
  current_password_incorrect: {
    status: 401,
    en: "Current password is incorrect",
    es: "La contraseña actual no es correcta.",
  },
  tfa_already_enabled: {
    status: 400,
    en: "2FA is already enabled",
    es: "La verificación en dos pasos ya está activada.",
  },
  tfa_secret_code_required: {
    status: 400,
    en: "secret and code are required",
    es: "El secreto y el código son obligatorios.",
  },
  tfa_no_pending: {
    status: 400,
    en: "No pending 2FA setup for this secret; start the setup again",
    es: "La configuración expiró. Empiece de nuevo.",
  },
  tfa_bad_enable_code: {
    status: 400,
    en: "Invalid code — verify your authenticator app is synchronized",
    es: "Código incorrecto: verifique que la hora de su teléfono esté sincronizada.",
  },
  tfa_not_enabled: {
    status: 400,
    en: "2FA is not currently enabled",
    es: "La verificación en dos pasos no está activada.",
  },
  code_required: { status: 400, en: "code is required", es: "El código es obligatorio." },
  invalid_code: { status: 400, en: "Invalid code", es: "Código incorrecto." },
  tfa_too_many_codes: {
    status: 429,
    en: "Too many invalid codes. Try again later.",
    es: "Demasiados códigos incorrectos. Intente más tarde.",
  },
  identifier_required: {
    status: 400,
    en: "username or email is required",
    es: "El usuario o el correo es obligatorio.",
  },
  code_not_string: { status: 400, en: "code must be a string", es: "El código debe ser texto." },
  reset_code_invalid: {
    status: 400,
    en: "Invalid code or expired",
    es: "El código no es válido o ya expiró.",
  },
  reset_too_many_attempts: {
    status: 400,
    en: "Too many attempts. Please request a new code.",
    es: "Demasiados intentos. Solicite un código nuevo.",
  },
  reset_verify_limited: {
    status: 429,
    en: "Too many attempts. Please try again later.",
    es: "Demasiados intentos. Espere un momento e intente de nuevo.",
  },
  reset_token_required: {
    status: 400,
    en: "reset_token is required",
    es: "El token de recuperación es obligatorio.",
  },
  new_password_required: {
    status: 400,
    en: "new_password is required",
    es: "La nueva contraseña es obligatoria.",
  },
  reset_token_invalid: {
    status: 400,
    en: "Invalid or expired reset token",
    es: "El enlace de recuperación expiró. Empiece de nuevo.",
  },

  // ── accounts: users, API keys, audit ──
  username_required: { status: 400, en: "Username is required", es: "El usuario es obligatorio." },
  username_length: {
    status: 400,
    en: "Username must be between 3 and 50 characters",
    es: "El usuario debe tener entre 3 y 50 caracteres.",
  },
  username_chars: {
    status: 400,
    en: "Username must contain only letters, numbers and underscores",
    es: "El usuario solo puede tener letras, números y guiones bajos.",
  },
  role_invalid: {
    status: 400,
    en: "role must be 'user' or 'admin'",
    es: "El rol debe ser 'user' o 'admin'.",
  },
  max_instances_invalid: {
    status: 400,
    en: "max_instances must be a non-negative integer",
    es: "El máximo de instancias debe ser un entero mayor o igual a 0.",
  },
  rate_limit_invalid: {
    status: 400,
    en: "rate_limit must be a non-negative integer or null",
    es: "El límite debe ser un entero mayor o igual a 0, o vacío.",
  },
  is_active_invalid: {
    status: 400,
    en: "is_active must be a boolean",
    es: "is_active debe ser verdadero o falso.",
  },
  email_invalid: { status: 400, en: "Invalid email format", es: "El formato del correo no es válido." },
  email_too_long: {
    status: 400,
    en: "Email must be at most 255 characters",
    es: "El correo debe tener como máximo 255 caracteres.",
  },
  phone_not_string: { status: 400, en: "phone_number must be a string", es: "El teléfono debe ser texto." },
  username_taken: { status: 409, en: "Username already exists", es: "Ese nombre de usuario ya existe." },
  email_taken: { status: 409, en: "Email already in use", es: "Ese correo ya está en uso por otra cuenta." },
  search_too_long: {
    status: 400,
    en: "search must be at most 100 characters",
    es: "La búsqueda debe tener como máximo 100 caracteres.",
  },
  user_not_found: { status: 404, en: "User not found", es: "El usuario ya no existe." },
  cannot_delete_self: {
    status: 400,
    en: "Cannot delete your own account",
    es: "No puede eliminar su propia cuenta.",
  },
  last_admin: {
    status: 400,
    en: "Cannot remove the last active admin",
    es: "No puede quitar al último administrador activo.",
  },
  regenerate_token_invalid: {
    status: 400,
    en: "regenerate_token must be a boolean",
    es: "regenerate_token debe ser verdadero o falso.",
  },
  cannot_change_own_role: {
    status: 400,
    en: "Cannot change your own role",
    es: "No puede cambiar su propio rol.",
  },
  cannot_deactivate_self: {
    status: 400,
    en: "Cannot deactivate your own account",
    es: "No puede desactivar su propia cuenta.",
  },
  user_no_email: {
    status: 400,
    en: "User has no email configured",
    es: "El usuario no tiene un correo configurado.",
  },
  smtp_not_configured: {
    status: 400,
    en: "SMTP is not configured",
    es: "El correo (SMTP) no está configurado.",
  },
  reset_email_failed: {
    status: 500,
    en: "Failed to send reset email",
    es: "No se pudo enviar el correo de recuperación.",
  },
  user_id_invalid: { status: 400, en: "user_id must be a number", es: "user_id debe ser un número." },
  session_not_found: { status: 404, en: "Session not found", es: "La sesión ya no existe." },
  audit_action_too_long: {
    status: 400,
    en: "action must be at most 50 characters",
    es: "La acción debe tener como máximo 50 caracteres.",
  },
  audit_username_too_long: {
    status: 400,
    en: "username must be at most 100 characters",
    es: "El usuario debe tener como máximo 100 caracteres.",
  },
  audit_resource_type_too_long: {
    status: 400,
    en: "resource_type must be at most 50 characters",
    es: "El tipo de recurso debe tener como máximo 50 caracteres.",
  },
  audit_resource_id_too_long: {
    status: 400,
    en: "resource_id must be at most 255 characters",
    es: "El id de recurso debe tener como máximo 255 caracteres.",
  },
  date_from_invalid: {
    status: 400,
    en: "date_from must be an ISO 8601 date or date-time",
    es: "date_from debe ser una fecha o fecha y hora ISO 8601.",
  },
  date_to_invalid: {
    status: 400,
    en: "date_to must be an ISO 8601 date or date-time",
    es: "date_to debe ser una fecha o fecha y hora ISO 8601.",
  },
  date_range_invalid: {
    status: 400,
    en: "date_from must not be after date_to",
    es: "La fecha inicial no puede ser posterior a la final.",
  },
  audit_not_found: { status: 404, en: "Audit entry not found", es: "La entrada de auditoría no existe." },
  user_id_required: { status: 400, en: "user_id is required", es: "user_id es obligatorio." },
  instance_not_found: { status: 404, en: "Instance not found", es: "La instancia no existe." },
  grant_owner: {
    status: 400,
    en: "User is already the instance owner",
    es: "El usuario ya es el dueño de la instancia.",
  },
  grant_target_not_found: { status: 404, en: "Target user not found", es: "El usuario destino no existe." },
  grant_exists: {
    status: 409,
    en: "User already has access to this instance",
    es: "El usuario ya tiene acceso a esa instancia.",
  },
  grant_not_found: { status: 404, en: "Permission not found", es: "El permiso no existe." },
  key_instance_denied: {
    status: 403,
    en: "You do not own this instance: {name}",
    es: "No tiene acceso a la instancia {name}.",
  },
  name_required: { status: 400, en: "name is required", es: "El nombre es obligatorio." },
  name_too_long: {
    status: 400,
    en: "name must be at most 100 characters",
    es: "El nombre debe tener como máximo 100 caracteres.",
  },
  key_scope_invalid: {
    status: 400,
    en: "scope must be one of: full, read, send",
    es: "El alcance debe ser full, read o send.",
  },
  key_instance_names_invalid: {
    status: 400,
    en: "instance_names must be a non-empty array of instance names (or null)",
    es: "instance_names debe ser una lista no vacía de nombres de instancia (o null).",
  },
  key_instance_names_too_many: {
    status: 400,
    en: "instance_names accepts at most 100 instances",
    es: "instance_names acepta como máximo 100 instancias.",
  },
  key_expires_invalid: {
    status: 400,
    en: "expires_at must be an ISO 8601 date-time with a time zone",
    es: "expires_at debe ser una fecha y hora ISO 8601 con zona horaria.",
  },
  key_expires_past: {
    status: 400,
    en: "expires_at must be in the future",
    es: "La fecha de vencimiento debe ser futura.",
  },
  key_limit_reached: {
    status: 400,
    en: "API key limit reached ({max} active keys)",
    es: "Alcanzó el máximo de {max} claves API activas.",
  },
  api_key_not_found: { status: 404, en: "API key not found", es: "La clave API no existe." },
  // ── gateway: engine proxy, instances, sends, limits, breaker ──
  instance_name_length: {
    status: 400,
    en: "Instance name must be between 1 and 100 characters",
    es: "El nombre debe tener entre 1 y 100 caracteres.",
  },
  instance_name_chars: {
    status: 400,
    en:
      "Instance name must start with a letter or number and contain only letters, numbers, underscores and hyphens",
    es:
      "El nombre debe empezar con una letra o un número y solo puede tener letras, números, guiones bajos y guiones.",
  },
  field_not_string: { status: 400, en: "{field} must be a string", es: "{field} debe ser un texto" },
  recipient_invalid: {
    status: 400,
    en: "{field} must be a phone number or a WhatsApp JID (…@s.whatsapp.net, …@g.us)",
    es: "{field} debe ser un número de teléfono o un JID de WhatsApp (…@s.whatsapp.net, …@g.us)",
  },
  field_too_long: {
    status: 400,
    en: "{field} must be at most {max} characters",
    es: "{field} no puede superar los {max} caracteres",
  },
  media_base64_invalid: {
    status: 400,
    en: "{field} data URL does not hold valid base64",
    es: "{field}: la URL de datos no contiene base64 válido",
  },
  media_url_private: {
    status: 400,
    en: "{field} URL must be a public https URL",
    es: "{field}: la URL debe ser una dirección https pública",
  },
  media_url_unresolvable: {
    status: 400,
    en: "{field} URL host does not resolve",
    es: "{field}: el nombre del servidor de la URL no existe",
  },
  media_fetch_failed: {
    status: 400,
    en: "{field} URL could not be downloaded",
    es: "{field}: no se pudo descargar la URL",
  },
  media_too_large: {
    status: 400,
    en: "{field} is larger than {max} MB",
    es: "{field} supera los {max} MB",
  },
  media_url_in_form: {
    status: 400,
    en: "{field}: send a URL in a JSON body, or upload the file",
    es: "{field}: envíe la URL en un cuerpo JSON, o suba el archivo",
  },
  media_invalid: {
    status: 400,
    en: "{field} must be an https URL or base64 data",
    es: "{field} debe ser una URL https o datos en base64",
  },
  mediatype_invalid: {
    status: 400,
    en: "mediatype must be one of {values}",
    es: "mediatype debe ser uno de: {values}",
  },
  delay_invalid: {
    status: 400,
    en: "delay must be an integer between 0 and 300000",
    es: "delay debe ser un entero entre 0 y 300000",
  },
  array_empty: {
    status: 400,
    en: "{field} must be a non-empty array",
    es: "{field} debe ser una lista no vacía",
  },
  array_size: {
    status: 400,
    en: "{field} must have {min} to {max} items",
    es: "{field} debe tener entre {min} y {max} elementos",
  },
  number_range: {
    status: 400,
    en: "{field} must be a number between {min} and {max}",
    es: "{field} debe ser un número entre {min} y {max}",
  },
  field_not_boolean: {
    status: 400,
    en: "{field} must be a boolean",
    es: "{field} debe ser verdadero o falso",
  },
  contact_fields: {
    status: 400,
    en: "every contact needs fullName and phoneNumber",
    es: "Cada contacto necesita fullName y phoneNumber",
  },
  poll_values: {
    status: 400,
    en: "values must be distinct non-empty strings",
    es: "Las opciones deben ser textos distintos y no vacíos",
  },
  poll_selectable_count: {
    status: 400,
    en: "selectableCount must be an integer between 0 and 10",
    es: "selectableCount debe ser un entero entre 0 y 10",
  },
  telegram_unsupported: {
    status: 400,
    en: "Telegram instances are not supported yet",
    es: "Las instancias de Telegram todavía no están disponibles",
  },
  instance_name_taken: {
    status: 409,
    en: "Instance name already in use",
    es: "Ese nombre de instancia ya está en uso.",
  },
  instance_limit: {
    status: 403,
    en: "Instance limit reached",
    es: "Alcanzó el máximo de instancias de su cuenta.",
  },
  engine_unavailable: {
    status: 502,
    en: "WhatsApp API unavailable",
    es: "El motor de WhatsApp no responde. Intente de nuevo en unos momentos.",
  },
  engine_timeout: {
    status: 504,
    en: "WhatsApp API timeout",
    es: "El motor de WhatsApp tardó demasiado en responder. Intente de nuevo en unos momentos.",
  },
  engine_circuit_open: {
    status: 503,
    en: "Service temporarily unavailable, please retry later",
    es: "El servicio no está disponible por el momento. Intente de nuevo en unos momentos.",
  },
  engine_instance_not_owned: {
    status: 403,
    en: "You don't own this instance",
    es: "No tiene acceso a esa instancia.",
  },
  manager_admin_required: {
    status: 403,
    en: "Admin access required for Manager",
    es: "El Manager requiere acceso de administrador.",
  },
  engine_webhook_managed: {
    status: 400,
    en: "Engine webhooks are managed by the gateway; use /api/webhooks",
    es: "El webhook del motor lo administra el gateway; use /api/webhooks",
  },
  query_key_invalid: {
    status: 400,
    en: "Query parameter {key} is not allowed: names with [ or ] are refused",
    es: "El parámetro de consulta {key} no está permitido: no se aceptan nombres con [ o ]",
  },
  query_key_unknown: {
    status: 400,
    en: "Unknown query parameter for this route: {key}",
    es: "Parámetro de consulta desconocido para esta ruta: {key}",
  },
  query_key_repeated: {
    status: 400,
    en: "Query parameter {key} may appear only once",
    es: "El parámetro de consulta {key} solo puede aparecer una vez",
  },
  send_rate_limited: {
    status: 429,
    en: "Too many requests",
    es: "Demasiados intentos. Espere un momento e intente de nuevo.",
  },

  // Many engines (issue 12): placement and the /admin/engines API.
  engine_capacity_full: {
    status: 503,
    en: "No engine has room for a new instance",
    es: "Ningún motor tiene lugar para una instancia nueva. Avise a un administrador.",
  },
  engine_not_found: { status: 404, en: "Engine not found", es: "Motor no encontrado" },
  engine_name_invalid: {
    status: 400,
    en: "name must be 1-100 characters",
    es: "El nombre debe tener entre 1 y 100 caracteres.",
  },
  engine_name_taken: {
    status: 409,
    en: "An engine with that name already exists",
    es: "Ya existe un motor con ese nombre.",
  },
  engine_url_invalid: {
    status: 400,
    en: "url must be an http(s) URL without credentials, query or fragment",
    es: "La URL debe ser http(s), sin credenciales, consulta ni fragmento.",
  },
  engine_api_key_invalid: {
    status: 400,
    en: "api_key must be 1-500 characters",
    es: "La clave de API debe tener entre 1 y 500 caracteres.",
  },
  engine_capacity_invalid: {
    status: 400,
    en: "capacity must be a whole number from 0 to 1000000, or null for no limit",
    es: "La capacidad debe ser un entero de 0 a 1000000, o null para no limitarla.",
  },
  engine_enabled_invalid: {
    status: 400,
    en: "enabled must be true or false",
    es: "enabled debe ser true o false.",
  },
  engine_default_managed: {
    status: 400,
    en:
      "The default engine's URL and key come from EVOLUTION_API_URL and AUTHENTICATION_API_KEY; it cannot be deleted",
    es:
      "La URL y la clave del motor principal vienen de EVOLUTION_API_URL y AUTHENTICATION_API_KEY; no se puede eliminar.",
  },
  engine_in_use: {
    status: 409,
    en: "The engine still holds instances; disable it instead",
    es: "El motor todavía tiene instancias; desactívelo en su lugar.",
  },

  // ── messaging: ledger, message log, templates ──
  log_filter_choice: {
    status: 400,
    en: "{field} must be one of: {values}",
    es: "{field} debe ser uno de: {values}",
  },
  log_filter_date: {
    status: 400,
    en: "{field} must be a date (YYYY-MM-DD or ISO 8601)",
    es: "{field} debe ser una fecha (AAAA-MM-DD o ISO 8601)",
  },
  stats_instance_required: {
    status: 400,
    en: "Instance name required",
    es: "Falta el nombre de la instancia",
  },
  stats_instance_not_yours: {
    status: 403,
    en: "Instance not found or not owned by you",
    es: "La instancia no existe o no tiene acceso a ella.",
  },
  template_fields_required: {
    status: 400,
    en: "name and content are required",
    es: "El nombre y el contenido son obligatorios",
  },
  field_too_short: {
    status: 400,
    en: "{field} must be at least {min} characters",
    es: "{field} debe tener al menos {min} caracteres",
  },
  template_not_found: { status: 404, en: "Template not found", es: "La plantilla ya no existe." },

  // ── webhooks ──
  webhook_not_found: { status: 404, en: "Webhook not found", es: "El webhook ya no existe." },
  webhook_url_empty: {
    status: 400,
    en: "webhook_url cannot be empty",
    es: "Ingrese la URL del webhook.",
  },
  webhook_url_scheme: {
    status: 400,
    en: "webhook_url must start with http:// or https://",
    es: "La URL debe empezar con http:// o https://.",
  },
  webhook_url_invalid: { status: 400, en: "Invalid webhook URL", es: "La URL no es válida." },
  webhook_url_private: {
    status: 400,
    en: "webhook_url must not point to a private or loopback address",
    es: "La URL no puede apuntar a direcciones privadas o internas.",
  },
  webhook_events_not_array: { status: 400, en: "events must be an array", es: "events debe ser una lista" },
  webhook_event_invalid: { status: 400, en: "Invalid event: {event}", es: "Evento no válido: {event}" },
  webhook_instance_not_owned: {
    status: 403,
    en: "You do not own this instance",
    es: "No tiene acceso a esa instancia.",
  },
  webhook_exists: {
    status: 409,
    en: "Webhook already exists for this instance",
    es: "Esa instancia ya tiene un webhook: edítelo en lugar de crear otro.",
  },
  webhook_delivery_not_found: { status: 404, en: "Delivery not found", es: "La entrega ya no existe." },
  // --- scheduled messages and idempotent sends (issue 9 items 4 and 7) ---
  scheduled_not_found: {
    status: 404,
    en: "Scheduled message not found",
    es: "El mensaje programado ya no existe.",
  },
  scheduled_recipients_array: {
    status: 400,
    en: "recipients must be a non-empty array",
    es: "Indique al menos un destinatario.",
  },
  scheduled_recipients_max: {
    status: 400,
    en: "Maximum 500 recipients allowed",
    es: "Se permiten como máximo 500 destinatarios.",
  },
  scheduled_recipient_invalid: {
    status: 400,
    en: "Invalid recipient: {message}",
    es: "Destinatario no válido: {message}",
  },
  scheduled_not_pending_update: {
    status: 400,
    en: "Only pending messages can be updated",
    es: "Solo se pueden editar los mensajes pendientes.",
  },
  scheduled_not_pending_cancel: {
    status: 400,
    en: "Only pending messages can be cancelled",
    es: "Solo se pueden cancelar los mensajes pendientes.",
  },
  scheduled_at_invalid: {
    status: 400,
    en: "{field} must be an ISO 8601 date and time (with an offset, or read in your time zone)",
    es: "{field} debe ser una fecha y hora ISO 8601 (con desfase, o en su zona horaria)",
  },
  time_zone_invalid: {
    status: 400,
    en: "{field} must be an IANA time zone such as America/Asuncion",
    es: "{field} debe ser una zona horaria IANA, por ejemplo America/Asuncion",
  },
  scheduled_media_invalid: {
    status: 400,
    en: "message_content of a media message must be JSON with mediatype, media and an optional caption",
    es: "El contenido de un mensaje multimedia debe ser JSON con mediatype, media y caption opcional.",
  },
  scheduled_variables_invalid: {
    status: 400,
    en: "variables must map recipients to objects of text values",
    es: "variables debe asociar cada destinatario a un objeto con valores de texto.",
  },
  recurrence_invalid: {
    status: 400,
    en: "recurrence must be an object with a type",
    es: "La repetición debe ser un objeto con un tipo.",
  },
  recurrence_days_invalid: {
    status: 400,
    en: "recurrence.days must list weekdays from 1 (Monday) to 7 (Sunday)",
    es: "Elija los días de la semana: de 1 (lunes) a 7 (domingo).",
  },
  recurrence_cron_invalid: {
    status: 400,
    en: "recurrence.cron must be a five-field cron expression",
    es: "La expresión cron debe tener cinco campos válidos.",
  },
  recurrence_until_before: {
    status: 400,
    en: "recurrence_until must not be before scheduled_at",
    es: "La fecha de fin no puede ser anterior a la primera fecha.",
  },
  idempotency_key_invalid: {
    status: 400,
    en: "Idempotency-Key must be 1-255 visible ASCII characters",
    es: "Idempotency-Key debe tener entre 1 y 255 caracteres ASCII visibles.",
  },
  idempotency_key_reused: {
    status: 409,
    en: "Idempotency-Key was already used with a different request",
    es: "Esa Idempotency-Key ya se usó con otra solicitud.",
  },
  idempotency_in_progress: {
    status: 409,
    en: "A request with this Idempotency-Key is still in progress",
    es: "Una solicitud con esa Idempotency-Key todavía está en curso.",
  },
  // --- contact lists, CSV import, WhatsApp check ---
  contact_list_not_found: { status: 404, en: "List not found", es: "La lista ya no existe." },
  contact_item_not_found: { status: 404, en: "Item not found", es: "El contacto ya no existe." },
  contact_phone_digits: {
    status: 400,
    en: "Phone number must contain only digits ({phone})",
    es: "El número de teléfono solo puede contener dígitos ({phone}).",
  },
  contact_phone_length: {
    status: 400,
    en: "Phone number must be between 8 and 20 digits ({phone})",
    es: "El número de teléfono debe tener entre 8 y 20 dígitos ({phone}).",
  },
  contact_fields_invalid: {
    status: 400,
    en: "fields must be an object of texts with named keys",
    es: "fields debe ser un objeto de textos con claves con nombre",
  },
  contact_fields_too_many: {
    status: 400,
    en: "At most {max} custom fields per contact",
    es: "Como máximo {max} campos propios por contacto",
  },
  contact_items_not_array: { status: 400, en: "items must be an array", es: "items debe ser una lista" },
  contact_items_too_many: {
    status: 400,
    en: "At most {max} items per request",
    es: "Como máximo {max} contactos por solicitud",
  },
  contact_check_not_connected: {
    status: 409,
    en: "Instance {instance} is not connected",
    es: "La instancia {instance} no está conectada.",
  },
  csv_not_utf8: {
    status: 400,
    en: "The CSV file must be UTF-8 text",
    es: "El archivo CSV debe estar en UTF-8.",
  },
  csv_malformed: {
    status: 400,
    en: "The CSV file is malformed (unbalanced quotes near row {row})",
    es: "El archivo CSV está mal formado (comillas sin cerrar cerca de la fila {row}).",
  },
  csv_empty: { status: 400, en: "The CSV file is empty", es: "El archivo CSV está vacío." },
  csv_too_many_columns: {
    status: 400,
    en: "The CSV file has more than {max} columns",
    es: "El archivo CSV tiene más de {max} columnas.",
  },
  csv_too_many_rows: {
    status: 400,
    en: "The CSV file has more than {max} rows",
    es: "El archivo CSV tiene más de {max} filas.",
  },
  csv_column_missing: {
    status: 400,
    en: "The CSV header has no column {column}",
    es: "La cabecera del CSV no tiene la columna {column}.",
  },
  csv_no_number_column: {
    status: 400,
    en:
      "The CSV header has no phone number column (number, phone, telefono, celular…); name it with number_column",
    es:
      "La cabecera del CSV no tiene columna de teléfono (number, phone, telefono, celular…); indíquela con number_column.",
  },
  csv_number_missing: { status: 400, en: "No phone number in this row", es: "La fila no tiene número." },
  csv_duplicate_in_file: {
    status: 400,
    en: "Same number as an earlier row",
    es: "El mismo número que una fila anterior",
  },
  csv_duplicate_in_list: { status: 400, en: "Already in the list", es: "Ya está en la lista" },
  field_not_positive_int: {
    status: 400,
    en: "{field} must be a positive integer",
    es: "{field} debe ser un entero positivo",
  },
  contact_sample_invalid: {
    status: 400,
    en: "contact must be an object {name?, number?, fields?}",
    es: "contact debe ser un objeto {name?, number?, fields?}",
  },
  // --- opt-outs ---
  opt_out_not_phone: {
    status: 400,
    en: "phone_number must be a phone number, not a group",
    es: "phone_number debe ser un número de teléfono, no un grupo",
  },
  opt_out_not_found: {
    status: 404,
    en: "Number is not opted out",
    es: "Ese número no está en la lista de bajas.",
  },
  opt_out_recipient: {
    status: 409,
    en: "{number} has opted out of your messages (send with the header {header}: true to override)",
    es: "{number} pidió no recibir sus mensajes (envíe con la cabecera {header}: true para forzar el envío)",
  },
  opt_out_words_invalid: {
    status: 400,
    en: "{field} must be a list of at most {max} words (null for the defaults)",
    es: "{field} debe ser una lista de hasta {max} palabras (null para las de fábrica)",
  },
  opt_out_word_invalid: {
    status: 400,
    en: "{field}: every word must have letters or digits and at most {max} characters",
    es: "{field}: cada palabra debe tener letras o dígitos y como máximo {max} caracteres",
  },
  opt_out_words_overlap: {
    status: 400,
    en: "A word cannot be both a stop and a start word: {word}",
    es: "Una palabra no puede ser de baja y de alta a la vez: {word}",
  },
  // --- buttons and status sends ---
  buttons_invalid: {
    status: 400,
    en: "every button needs a type (reply, copy, url, call, pix) and a displayText",
    es: "Cada botón necesita un tipo (reply, copy, url, call, pix) y un displayText",
  },
  buttons_mixed: {
    status: 400,
    en: "use at most 3 reply buttons and no other type with them; a pix button goes alone",
    es: "Use hasta 3 botones de respuesta sin mezclarlos con otros tipos; un botón pix va solo",
  },
  status_type_invalid: {
    status: 400,
    en: "type must be one of text, image, audio, video",
    es: "type debe ser uno de: text, image, audio, video",
  },
  status_recipients: {
    status: 400,
    en: "give statusJidList (the numbers that see the status) or allContacts: true",
    es: "Indique statusJidList (los números que verán el estado) o allContacts: true",
  },
  // --- operations: workers, backups, metrics ---
  worker_not_found: { status: 404, en: "Worker not found", es: "Ese proceso en segundo plano no existe." },
  worker_busy: {
    status: 409,
    en: "Worker is already running",
    es: "Ese proceso ya se está ejecutando; espere a que termine.",
  },
  backup_not_found: { status: 404, en: "Backup not found", es: "La copia de seguridad no existe." },
  backup_confirm_required: {
    status: 400,
    en: "Type RESTORE or the backup's file name in confirm to restore",
    es: "Escriba RESTORE o el nombre del archivo en la confirmación para restaurar.",
  },
  backups_embedded: {
    status: 409,
    en: "Backups are not available for this database (no DATABASE_URL and no embedded snapshot)",
    es: "Las copias de seguridad no están disponibles para esta base de datos.",
  },
  backup_failed: { status: 500, en: "Backup failed", es: "La copia de seguridad falló." },
  restore_failed: { status: 500, en: "Restore failed", es: "La restauración falló." },
  metrics_forbidden: {
    status: 403,
    en: "Metrics need an admin API key or an allowed address",
    es: "Las métricas requieren una clave de administrador o una dirección permitida.",
  },

  // --- client-reported logs, quotas ---
  log_fields_required: {
    status: 400,
    en: "instance_name and phone_number are required",
    es: "La instancia y el teléfono son obligatorios",
  },
  quota_daily_exceeded: {
    status: 429,
    en: "Daily message quota reached ({used} of {limit})",
    es: "Alcanzó su cupo diario de mensajes ({used} de {limit}). Se renueva mañana.",
  },
  quota_monthly_exceeded: {
    status: 429,
    en: "Monthly message quota reached ({used} of {limit})",
    es: "Alcanzó su cupo mensual de mensajes ({used} de {limit}). Se renueva el próximo mes.",
  },
  quota_limit_invalid: {
    status: 400,
    en: "{field} must be a positive integer or null",
    es: "{field} debe ser un entero positivo o vacío",
  },

  // --- incidents, maintenance, public status ---
  incident_fields_required: {
    status: 400,
    en: "title and severity are required",
    es: "El título y la severidad son obligatorios",
  },
  incident_message_required: {
    status: 400,
    en: "message is required (initial update)",
    es: "Escriba el mensaje de la primera actualización.",
  },
  incident_update_required: {
    status: 400,
    en: "status and message are required",
    es: "El estado y el mensaje son obligatorios",
  },
  incident_not_found: { status: 404, en: "Incident not found", es: "El incidente ya no existe." },
  maintenance_fields_required: {
    status: 400,
    en: "title, scheduled_start, and scheduled_end are required",
    es: "El título, el inicio y el fin son obligatorios",
  },
  maintenance_not_found: { status: 404, en: "Maintenance not found", es: "El mantenimiento ya no existe." },
  maintenance_window_order: {
    status: 400,
    en: "scheduled_end must not be before scheduled_start",
    es: "El fin del mantenimiento no puede ser anterior a su inicio.",
  },
  service_ids_invalid: {
    status: 400,
    en: "service_ids must be an array of positive integers",
    es: "service_ids debe ser una lista de enteros positivos",
  },
  subscriptions_unavailable: {
    status: 503,
    en: "E-mail subscriptions are not available",
    es: "Las suscripciones por correo no están disponibles.",
  },
  subscription_link_invalid: {
    status: 404,
    en: "Invalid or expired link",
    es: "El enlace no es válido o ya se usó.",
  },
  service_not_found: { status: 404, en: "Service not found", es: "El servicio ya no existe." },
  service_exists: { status: 409, en: "Service already exists", es: "Ya hay un servicio con ese nombre." },
  service_builtin: {
    status: 409,
    en: "The four checked services cannot be renamed or deleted (deactivate them instead)",
    es: "Los cuatro servicios verificados no se pueden renombrar ni eliminar; desactívelos.",
  },
  display_order_invalid: {
    status: 400,
    en: "display_order must be an integer between 0 and 10000",
    es: "El orden debe ser un entero entre 0 y 10000",
  },
  sla_month_invalid: {
    status: 400,
    en: "month must be YYYY-MM",
    es: "El mes debe tener la forma AAAA-MM",
  },
  // --- campaigns (issue #10) ---
  campaign_not_found: { status: 404, en: "Campaign not found", es: "La campaña ya no existe." },
  campaign_name_invalid: {
    status: 400,
    en: "Campaign name must be 1-100 characters",
    es: "El nombre de la campaña debe tener entre 1 y 100 caracteres",
  },
  campaign_numbers_invalid: {
    status: 400,
    en: "numbers must be a list of phone numbers (text)",
    es: "numbers debe ser una lista de números de teléfono (texto)",
  },
  campaign_lists_invalid: {
    status: 400,
    en: "contact_list_ids must be a list of at most {max} list ids",
    es: "contact_list_ids debe ser una lista de hasta {max} ids de listas",
  },
  campaign_recipients_required: {
    status: 400,
    en: "Give numbers and/or contact_list_ids (at least one recipient)",
    es: "Indique numbers y/o contact_list_ids (al menos un destinatario)",
  },
  campaign_too_many_recipients: {
    status: 400,
    en: "A campaign has at most {max} recipients",
    es: "Una campaña tiene como máximo {max} destinatarios",
  },
  campaign_content_required: {
    status: 400,
    en: "Give either template_id or variants (1 to {max} texts)",
    es: "Indique template_id o variants (de 1 a {max} textos), no ambos",
  },
  campaign_variant_invalid: {
    status: 400,
    en: "Each variant must be a non-empty text of at most {max} characters",
    es: "Cada variante debe ser un texto no vacío de hasta {max} caracteres",
  },
  campaign_media_invalid: {
    status: 400,
    en: "media_url must be an http(s) URL and media_type one of {types}",
    es: "media_url debe ser una URL http(s) y media_type uno de {types}",
  },
  campaign_start_invalid: {
    status: 400,
    en: "start_at must be an ISO 8601 time with an offset (2026-05-01T09:00:00-03:00)",
    es: "start_at debe ser una hora ISO 8601 con desfase horario (2026-05-01T09:00:00-03:00)",
  },
  campaign_draft_invalid: {
    status: 400,
    en: "draft must be true or false",
    es: "draft debe ser true o false",
  },
  campaign_pacing_invalid: {
    status: 400,
    en: "pacing.{field} must be an integer from {min} to {max}",
    es: "pacing.{field} debe ser un entero entre {min} y {max}",
  },
  campaign_time_zone_invalid: {
    status: 400,
    en: "pacing.time_zone must be an IANA time zone (America/Asuncion)",
    es: "pacing.time_zone debe ser una zona horaria IANA (America/Asuncion)",
  },
  campaign_quiet_hours_invalid: {
    status: 400,
    en: "pacing.quiet_start and pacing.quiet_end must both be HH:MM",
    es: "pacing.quiet_start y pacing.quiet_end deben ser ambos HH:MM",
  },
  campaign_state_conflict: {
    status: 409,
    en: "Cannot {action} a campaign that is {status}",
    es: "No se puede aplicar {action} a una campaña en estado {status}",
  },
  campaign_status_filter_invalid: {
    status: 400,
    en: "status must be one of {values}",
    es: "status debe ser uno de {values}",
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams = Record<string, string | number>;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(ERRORS, value);

const codeOfText = new Map<string, ErrorCode>(
  (Object.keys(ERRORS) as ErrorCode[]).map((code) => [ERRORS[code].en, code]),
);

/** The code whose English text is exactly `text`, if any (tests compare answers by the contract's text). */
export const codeOfEnglishText = (text: string): ErrorCode | undefined => codeOfText.get(text);

/** The text of `code` in `locale` (English is the wire language), with `{name}` filled from `params`. */
export function errorText(code: ErrorCode, params: ErrorParams = {}, locale: "en" | "es" = "en"): string {
  const text: string = ERRORS[code][locale];
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in params ? String(params[name]) : whole);
}

/**
 * The params that fill `code`'s English text into `text` (the wire message), or null when `text` is not
 * that template filled in: how the panel re-words an answer whose text carries values in its own language.
 */
export function paramsOfText(code: ErrorCode, text: string): ErrorParams | null {
  const names: string[] = [];
  const pattern = ERRORS[code].en.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    names.push(part);
    return "(.*?)";
  }).join("");
  const match = new RegExp(`^${pattern}$`, "s").exec(text);
  return match ? Object.fromEntries(names.map((name, i) => [name, match[i + 1]])) : null;
}

export interface ErrorOptions {
  /** Fills `{name}` placeholders of the catalogue text. */
  params?: ErrorParams;
  /** Extra JSON fields of the answer beside `error` and `code` (e.g. the rate limit's `limit`). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Overrides the catalogue's status for the rare code answered with two statuses. */
  status?: number;
}

/**
 * An error the API answers on purpose. Mapped to a response in exactly one place (`errorMapper` in
 * lib/core/http.ts): `{ "error": text, "code": code, ...extra }` on API paths, an HTML page on the panel.
 */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, options: ErrorOptions = {}) {
    const text = errorText(code, options.params);
    super(text);
    this.name = "HttpError";
    // One message, one code: a filled template that spells a text the catalogue names on its own
    // ("name is required") answers with that entry's code, so the panel translates it the same way.
    this.code = codeOfText.get(text) ?? code;
    this.status = options.status ?? ERRORS[this.code].status;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON answer on API paths: `{ "error": text, "code": code, ...extra }`. */
  body(): Record<string, unknown> {
    return { error: this.message, code: this.code, ...this.extra };
  }
}

/** `throw fail("user_not_found")`, `throw fail("field_required", { field: "number" })`. */
export const fail = (code: ErrorCode, params?: ErrorParams, options: Omit<ErrorOptions, "params"> = {}) =>
  new HttpError(code, { ...options, params });
