"""Is the model any good? Factor validation, weight sensitivity and previews of a change.

Never on the Re-score button's path: scipy is imported here, lazily, where it is needed.
"""
