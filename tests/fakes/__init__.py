"""Test doubles: fake platform servers and collecting adapters."""
