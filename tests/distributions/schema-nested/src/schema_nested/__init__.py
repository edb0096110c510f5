"""A test plugin whose Block layer holds a list of Gate layers (plugin objects in a
plugin object's config). Importing the package does not import keras."""
