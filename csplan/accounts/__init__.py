"""Who may do what: roles, line ownership, API tokens, permission rules and log-in throttling."""
