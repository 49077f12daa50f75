"""Training: settings, the step-generator trainer, metrics."""
