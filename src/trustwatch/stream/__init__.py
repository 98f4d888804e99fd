"""Event streaming: the bus (embedded SQLite log or Kafka), the worker, shared counters."""
