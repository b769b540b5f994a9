"""Every write of the service center, by entity (see the submodules)."""
