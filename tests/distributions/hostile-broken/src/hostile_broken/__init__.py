"""A plugin that imports and registers fine, but whose registrations only fail later."""
