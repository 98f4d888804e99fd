"""HTTP routes: thin handlers that call ``TrustService`` use cases."""
