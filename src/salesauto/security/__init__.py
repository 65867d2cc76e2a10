"""API security: keys and scopes, the request pipeline's guards, sessions, CSRF and audit."""
