"""Economy pages, one module per area: archives and lists, dashboard, imports and exports, early
warning and investment attraction."""
