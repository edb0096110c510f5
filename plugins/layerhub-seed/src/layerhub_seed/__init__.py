"""The Keras saving guide's custom objects as a layerhub plugin.

Importing this package does not import keras; ``layerhub_seed.objects`` does.
"""
