"""Users, roles, login, password links and supplier-scoped permissions."""
