"""Tests of the terrane AWS emulator (run with scripts/aws-emulator test)."""
