"""Face attributes beyond DEFAULT (AgeRange, Gender, Emotions, ...): one estimator module per field group."""
