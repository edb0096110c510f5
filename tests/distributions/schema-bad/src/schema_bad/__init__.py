"""A test plugin with malformed schemas. Importing the package does not import keras."""
