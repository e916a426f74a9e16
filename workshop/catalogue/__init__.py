"""The shop's catalogue: categories and products. No lesson changes it, so every stage
installs this one app (``workshop.catalogue``) instead of a copy."""
