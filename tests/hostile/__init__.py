"""Tests that treat an assessed repository, an onboarded service or a badge as hostile."""
