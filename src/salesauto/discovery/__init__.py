"""Lead discovery by ideal customer profile: finding, scoring and storing leads."""
