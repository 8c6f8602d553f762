"""Network access under sqaaas' rules: which hosts are public, unambiguous URLs, and the
bounded HTTP client (budget, deadline, body size) every outgoing request goes through."""
