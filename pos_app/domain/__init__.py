"""The pure core: value types and rules.  Standard library only, no I/O."""
