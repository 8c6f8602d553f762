"""Probe modules, laid out as criteria/ is: software/, fair/ and service/.

Importing a subpackage registers its probes (sqaaas.core.registry); a subject imports the
ones it needs, so onboarding a service never loads repository probes and vice versa.
"""
