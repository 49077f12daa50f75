"""DeepCanvas's desktop interface (Qt). Everything that is not Qt lives in engine/."""
